package dev.shears.bench.cli;

import dev.shears.data.Dataset;
import dev.shears.datasets.FashionMnist;
import dev.shears.infer.InferenceModel;
import dev.shears.infer.WeightFormat;
import dev.shears.interop.ModelFormat;
import dev.shears.interop.Models;
import dev.shears.kernels.Parallel;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Layer;
import dev.shears.nn.Loss;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.prune.PruningPlan;
import dev.shears.prune.SparsityReport;
import dev.shears.train.BackupAndRestore;
import dev.shears.train.Callback;
import dev.shears.train.Evaluation;
import dev.shears.train.FitOptions;
import dev.shears.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shears prune MODEL --data DIR --final-sparsity S --out OUT}: fine-tunes a trained model with
 * magnitude pruning on a polynomial schedule whose end step is computed from the real number of training
 * steps (and whose last mask update falls on it), so the final sparsity is reached; strips the wrappers,
 * writes OUT and reports accuracy before and after, the sparsity reached, the file size and batch-1
 * latency with dense against automatic kernels.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = ShearsCli.Version.class, sortOptions = false,
        description = "Fine-tune a model with magnitude pruning (Adam, polynomial-decay schedule over the whole run) "
                + "and write the pruned model.")
final class PruneCommand implements Callable<Integer> {
    /** {@code --data} value for the datasets module's loader (full set if found or downloadable, else the sample). */
    static final String FASHION_MNIST = "fashion-mnist";
    /** {@code --data} value for the embedded 2,000 / 1,000-image sample only (no search, no download). */
    static final String FASHION_MNIST_SAMPLE = "fashion-mnist-sample";
    private static final int EVAL_BATCH = 256;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "Trained model: .safetensors, .onnx, .keras or .h5 (not .shrs).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory with the four IDX files "
            + "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
            + "t10k-labels-idx1-ubyte[.gz]); '" + FASHION_MNIST + "' for Fashion-MNIST as the datasets module finds it "
            + "(else its embedded sample); '" + FASHION_MNIST_SAMPLE + "' for the embedded sample only.")
    String data;

    @Option(names = "--final-sparsity", required = true, paramLabel = "S", description = "Sparsity of every prunable kernel at the end, in [0, 1).")
    double finalSparsity;

    @Option(names = "--initial-sparsity", paramLabel = "S", description = "Sparsity at the first step "
            + "(default: 0.5, or the final sparsity if lower).")
    Double initialSparsity;

    @Option(names = "--epochs", paramLabel = "E", description = "Fine-tuning epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 2;

    @Option(names = "--batch-size", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 64;

    @Option(names = "--prune-frequency", paramLabel = "F", description = "Steps between mask updates (default: 100, "
            + "lowered so that at least " + PolynomialDecay.MIN_UPDATES + " updates fit into the run).")
    Integer frequency;

    @Option(names = "--seed", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Pruned model to write: .safetensors, .shrs or .onnx.")
    Path out;

    @Option(names = "--resume", description = "Continue the run with these options that was killed last time from its "
            + "last completed epoch (its state is kept in .<OUT name>.resume beside OUT until OUT is written); the "
            + "result equals an uninterrupted run's with the same --threads.")
    boolean resume;

    /** An extra training callback, or null: tests stop a run with it to resume it. */
    Callback extraCallback;

    @Override
    public Integer call() throws Exception {
        double initial = validate();
        ModelFormat outFormat = CliFiles.modelOutputFormat(out);
        ModelFormat format = CliFiles.detect(model);
        if (format == ModelFormat.COMPACT) {
            throw new IllegalArgumentException(model + " is a compact runtime file (inference only); prune needs a "
                    + "trainable model: .safetensors, .onnx, .keras or .h5");
        }
        Sequential start = CliFiles.load(model, CliFiles.allowNonFinite(spec));
        FashionMnist.Data sets = loadData();
        requireFits(start, sets.train());
        PrintWriter err = spec.commandLine().getErr();
        InputChecks.check("training images of " + data, sets.train(), err::println);
        InputChecks.check("test images of " + data, sets.test(), err::println);
        if (threads != null) {
            Parallel.setCommonThreads(threads);
        }
        PrintWriter w = spec.commandLine().getOut();
        Dataset test = sets.test();
        w.printf(Locale.ROOT, "Model: %s (%s), input %s, %d outputs%n", model, CliFiles.describe(format),
                Arrays.toString(start.inputShape()), outputs(start));
        w.printf(Locale.ROOT, "Data: %s: %,d training / %,d test images%n", sets.source(), sets.train().size(), test.size());
        Loss loss = Loss.sparseCategoricalCrossentropy(!endsInSoftmax(start));
        Evaluation before = new Trainer(start, new Adam(), loss).evaluate(test, EVAL_BATCH);
        w.printf(Locale.ROOT, "Test accuracy before pruning: %.4f (loss %.4f)%n", before.accuracy(), before.loss());

        ResumeDir resumeDir = ResumeDir.open(ResumeDir.beside(out), ResumeDir.options("model", model, "model_bytes",
                Files.size(model), "data", data, "train_images", sets.train().size(), "final_sparsity", finalSparsity,
                "initial_sparsity", initial, "epochs", epochs, "batch_size", batchSize, "prune_frequency", frequency,
                "seed", seed, "threads", Parallel.common().threads()), Set.of("threads"), resume, err::println);
        Sequential pruned = fineTune(start, sets.train(), initial, loss, w, resumeDir.phase("pruning"));

        Evaluation after = new Trainer(pruned, new Adam(), loss).evaluate(test, EVAL_BATCH);
        w.printf(Locale.ROOT, "Test accuracy after pruning: %.4f (loss %.4f), before %.4f%n", after.accuracy(),
                after.loss(), before.accuracy());
        w.print(InfoCommand.sparsityTable(SparsityReport.of(pruned)));
        Models.save(pruned, out);
        // Only now is the training state no longer needed: a kill before this line can still be resumed.
        resumeDir.delete();
        w.printf(Locale.ROOT, "Wrote %s (%s): %,d bytes%n", out, CliFiles.describe(outFormat), Files.size(out));
        w.flush();
        printLatency(w, pruned, test);
        w.flush();
        return 0;
    }

    /**
     * Wraps, trains with Adam on the schedule (progress to {@code w}) and strips: the pruned plain model. The
     * state is backed up into {@code backupDir} at each epoch's end and kept when training ends, so that a
     * run killed before OUT is written resumes (or, when training had finished, skips it).
     */
    private Sequential fineTune(Sequential start, Dataset train, double initial, Loss loss, PrintWriter w,
                                Path backupDir) {
        int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
        PolynomialDecay schedule = schedule(initial, epochs, stepsPerEpoch);
        w.println(PruningPlan.of(schedule, epochs, stepsPerEpoch).report());
        w.flush();
        Sequential wrapped = Pruning.prune(start, PruningConfig.of(schedule));
        PrintStream progress = WriterOutputStream.printStream(w);
        BackupAndRestore backup = new BackupAndRestore(backupDir, false);
        if (Files.exists(backup.file())) {
            w.println("Resuming from the backup in " + backupDir);
        }
        // The plan was printed above; the callback would only repeat it when it has warnings.
        FitOptions options = FitOptions.defaults().withEpochs(epochs).withBatchSize(batchSize).withShuffleSeed(seed)
                .withOut(progress).withCallback(Pruning.callback(null, null)).withCallback(backup);
        if (extraCallback != null) {
            options = options.withCallback(extraCallback);
        }
        new Trainer(wrapped, new Adam(), loss).fit(train, options);
        progress.flush();
        return Pruning.strip(wrapped);
    }

    /** Checks the option values; returns the initial sparsity to use. */
    private double validate() {
        requireSparsity("--final-sparsity", finalSparsity);
        double initial = initialSparsity != null ? initialSparsity : Math.min(0.5, finalSparsity);
        requireSparsity("--initial-sparsity", initial);
        require(initial <= finalSparsity, "--initial-sparsity (" + initial + ") must not exceed --final-sparsity ("
                + finalSparsity + ")");
        require(epochs > 0, "--epochs must be positive, got " + epochs);
        require(batchSize > 0, "--batch-size must be positive, got " + batchSize);
        require(frequency == null || frequency > 0, "--prune-frequency must be positive, got " + frequency);
        require(threads == null || threads > 0, "--threads must be positive, got " + threads);
        return initial;
    }

    /**
     * PolynomialDecay from {@code initial} to the final sparsity over the run's {@code epochs x stepsPerEpoch}
     * steps, ending on the run's last mask update so that it applies exactly the final sparsity
     * ({@link PolynomialDecay#overTraining}: frequency 100, lowered for short runs, unless given).
     */
    PolynomialDecay schedule(double initial, int epochs, int stepsPerEpoch) {
        // One "example" per step: overTraining counts ceil(trainSize / batchSize) steps an epoch.
        return frequency == null ? PolynomialDecay.overTraining(initial, finalSparsity, stepsPerEpoch, 1, epochs)
                : PolynomialDecay.overTraining(initial, finalSparsity, stepsPerEpoch, 1, epochs, frequency);
    }

    private FashionMnist.Data loadData() throws IOException {
        if (data.equals(FASHION_MNIST)) {
            return FashionMnist.loadOrSample();
        }
        if (data.equals(FASHION_MNIST_SAMPLE)) {
            return FashionMnist.sample();
        }
        Path dir = Path.of(data);
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory; --data takes a directory with the "
                    + "four IDX files, '" + FASHION_MNIST + "' or '" + FASHION_MNIST_SAMPLE + "'");
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        return FashionMnist.load(FashionMnist.Options.defaults().withDirectory(dir));
    }

    /** The model must take the data's images and have one output per class. */
    private void requireFits(Sequential m, Dataset train) {
        if (!Arrays.equals(m.inputShape(), train.featureShape())) {
            throw new IllegalArgumentException(model + " takes inputs of shape " + Arrays.toString(m.inputShape())
                    + ", but the images in " + data + " have shape " + Arrays.toString(train.featureShape()));
        }
        if (outputs(m) != train.numClasses()) {
            throw new IllegalArgumentException(model + " has " + outputs(m) + " outputs, but the labels in " + data
                    + " have " + train.numClasses() + " classes");
        }
    }

    private void printLatency(PrintWriter w, Sequential pruned, Dataset test) {
        InferenceModel auto = InferenceModel.compile(pruned);
        InferenceModel dense = InferenceModel.compile(pruned, InferenceModel.Options.defaults().withFormat(WeightFormat.DENSE));
        int n = Math.min(test.size(), EVAL_BATCH);
        float[] examples = Arrays.copyOf(test.features(), n * test.featureSize());
        double[] us = Latency.batch1Micros(examples, n, dense, auto);
        StringJoiner kernels = new StringJoiner(", ");
        auto.formats().forEach((layer, k) -> kernels.add(layer + "=" + k));
        w.printf(Locale.ROOT, "Batch-1 latency (median of %d calls): dense kernels %.1f us, automatic kernels %.1f us "
                + "(%s): %.2fx%n", Latency.CALLS, us[0], us[1], kernels, us[0] / us[1]);
    }

    /** Whether the model outputs probabilities (a softmax last layer) rather than logits. */
    private static boolean endsInSoftmax(Sequential m) {
        Layer last = m.layers().get(m.layers().size() - 1).unwrap();
        Activation a = last instanceof Dense d ? d.activation() : last instanceof Conv2D c ? c.activation() : null;
        return a == Activation.SOFTMAX;
    }

    private static int outputs(Sequential m) {
        return Arrays.stream(m.outputShape()).reduce(1, (a, b) -> a * b);
    }

    private static void requireSparsity(String option, double s) {
        require(s >= 0 && s < 1, option + " must be in [0, 1), got " + s);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
