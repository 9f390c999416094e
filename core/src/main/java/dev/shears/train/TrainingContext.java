package dev.shears.train;

import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;

/** What callbacks see of a running {@link Trainer#fit}: the model, the plan and the position. */
public final class TrainingContext {
    private final Sequential model;
    private final Optimizer optimizer;
    private final History history;
    private final int epochs;
    private int initialEpoch;
    private final int stepsPerEpoch;
    private final int batchSize;
    private final int trainSize;
    private long globalStep;
    private int epoch;
    private boolean stopRequested;
    private boolean started;

    TrainingContext(Sequential model, Optimizer optimizer, History history, int epochs, int initialEpoch,
                    int stepsPerEpoch, int batchSize, int trainSize, long globalStep) {
        this.model = model;
        this.optimizer = optimizer;
        this.history = history;
        this.epochs = epochs;
        this.initialEpoch = initialEpoch;
        this.stepsPerEpoch = stepsPerEpoch;
        this.batchSize = batchSize;
        this.trainSize = trainSize;
        this.globalStep = globalStep;
    }

    /** The model being trained. */
    public Sequential model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The history being filled. */
    public History history() {
        return history;
    }

    /** Total epochs of the plan (training runs epochs initialEpoch .. epochs-1). */
    public int epochs() {
        return epochs;
    }

    /** First epoch of this call (non-zero when resuming; set by {@link BackupAndRestore} when it restores). */
    public int initialEpoch() {
        return initialEpoch;
    }

    /** Batches per epoch: ceil(trainSize / batchSize). */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Number of training examples. */
    public int trainSize() {
        return trainSize;
    }

    /** Global step of the current (or next) batch, counted from 0 over all epochs. */
    public long globalStep() {
        return globalStep;
    }

    /** The current epoch (0-based). */
    public int epoch() {
        return epoch;
    }

    /** Total planned steps: epochs x stepsPerEpoch. */
    public long totalSteps() {
        return (long) epochs * stepsPerEpoch;
    }

    /**
     * Asks the trainer to stop, Keras's {@code model.stop_training = True}: called at an epoch's end, no
     * further epoch starts; called at a batch's end, the epoch ends after that batch (its logs and
     * onEpochEnd still come), then training ends with onTrainEnd.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Whether a callback asked to stop in this fit. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Moves the start of this fit to {@code epoch} (a restored backup's next epoch; {@code epochs} when the
     * backup holds a finished run, so that no epoch runs), with the global step at the epoch's first batch.
     *
     * @throws IllegalStateException if an epoch already started
     */
    void resumeAt(int epoch) {
        if (started) {
            throw new IllegalStateException("a fit can only be resumed before its first epoch begins");
        }
        if (epoch < 0 || epoch > epochs) {
            throw new IllegalArgumentException("resume epoch must be in [0, " + epochs + "], got " + epoch);
        }
        this.initialEpoch = epoch;
        this.globalStep = (long) epoch * stepsPerEpoch;
    }

    void setGlobalStep(long step) {
        this.globalStep = step;
    }

    void setEpoch(int epoch) {
        this.started = true;
        this.epoch = epoch;
    }
}
