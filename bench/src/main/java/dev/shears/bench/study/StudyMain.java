package dev.shears.bench.study;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The pruning study from one command: trains a CNN on Fashion-MNIST (the Keras tutorial's, or with
 * {@code --model vgg-bn} a small VGG with batch normalization), prunes it, compiles both into the inference
 * runtime and writes a report (tables, plots, JSON). Options left out take the model's defaults.
 *
 * <pre>{@code java --add-modules jdk.incubator.vector -jar bench/target/shears-study.jar --quick}</pre>
 */
@Command(name = "shears-study", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a CNN (the tutorial's or vgg-bn) on Fashion-MNIST, prune it by magnitude, compile both into the "
                + "inference runtime and write a report (report.md, results.json, training_log.csv, PNG plots).")
public final class StudyMain implements Callable<Integer> {
    @Option(names = "--model", description = "'tutorial' (default: the Keras tutorial's CNN) or 'vgg-bn' (a small VGG "
            + "with BatchNormalization, trained under CosineDecay); each has its own epochs, final sparsity and "
            + "learning rates, which the options below override.")
    String model = "tutorial";

    @Option(names = "--epochs", description = "Baseline training epochs (default: the model's; 2 with --quick).")
    Integer epochs;

    @Option(names = "--prune-epochs", description = "Pruning (fine-tuning) epochs (default: the model's; 2 with --quick).")
    Integer pruneEpochs;

    @Option(names = "--initial-sparsity", description = "PolynomialDecay initial sparsity (default: ${DEFAULT-VALUE}).")
    double initialSparsity = 0.5;

    @Option(names = "--final-sparsity", description = "PolynomialDecay final sparsity (default: the model's).")
    Double finalSparsity;

    @Option(names = "--learning-rate", description = "Adam's baseline learning rate; the start of the cosine "
            + "for vgg-bn (default: the model's).")
    Double learningRate;

    @Option(names = "--prune-learning-rate", description = "Adam's learning rate while pruning: constant for the "
            + "tutorial, the start of the cosine for vgg-bn (default: the model's).")
    Double pruneLearningRate;

    @Option(names = "--prune-frequency", description = "Steps between mask updates (default: 100 as in tfmot; 10 with --quick).")
    Integer pruneFrequency;

    @Option(names = "--prune-from", description = "Prune the trained 'baseline' (default) or the 'initial' weights "
            + "with the tutorial's end-step arithmetic.")
    String pruneFrom = "baseline";

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 64;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--seed", description = "Seed for initialization, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--data", description = "Directory with the four Fashion-MNIST IDX files (default: the "
            + "datasets module's search order, falling back to the embedded sample).")
    Path data;

    @Option(names = "--out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "study");

    @Option(names = "--train-limit", description = "Use only the first N training images.")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Use only the first N test images.")
    Integer testLimit;

    @Option(names = "--quick", description = "Smoke run (~30 s): 2,000 training / 1,000 test images, 2 + 2 epochs, "
            + "mask updates every 10 steps.")
    boolean quick;

    @Option(names = "--sweep", split = ",", description = "Also prune to each of these sparsities and tabulate "
            + "accuracy, size and latency, e.g. 0,0.5,0.8,0.9,0.95.")
    List<Double> sweep = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run that was killed last time with these options (its "
            + "state is kept in .<out name>.resume beside --out) from its last completed epoch, baseline and pruning "
            + "phases alike; the report equals that of an uninterrupted run with the same --threads.")
    boolean resume;

    /** Entry point; exits with 0 on success, 2 on bad options, 1 on failure. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new StudyMain());
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("shears-study: " + ex.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        });
        // Bad data and unreadable files: one "error:" line, exit 1 (-Dshears.debug=true for the trace).
        cl.setExecutionExceptionHandler(new dev.shears.bench.cli.Failures());
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        StudyConfig config;
        try {
            config = validated();
        } catch (IllegalArgumentException e) {
            System.err.println("shears-study: " + e.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        }
        new Study(config, System.out).run();
        return 0;
    }

    StudyConfig validated() {
        StudyModel m = StudyModel.of(model);
        StudyModel.Defaults d = m.defaults();
        if (quick) {
            epochs = epochs == null ? 2 : epochs;
            pruneEpochs = pruneEpochs == null ? 2 : pruneEpochs;
            trainLimit = trainLimit == null ? 2000 : trainLimit;
            testLimit = testLimit == null ? 1000 : testLimit;
            pruneFrequency = pruneFrequency == null ? 10 : pruneFrequency;
        }
        int epochs = this.epochs == null ? d.epochs() : this.epochs;
        int pruneEpochs = this.pruneEpochs == null ? d.pruneEpochs() : this.pruneEpochs;
        double finalSparsity = this.finalSparsity == null ? d.finalSparsity() : this.finalSparsity;
        double lr = learningRate == null ? d.learningRate() : learningRate;
        double pruneLr = pruneLearningRate == null ? d.pruneLearningRate() : pruneLearningRate;
        int frequency = pruneFrequency == null ? 100 : pruneFrequency;
        require(frequency > 0, "--prune-frequency must be positive, got " + frequency);
        require(epochs > 0, "--epochs must be positive, got " + epochs);
        require(pruneEpochs > 0, "--prune-epochs must be positive, got " + pruneEpochs);
        requireSparsity("--initial-sparsity", initialSparsity);
        requireSparsity("--final-sparsity", finalSparsity);
        require(finalSparsity >= initialSparsity, "--final-sparsity (" + finalSparsity
                + ") must be >= --initial-sparsity (" + initialSparsity + ")");
        require(pruneFrom.equals("baseline") || pruneFrom.equals("initial"),
                "--prune-from must be 'baseline' or 'initial', got '" + pruneFrom + "'");
        requireRate("--learning-rate", lr);
        requireRate("--prune-learning-rate", pruneLr);
        require(batchSize > 0, "--batch-size must be positive, got " + batchSize);
        require(threads == null || threads > 0, "--threads must be positive, got " + threads);
        require(trainLimit == null || trainLimit > 0, "--train-limit must be positive, got " + trainLimit);
        require(testLimit == null || testLimit > 0, "--test-limit must be positive, got " + testLimit);
        require(data == null || Files.isDirectory(data), "--data " + data + " is not a directory");
        if (data != null) {
            for (String f : dev.shears.datasets.FashionMnist.FILES) {
                require(Files.isRegularFile(data.resolve(f)), "--data " + data + " has no " + f
                        + " (expected the four Fashion-MNIST IDX files)");
            }
        }
        for (double s : sweep) {
            requireSparsity("--sweep", s);
        }
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        return new StudyConfig(m, epochs, pruneEpochs, lr, pruneLr, initialSparsity, finalSparsity, pruneFrom.equals("initial"),
                frequency, batchSize, t, seed, data, out, trainLimit, testLimit, quick, List.copyOf(sweep), resume);
    }

    private static void requireSparsity(String option, double s) {
        require(s >= 0 && s < 1, option + " must be in [0, 1), got " + s);
    }

    private static void requireRate(String option, double lr) {
        require(lr > 0 && lr < 1, option + " must be in (0, 1), got " + lr);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
