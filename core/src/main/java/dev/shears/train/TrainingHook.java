package dev.shears.train;

/**
 * Implemented by a layer that needs a callback whenever its model is trained (pruning wrappers advance
 * their step and re-apply masks this way). {@link Trainer#fit} adds the hook's callback by itself, first
 * in line, unless the caller already passed a callback of the same class.
 */
public interface TrainingHook {
    /** A fresh callback for one {@code fit} call. */
    Callback trainingCallback();
}
