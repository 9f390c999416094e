package dev.shears.train;

import java.util.StringJoiner;

/**
 * Thrown when the training loss becomes NaN or infinite (Keras's TerminateOnNaN, but as an error). It names
 * the epoch, the step and the examples of the batch that produced the loss, so the culprit can be looked at.
 */
public class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** How many example indices the one-line message lists. */
    static final int INDICES_SHOWN = 8;

    private final int epoch;
    private final long step;
    private final int[] exampleIndices;

    /**
     * @param epoch          the epoch (0-based)
     * @param step           the global step
     * @param stepInEpoch    the step within the epoch (0-based)
     * @param loss           the non-finite loss
     * @param exampleIndices the batch's examples as positions in the training data given to fit, in batch order
     */
    public TrainingDivergedException(int epoch, long step, int stepInEpoch, double loss, int[] exampleIndices) {
        super("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (stepInEpoch + 1)
                + " (global step " + step + ") on a batch of " + exampleIndices.length + " examples "
                + shown(exampleIndices) + "; training stopped. Lower the learning rate or check the inputs "
                + "(Dataset.checkFinite).");
        this.epoch = epoch;
        this.step = step;
        this.exampleIndices = exampleIndices.clone();
    }

    /** "[3, 17, ...] (training data indices, first 8 of 64)": the message stays one line for any batch size. */
    private static String shown(int[] indices) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (int i = 0; i < Math.min(INDICES_SHOWN, indices.length); i++) {
            j.add(Integer.toString(indices[i]));
        }
        String which = indices.length > INDICES_SHOWN ? ", first " + INDICES_SHOWN + " of " + indices.length : "";
        return j + " (training data indices" + which + ")";
    }

    /** Epoch (0-based) in which the loss diverged. */
    public int epoch() {
        return epoch;
    }

    /** Global step at which the loss diverged. */
    public long step() {
        return step;
    }

    /**
     * The examples of the diverged batch, in batch order, as positions in the training data given to
     * {@link Trainer#fit} (after shuffling: the examples the batch really held); a copy.
     */
    public int[] exampleIndices() {
        return exampleIndices.clone();
    }
}
