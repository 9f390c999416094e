package dev.shears.train;

import dev.shears.data.Dataset;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.ops.Ops;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.GradMode;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Shapes;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keras's {@code compile} + {@code fit} + {@code evaluate} for a {@link Sequential} model: a model, an
 * optimizer and a loss, and the training loop with callbacks. As in Keras, the loss that is differentiated
 * and reported (training "loss", "val_loss" and {@link #evaluate}) includes the layers' weight penalties
 * ({@link Sequential#regularizationLosses}); a callback stops training with
 * {@link TrainingContext#requestStop()} (Keras's {@code model.stop_training = True}).
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(model, new Adam(), Loss.sparseCategoricalCrossentropy(false));
 * History h = trainer.fit(train, 10, 64, test);
 * }</pre>
 */
public final class Trainer {
    private final Sequential model;
    private final Optimizer optimizer;
    private final Loss loss;

    /** Binds model, optimizer and loss (Keras's compile). */
    /** The arrays of one step's tensors, reused by the next step (and by evaluation batches). */
    private final BufferPool buffers = new BufferPool();
    private boolean reuseBuffers = true;

    public Trainer(Sequential model, Optimizer optimizer, Loss loss) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.loss = Objects.requireNonNull(loss, "loss");
    }

    /** Shorthand for {@link #fit(Dataset, FitOptions)} with shuffle seed 0 and progress output. */
    public History fit(Dataset train, int epochs, int batchSize, Dataset validation, Callback... callbacks) {
        return fit(train, FitOptions.defaults().withEpochs(epochs).withBatchSize(batchSize).withValidation(validation)
                .withCallbacks(List.of(callbacks)));
    }

    /**
     * Trains for epochs {@code initialEpoch .. epochs-1}, shuffling each epoch with a seed derived from
     * (shuffleSeed, epoch), so a resumed run sees the same order as an uninterrupted one. With a
     * {@link BackupAndRestore} callback whose directory holds a backup, the saved state is restored first
     * and training starts at the epoch after the saved one instead of at initialEpoch. With a validation
     * split, the last part of {@code data} (before shuffling) is held out, as Keras's validation_split. After
     * each epoch the callbacks get the logs (they may add entries, as Keras's ReduceLROnPlateau adds
     * learning_rate), then the History records them. Training stops after the epoch (or batch) in which a
     * callback called {@link TrainingContext#requestStop()}; the logs of a cut epoch average the batches run.
     *
     * <p>A NaN or infinite training loss ends the fit with a {@link TrainingDivergedException} naming the
     * epoch, the step and the batch's examples. A NaN or infinite validation loss does not: it is printed as
     * a warning (when verbose) and listed in {@link History#nonFiniteValidationEpochs()}.
     *
     * @throws ShapeMismatchException      if the data's example shape is not the model's input shape, or the
     *                                     model has fewer outputs than the data has classes
     * @throws IllegalArgumentException    if the data is empty or too small for the validation split, or the
     *                                     options do not fit together ({@link FitOptions#validate()})
     * @throws TrainingDivergedException   if the training loss becomes NaN or infinite
     */
    public History fit(Dataset data, FitOptions options) {
        options.validate();
        checkData(data, "training");
        if (options.validation() != null) {
            checkData(options.validation(), "validation");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("training data set is empty");
        }
        Dataset train = data;
        Dataset validation = options.validation();
        if (options.validationSplit() > 0) {
            Dataset[] parts = holdOut(data, options.validationSplit());
            train = parts[0];
            validation = parts[1];
        }
        int batchSize = options.batchSize();
        int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
        History history = new History();
        List<Callback> callbacks = withHookCallbacks(options.callbacks());
        if (options.verbose()) {
            callbacks.add(0, new ProgressLogger(options.out(), System.console() != null));
        }
        // A backup is restored before any other callback looks at the position, and written after all
        // of them changed what they change at an epoch's end (see BackupAndRestore).
        List<Callback> backups = new ArrayList<>();
        for (Callback c : callbacks) {
            if (c instanceof BackupAndRestore) {
                backups.add(c);
            }
        }
        callbacks.removeAll(backups);
        long startStep = (long) options.initialEpoch() * stepsPerEpoch;
        TrainingContext ctx = new TrainingContext(model, optimizer, history, options.epochs(), options.initialEpoch(),
                stepsPerEpoch, batchSize, train.size(), startStep);
        backups.forEach(c -> c.onTrainBegin(ctx));
        callbacks.forEach(c -> c.onTrainBegin(ctx));
        Batches batches = new Batches(train, batchSize, options.shuffleSeed());
        for (int epoch = ctx.initialEpoch(); epoch < options.epochs() && !ctx.stopRequested(); epoch++) {
            ctx.setEpoch(epoch);
            int e = epoch;
            callbacks.forEach(c -> c.onEpochBegin(ctx, e));
            Map<String, Double> logs = trainEpoch(ctx, batches, epoch, callbacks);
            if (validation != null) {
                Evaluation v = evaluate(validation, Math.max(batchSize, 256));
                logs.put("val_loss", v.loss());
                logs.put("val_accuracy", v.accuracy());
                if (!Double.isFinite(v.loss())) {
                    recordNonFiniteValidation(history, epoch, v.loss());
                }
            }
            callbacks.forEach(c -> c.onEpochEnd(ctx, e, logs));
            backups.forEach(c -> c.onEpochEnd(ctx, e, logs));
            history.addEpoch(logs);
            if (options.verbose() && !Double.isFinite(logs.getOrDefault("val_loss", 0.0))) {
                // printed after the progress line, which a live terminal rewrites until onEpochEnd
                options.out().println("WARNING: val_loss is " + logs.get("val_loss") + " after epoch " + (epoch + 1)
                        + "; training goes on (History.nonFiniteValidationEpochs() lists such epochs); check the "
                        + "validation data with Dataset.checkFinite");
            }
        }
        callbacks.forEach(c -> c.onTrainEnd(ctx));
        backups.forEach(c -> c.onTrainEnd(ctx));
        return history;
    }

    /** The training set, the batch size and the shuffle seed, with batch buffers allocated once per fit. */
    private record Batches(Dataset train, int batchSize, long shuffleSeed, float[] x, int[] y) {
        Batches(Dataset train, int batchSize, long shuffleSeed) {
            this(train, batchSize, shuffleSeed, new float[batchSize * train.featureSize()], new int[batchSize]);
        }
    }

    /** Runs one epoch's batches (or fewer, when a callback asks to stop); its logs: loss, accuracy, seconds. */
    private Map<String, Double> trainEpoch(TrainingContext ctx, Batches b, int epoch, List<Callback> callbacks) {
        long t0 = System.nanoTime();
        Dataset train = b.train();
        int inSize = train.featureSize();
        Dataset order = train.shuffle(epochSeed(b.shuffleSeed(), epoch));
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        for (int s = 0; s < ctx.stepsPerEpoch(); s++) {
            long step = ctx.globalStep();
            callbacks.forEach(c -> c.onBatchBegin(ctx, step));
            int start = s * b.batchSize();
            int n = Math.min(b.batchSize(), train.size() - start);
            order.gather(start, n, b.x(), b.y());
            int[] labels = n == b.batchSize() ? b.y() : Arrays.copyOf(b.y(), n);
            float[] x = n == b.batchSize() ? b.x() : Arrays.copyOf(b.x(), n * inSize);
            StepResult r = trainStep(x, labels, n);
            if (!Double.isFinite(r.loss)) {
                int[] examples = Arrays.copyOfRange(Dataset.permutation(train.size(), epochSeed(b.shuffleSeed(), epoch)),
                        start, start + n);
                throw new TrainingDivergedException(epoch, step, s, r.loss, examples);
            }
            lossSum += r.loss * n;
            correct += r.correct;
            seen += n;
            ctx.setGlobalStep(step + 1);
            double batchAcc = (double) r.correct / n;
            callbacks.forEach(c -> c.onBatchEnd(ctx, step, r.loss, batchAcc));
            if (ctx.stopRequested()) {
                break;
            }
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", lossSum / seen);
        logs.put("accuracy", (double) correct / seen);
        logs.put("seconds", (System.nanoTime() - t0) / 1e9);
        return logs;
    }

    /**
     * The shuffle seed of one epoch: a function of (shuffleSeed, epoch) only, so that a run resumed at
     * epoch k shuffles epochs k, k+1, ... exactly as an uninterrupted run does.
     */
    static long epochSeed(long shuffleSeed, int epoch) {
        return shuffleSeed * 1_000_003L + epoch;
    }

    /**
     * A NaN or infinite validation loss does not stop training, as in Keras (the training loss is finite,
     * so the fault is more likely in the validation data): it is recorded in the History (before the
     * callbacks see the epoch, so a backup holds it) and, with progress output on, printed as a warning.
     */
    private static void recordNonFiniteValidation(History history, int epoch, double valLoss) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("epoch", epoch);
        r.put("val_loss", Double.toString(valLoss));
        history.addRecord(History.NON_FINITE_VALIDATION, r);
    }

    /**
     * Keras's train_validation_split: examples {@code [0, floor(n·(1-f)))} train, the rest validate.
     *
     * @throws IllegalArgumentException if either part would be empty
     */
    static Dataset[] holdOut(Dataset data, double fraction) {
        int n = data.size();
        int splitAt = (int) Math.floor(n * (1.0 - fraction));
        if (splitAt == 0 || splitAt == n) {
            throw new IllegalArgumentException("training data has " + n + " examples, too few to split off a "
                    + "validation set with validationSplit " + fraction + "; use more data or another fraction");
        }
        return new Dataset[] {data.slice(0, splitAt), data.slice(splitAt, n)};
    }

    /** The caller's callbacks, preceded by those that layers ask for (one per class, unless given). */
    private List<Callback> withHookCallbacks(List<Callback> given) {
        List<Callback> hooks = new ArrayList<>();
        for (dev.shears.nn.Layer layer : model.layers()) {
            if (layer instanceof TrainingHook hook) {
                Callback cb = hook.trainingCallback();
                boolean present = false;
                for (Callback c : given) {
                    present |= c.getClass() == cb.getClass();
                }
                for (Callback c : hooks) {
                    present |= c.getClass() == cb.getClass();
                }
                if (!present) {
                    hooks.add(cb);
                }
            }
        }
        hooks.addAll(given);
        return hooks;
    }

    private record StepResult(double loss, int correct) {
    }

    /**
     * One forward/backward/update on a batch; gradients are zeroed afterwards. Every tensor of the step
     * comes from {@link #buffers} and goes back to it at the end (see {@link BufferPool}).
     */
    private StepResult trainStep(float[] x, int[] labels, int n) {
        try (BufferPool.Scope scope = reuseBuffers ? buffers.open() : null) {
            Tensor input = Tensor.of(x, Shapes.prepend(n, model.inputShape()));
            Tensor out = model.forward(input, true);
            Tensor l = withPenalties(loss.compute(out, labels));
            int correct = countCorrect(out.data(), labels, n, out.size() / n);
            double value = l.item();
            if (Double.isFinite(value)) {
                l.backward();
                List<Parameter> params = model.parameters();
                optimizer.step(params);
                for (Parameter p : params) {
                    p.value().zeroGrad();
                }
            }
            return new StepResult(value, correct);
        }
    }

    /**
     * One training step on one batch, as {@link #fit} runs it (Keras's {@code train_on_batch}): forward,
     * loss with the weight penalties, backward, the optimizer's update, gradients zeroed. No callbacks run, so
     * a pruned model's masks are not updated here (its wrappers still apply the masks they have).
     *
     * @param x      {@code n} examples, {@code (n, inputShape...)} flattened
     * @param labels the {@code n} class labels
     * @return the batch's loss; NaN or infinite when it diverged, in which case no update is made
     * @throws ShapeMismatchException if x or labels do not hold n examples
     */
    public double trainOnBatch(float[] x, int[] labels, int n) {
        long inSize = Shapes.size(model.inputShape());
        if (n <= 0 || x.length != n * inSize || labels.length != n) {
            throw new ShapeMismatchException("trainOnBatch: " + x.length + " values and " + labels.length + " labels are not "
                    + n + " examples of shape " + Arrays.toString(model.inputShape()));
        }
        return trainStep(x, labels, n).loss();
    }

    /**
     * Whether steps reuse their tensors' arrays (true, the default; see {@link BufferPool}). The results are
     * the same either way (tested bit for bit); off, every step allocates its tensors anew, which a custom
     * layer that keeps a tensor from one forward pass for the next would need, and which the benchmarks
     * compare against.
     */
    public void reuseBuffers(boolean reuse) {
        this.reuseBuffers = reuse;
    }

    /** The loss plus every weight penalty, as Keras's compute_loss adds {@code model.losses}. */
    private Tensor withPenalties(Tensor dataLoss) {
        Tensor total = dataLoss;
        for (Tensor penalty : model.regularizationLosses()) {
            total = Ops.add(total, penalty);
        }
        return total;
    }

    /**
     * Mean loss and accuracy over {@code data}, without recording a graph and with dropout off. The loss
     * includes the weight penalties at the current weights, as Keras's evaluate reports it.
     */
    public Evaluation evaluate(Dataset data, int batchSize) {
        checkData(data, "evaluation");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        int inSize = data.featureSize();
        double lossSum = 0;
        long correct = 0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            float[] xBuf = new float[batchSize * inSize];
            int[] yBuf = new int[batchSize];
            for (int start = 0; start < data.size(); start += batchSize) {
                int n = Math.min(batchSize, data.size() - start);
                data.gather(start, n, xBuf, yBuf);
                float[] x = n == batchSize ? xBuf : Arrays.copyOf(xBuf, n * inSize);
                int[] labels = n == batchSize ? yBuf : Arrays.copyOf(yBuf, n);
                try (BufferPool.Scope scope = reuseBuffers ? buffers.open() : null) {
                    Tensor out = model.forward(Tensor.of(x, Shapes.prepend(n, model.inputShape())), false);
                    lossSum += loss.compute(out, labels).item() * n;
                    correct += countCorrect(out.data(), labels, n, out.size() / n);
                }
            }
            for (Tensor penalty : model.regularizationLosses()) {
                lossSum += (double) penalty.item() * data.size();
            }
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), data.size());
    }

    /** Index of the largest value in each row; ties go to the lowest index. */
    public static int[] argmaxRows(float[] scores, int rows, int cols) {
        return dev.shears.kernels.Elementwise.argmaxRows(scores, rows, cols);
    }

    private static int countCorrect(float[] scores, int[] labels, int n, int classes) {
        int[] pred = argmaxRows(scores, n, classes);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (pred[i] == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    private void checkData(Dataset data, String what) {
        if (!Arrays.equals(data.featureShape(), model.inputShape())) {
            throw new ShapeMismatchException(what + " examples vs model " + model.name() + " input",
                    model.inputShape(), data.featureShape());
        }
        int[] outShape = model.outputShape();
        if (outShape.length != 1 || outShape[0] < data.numClasses()) {
            throw new ShapeMismatchException(what + " data has " + data.numClasses() + " classes but model "
                    + model.name() + " outputs " + Arrays.toString(outShape));
        }
    }

    /** The model. */
    public Sequential model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loss. */
    public Loss loss() {
        return loss;
    }
}
