package dev.shears.bench.study;

import dev.shears.bench.cli.InputChecks;
import dev.shears.bench.cli.ResumeDir;
import dev.shears.data.Dataset;
import dev.shears.datasets.FashionMnist;
import dev.shears.io.ModelFiles;
import dev.shears.kernels.Kernels;
import dev.shears.kernels.Parallel;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.optim.LearningRateSchedule;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.prune.PruningSchedule;
import dev.shears.prune.SparsityReport;
import dev.shears.examples.PruningTutorialExample;
import dev.shears.train.BackupAndRestore;
import dev.shears.train.Callback;
import dev.shears.train.Evaluation;
import dev.shears.train.FitOptions;
import dev.shears.train.History;
import dev.shears.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs the pruning study: data, baseline training, pruning, runtime compilation and measurement, report.
 * Everything is written to a scratch directory first and moved to {@code --out} at the end, so an
 * interrupted run never leaves a half-written report (see {@link ReportWriter}). Every training phase
 * (baseline, pruning, each sweep point) backs up its state at each epoch's end into the run's
 * {@link ResumeDir} beside {@code --out}, so that {@code --resume} continues a killed run from its last
 * completed epoch, with the results of an uninterrupted run.
 */
final class Study {
    /** The Keras tutorial's own end step (its arithmetic gave 6 with frequency 100), for --prune-from initial. */
    static final long TUTORIAL_END_STEP = 6;

    private final StudyConfig config;
    private final PrintStream out;
    private final Callback extra;
    private ResumeDir resume;

    Study(StudyConfig config, PrintStream out) {
        this(config, out, null);
    }

    /** With {@code extra} added to every training phase's callbacks (tests stop a run with it), or null. */
    Study(StudyConfig config, PrintStream out, Callback extra) {
        this.config = config;
        this.out = out;
        this.extra = extra;
    }

    /** A trained model with what was measured while training it. */
    record Trained(Sequential model, History history, Evaluation evaluation, double secondsPerEpoch) {
    }

