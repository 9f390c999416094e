package dev.shears.train;

/**
 * Implemented by a layer that needs a callback whenever its model is trained (pruning wrappers advance
 * their step and re-apply masks this way). {@link Trainer#fit} adds the hook's callback by itself, first
 * in line, unless the caller already passed a callback of the same class. A layer whose training state goes
 * beyond its weights also names the {@link CheckpointFormat} that saves it, for {@link BackupAndRestore}.
 */
public interface TrainingHook {
    /** A fresh callback for one {@code fit} call. */
    Callback trainingCallback();

    /** The format that saves the whole model with this layer's state, or null if the plain one does. */
    default CheckpointFormat checkpointFormat() {
        return null;
    }
}
