package dev.shears.train;

/** Thrown when the loss becomes NaN or infinite (Keras's TerminateOnNaN, but as an error). */
public class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final long step;

    public TrainingDivergedException(int epoch, long step, int stepInEpoch, double loss) {
        super("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (stepInEpoch + 1)
                + " (global step " + step + "); training stopped. Lower the learning rate or check the inputs for NaN.");
        this.epoch = epoch;
        this.step = step;
    }

    /** Epoch (0-based) in which the loss diverged. */
    public int epoch() {
        return epoch;
    }

    /** Global step at which the loss diverged. */
    public long step() {
        return step;
    }
}