    void run() throws IOException {
        Parallel.setCommonThreads(config.threads());
        out.println("Shears pruning study: " + config.threads() + " thread(s), kernels: " + Kernels.description()
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        if (!Kernels.vectorEnabled()) {
            out.println("NOTE: the Vector API is off, so kernels run on plain-Java code, about 2x slower; run java with "
                    + "--add-modules jdk.incubator.vector");
        }
        ReportWriter report = ReportWriter.begin(config.out());
        try {
            FashionMnist.Data data = loadData();
            Dataset train = config.trainLimit() == null ? data.train() : data.train().take(config.trainLimit());
            Dataset test = config.testLimit() == null ? data.test() : data.test().take(config.testLimit());
            out.println("Data: " + data.source());
            InputChecks.check("training images", train, out::println);
            InputChecks.check("test images", test, out::println);
            resume = ResumeDir.open(ResumeDir.beside(config.out()), resumeOptions(data, train, test), Set.of("threads"),
                    config.resume(), out::println);
            if (resume.resumed()) {
                out.println("Resuming the interrupted run from " + resume.dir());
            }
            runInto(report, data, train, test);
            report.commit();
            resume.delete();
            out.println("Report written to " + config.out().toAbsolutePath().resolve("report.md"));
        } finally {
            report.abandonIfUncommitted();
        }
    }

    /**
     * The options and data that decide the results; a resumed run must use the same (threads: noted only).
     * The data is named by its kind and size, not its source text, which says "downloaded" only once.
     */
    private Map<String, Object> resumeOptions(FashionMnist.Data data, Dataset train, Dataset test) {
        return ResumeDir.options("epochs", config.epochs(), "prune_epochs", config.pruneEpochs(),
                "initial_sparsity", config.initialSparsity(), "final_sparsity", config.finalSparsity(),
                "prune_from_initial", config.pruneFromInitial(), "prune_frequency", config.pruneFrequency(),
                "batch_size", config.batchSize(), "seed", config.seed(), "data_dir", config.dataDir(),
                "data_is_sample", data.isSample(), "train_images", train.size(), "test_images", test.size(),
                "sweep", config.sweep(), "threads", config.threads());
    }

    private void runInto(ReportWriter report, FashionMnist.Data data, Dataset train, Dataset test) throws IOException {
        out.printf(Locale.ROOT, "Training on %,d images, testing on %,d%n", train.size(), test.size());
        Path dir = report.dir();

        Sequential initial = config.model().build(config.seed());
        out.print(initial.summary());
        Path initialFile = dir.resolve("initial.safetensors");
        ModelFiles.save(initial, initialFile);

        LearningRateSchedule baselineRate = config.model().baselineRate(config.learningRate(),
                steps(train.size(), config.epochs()));
        out.println("\n== Baseline (" + config.model() + "): " + config.epochs() + " epochs, batch " + config.batchSize()
                + ", Adam, learning rate " + describe(baselineRate));
        Trained baseline = train(initial, train, test, config.epochs(), "baseline", baselineRate, null);
        Path baselineFile = dir.resolve("baseline.safetensors");
        ModelFiles.save(baseline.model(), baselineFile);
        out.printf(Locale.ROOT, "Baseline test accuracy %.4f (loss %.4f)%n", baseline.evaluation().accuracy(), baseline.evaluation().loss());

        Sequential start = ModelFiles.load(config.pruneFromInitial() ? initialFile : baselineFile);
        PruningSchedule schedule = schedule(train.size(), config.initialSparsity(), config.finalSparsity());
        LearningRateSchedule pruneRate = pruneRate(train.size());
        out.println("\n== Pruning the " + (config.pruneFromInitial() ? "initial" : "trained baseline") + " weights: "
                + schedule + " over " + config.pruneEpochs() + " epochs, Adam, learning rate " + describe(pruneRate));
        Sequential wrapped = config.model().wrapForPruning(start, PruningConfig.of(schedule));
        out.print(wrapped.summary());
        // The log lives beside the phase's backup, so that a resumed phase keeps the rows of its first part.
        Path pruningLog = resume.phase("pruning").resolve("pruning_log.csv");
        Trained pruning = trainPruned(wrapped, train, test, "pruning", pruningLog);
        Files.copy(pruningLog, dir.resolve("pruning_log.csv"));
        Sequential pruned = Pruning.strip(pruning.model());
        Path prunedFile = dir.resolve("pruned.safetensors");
        ModelFiles.save(pruned, prunedFile);
        SparsityReport sparsity = SparsityReport.of(pruned);
        out.print(sparsity);
        out.printf(Locale.ROOT, "Pruned test accuracy %.4f (loss %.4f), sparsity %.4f%n", pruning.evaluation().accuracy(),
                pruning.evaluation().loss(), sparsity.prunableSparsity());

        RuntimeMeasurements runtime = new RuntimeMeasurements(test, out, config.quick() ? 30_000_000L : 150_000_000L);
        ModelResult baseResult = runtime.measure("baseline", baseline, baseline.model(), baselineFile, dir);
        ModelResult prunedResult = runtime.measure("pruned", pruning, pruned, prunedFile, dir);

        List<SweepRow> sweepRows = new ArrayList<>();
        for (double s : config.sweep()) {
            sweepRows.add(sweepPoint(s, baseline, baseResult, baselineFile, train, test, runtime, dir));
        }

        Map<String, Object> top = new LinkedHashMap<>();
        top.put("model", config.model().id());
        top.put("parameters", initial.trainableCount() + initial.nonTrainableCount());
        top.put("learning_rate", baselineRate.toConfig());
        top.put("prune_learning_rate", pruneRate.toConfig());
        top.put("threads", config.threads());
        top.put("epochs", config.epochs());
        top.put("prune_epochs", config.pruneEpochs());
        top.put("train_images", train.size());
        top.put("test_images", test.size());
        top.put("data_source", data.source());
        top.put("data_is_sample", data.isSample());
        top.put("batch_size", config.batchSize());
        top.put("seed", config.seed());
        top.put("prune_from", config.pruneFromInitial() ? "initial" : "baseline");
        top.put("schedule", schedule.toString());
        top.put("kernels", Kernels.description());
        top.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        top.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        report.write(new ReportData(top, baseResult, prunedResult, baseline, pruning, schedule, sparsity,
                weights(baseline.model()), weights(pruned), sweepRows, initial.summary()));
    }

    private FashionMnist.Data loadData() throws IOException {
        if (config.dataDir() != null) {
            return FashionMnist.load(FashionMnist.Options.defaults().withDirectory(config.dataDir()));
        }
        return FashionMnist.loadOrSample();
    }

    private PruningSchedule schedule(int trainSize, double initialSparsity, double finalSparsity) {
        if (config.pruneFromInitial()) {
            return new PolynomialDecay(initialSparsity, finalSparsity, 0, TUTORIAL_END_STEP, 3, config.pruneFrequency());
        }
        double fraction = config.model().pruneEndFraction();
        if (fraction < 1) {
            long end = (long) (steps(trainSize, config.pruneEpochs()) * fraction) / config.pruneFrequency() * config.pruneFrequency();
            return new PolynomialDecay(initialSparsity, finalSparsity, 0, Math.max(config.pruneFrequency(), end), 3,
                    config.pruneFrequency());
        }
        return PolynomialDecay.overTraining(initialSparsity, finalSparsity, trainSize, config.batchSize(), config.pruneEpochs(),
                config.pruneFrequency());
    }

    /** Training steps of {@code epochs} epochs over {@code trainSize} images (the last batch may be short). */
    private long steps(int trainSize, int epochs) {
        return (long) ((trainSize + config.batchSize() - 1) / config.batchSize()) * epochs;
    }

    private static String describe(LearningRateSchedule rate) {
        return rate instanceof LearningRateSchedule.Constant c ? String.valueOf(c.value()) : rate.toConfig().toString();
    }

    /**
     * Trains with a fresh Adam at {@code rate} (as the tutorial recompiles before pruning), backed up into the
     * phase's directory; the backup is kept when the phase ends, so a resumed run skips a finished phase
     * (restoring its final state and History) and continues an unfinished one. {@code pruning} may be null.
     */
    private Trained train(Sequential model, Dataset train, Dataset test, int epochs, String phase, LearningRateSchedule rate,
                          Callback pruning) {
        Adam adam = new Adam(Adam.Options.defaults().withLearningRate(rate));
        Trainer trainer = new Trainer(model, adam, Loss.sparseCategoricalCrossentropy(false));
        BackupAndRestore backup = new BackupAndRestore(resume.phase(phase), false);
        if (Files.exists(backup.file())) {
            out.println("Restoring the " + phase + " phase from " + backup.file());
        }
        FitOptions options = FitOptions.defaults().withEpochs(epochs).withBatchSize(config.batchSize()).withValidation(test)
                .withShuffleSeed(config.seed()).withOut(out).withCallback(backup);
        if (pruning != null) {
            options = options.withCallback(pruning);
        }
        if (extra != null) {
            options = options.withCallback(extra);
        }
        History h = trainer.fit(train, options);
        return new Trained(model, h, trainer.evaluate(test, 256), mean(h.get("seconds")));
    }

    private Trained trainPruned(Sequential wrapped, Dataset train, Dataset test, String phase, Path csvLog) {
        return train(wrapped, train, test, config.pruneEpochs(), phase, pruneRate(train.size()), Pruning.callback(out, csvLog));
    }

    /** The pruning phase's learning rate over {@code --prune-epochs} epochs of {@code trainSize} images. */
    private LearningRateSchedule pruneRate(int trainSize) {
        return config.model().pruneRate(config.pruneLearningRate(), steps(trainSize, config.pruneEpochs()));
    }

    private SweepRow sweepPoint(double s, Trained baseline, ModelResult baseResult, Path baselineFile, Dataset train,
                                Dataset test, RuntimeMeasurements runtime, Path dir) throws IOException {
        if (s == 0) {
            return new SweepRow(0, baseResult);
        }
        out.printf(Locale.ROOT, "%n== Sweep: pruning the baseline to %.0f%%%n", s * 100);
        PruningSchedule schedule = schedule(train.size(), Math.min(config.initialSparsity(), s), s);
        Sequential wrapped = config.model().wrapForPruning(ModelFiles.load(baselineFile), PruningConfig.of(schedule));
        String tag = String.format(Locale.ROOT, "sweep-%02d", Math.round(s * 100));
        Trained t = trainPruned(wrapped, train, test, tag, null);
        Sequential stripped = Pruning.strip(t.model());
        Path file = dir.resolve(tag + ".safetensors");
        ModelFiles.save(stripped, file);
        ModelResult r = runtime.measure(tag, t, stripped, file, dir);
        Files.deleteIfExists(file);
        return new SweepRow(s, r);
    }

    /** One point of a sparsity sweep. */
    record SweepRow(double targetSparsity, ModelResult result) {
    }

    /** All prunable kernel values of a model, concatenated. */
    private static float[] weights(Sequential model) {
        int n = 0;
        for (Parameter p : model.parameters()) {
            n += p.prunable() ? p.size() : 0;
        }
        float[] all = new float[n];
        int at = 0;
        for (Parameter p : model.parameters()) {
            if (p.prunable()) {
                System.arraycopy(p.data(), 0, all, at, p.size());
                at += p.size();
            }
        }
        return all;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
