package dev.shears.train;

import dev.shears.io.Safetensors;
import dev.shears.nn.Layer;
import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a model's whole training state goes into one safetensors file and back into the same live model:
 * weights and architecture ({@link dev.shears.io.ModelFiles} layout), the model's training step (dropout),
 * the optimizer's state ({@link OptimizerState}) and whatever state its layers keep beyond their weights.
 * {@link BackupAndRestore} saves through it. Models without such layer state use {@link #plain()}; a layer
 * that keeps more (pruning masks) names its format through {@link TrainingHook#checkpointFormat()}.
 *
 * <pre>{@code CheckpointFormat f = CheckpointFormat.of(model); f.save(model, adam, file, Map.of(), Map.of()); f.restore(model, adam, file);}</pre>
 */
public interface CheckpointFormat {
    /**
     * Writes the state atomically, with the caller's extra tensors and metadata entries.
     *
     * @param optimizer the optimizer whose state to save, or null for none
     * @throws IllegalArgumentException if the model is not one this format can save, or an extra name clashes
     */
    void save(Sequential model, Optimizer optimizer, Path file, Map<String, Safetensors.Entry> extraTensors,
              Map<String, String> extraMetadata) throws IOException;

    /**
     * Puts the state saved in {@code file} back into {@code model} and {@code optimizer} (both as built for
     * the run being resumed) and returns the file's contents, so the caller can read its extras.
     *
     * @param optimizer receives the saved optimizer state; null to skip it
     * @throws dev.shears.io.ModelFormatException naming the file and field if the file does not hold the state
     *                                            of this model (another architecture, optimizer or layer state)
     */
    Safetensors.Contents restore(Sequential model, Optimizer optimizer, Path file) throws IOException;

    /** The format for models whose layers keep no state beyond their weights. */
    static CheckpointFormat plain() {
        return PlainCheckpoint.INSTANCE;
    }

    /**
     * The format {@code model} needs: the one its {@link TrainingHook} layers name, else {@link #plain()}.
     *
     * @throws IllegalStateException if two layers name different formats
     */
    static CheckpointFormat of(Sequential model) {
        CheckpointFormat found = null;
        for (Layer l : model.layers()) {
            if (l instanceof TrainingHook hook && hook.checkpointFormat() != null) {
                if (found != null && found != hook.checkpointFormat()) {
                    throw new IllegalStateException("model " + model.name() + " mixes layers that need different "
                            + "checkpoint formats; BackupAndRestore cannot save it");
                }
                found = hook.checkpointFormat();
            }
        }
        return found != null ? found : plain();
    }
}
