package dev.shears.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}; every method has an empty default. Order per batch:
 * {@code onBatchBegin}, forward/backward, optimizer step, {@code onBatchEnd}. Steps are global (counted
 * over all epochs from 0, continuing across resumed runs). A callback stops training with
 * {@link TrainingContext#requestStop()}. Callbacks run in list order, except {@link BackupAndRestore}:
 * its {@code onTrainBegin} runs before all others (so they see the restored position) and its
 * {@code onEpochEnd} and {@code onTrainEnd} after all others.
 */
public interface Callback {
    /** Before the first epoch. */
    default void onTrainBegin(TrainingContext ctx) {
    }

    /** Before each epoch (0-based). */
    default void onEpochBegin(TrainingContext ctx, int epoch) {
    }

    /** Before the forward pass of global step {@code step}. */
    default void onBatchBegin(TrainingContext ctx, long step) {
    }

    /** After the optimizer step of global step {@code step}, with the batch's loss and accuracy. */
    default void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
    }

    /**
     * After each epoch with its logs (loss, accuracy, val_loss, val_accuracy, seconds). The map is mutable
     * and shared along the callback list: a callback may add entries (ReduceLROnPlateau adds learning_rate,
     * as in Keras), which later callbacks and the History (filled after all callbacks) see.
     */
    default void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
    }

    /** After the last epoch, also when training stops early. */
    default void onTrainEnd(TrainingContext ctx) {
    }
}
