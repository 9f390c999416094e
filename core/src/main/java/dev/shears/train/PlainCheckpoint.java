package dev.shears.train;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link CheckpointFormat#plain()}: a {@link ModelFiles} file plus metadata {@code training_step} and the
 * {@link OptimizerState} entries. Restoring checks that the file's architecture is the model's, so a backup
 * of another model is refused rather than half loaded.
 */
final class PlainCheckpoint implements CheckpointFormat {
    static final PlainCheckpoint INSTANCE = new PlainCheckpoint();
    /** Metadata key of the model's training step. */
    static final String TRAINING_STEP = "training_step";

    private PlainCheckpoint() {
    }

    @Override
    public void save(Sequential model, Optimizer optimizer, Path file, Map<String, Safetensors.Entry> extraTensors,
                     Map<String, String> extraMetadata) throws IOException {
        Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(TRAINING_STEP, Long.toString(model.trainingStep()));
        if (optimizer != null) {
            OptimizerState.of(optimizer).addTo(tensors, meta);
        }
        for (Map.Entry<String, Safetensors.Entry> e : extraTensors.entrySet()) {
            if (tensors.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("extra tensor '" + e.getKey() + "' clashes with the optimizer state");
            }
        }
        meta.putAll(extraMetadata);
        ModelFiles.save(model, file, tensors, meta);
    }

    @Override
    public Safetensors.Contents restore(Sequential model, Optimizer optimizer, Path file) throws IOException {
        Safetensors.Contents c = ModelFiles.read(file);
        String arch = c.metadata().get("architecture");
        String expected = Json.write(ModelConfig.toConfig(model));
        if (!expected.equals(arch)) {
            throw new ModelFormatException(file, "__metadata__.architecture", arch == null ? "missing"
                    : "is not that of the model " + model.name() + " being trained (file vs model) "
                    + Json.firstDifference(arch, expected));
        }
        long step;
        try {
            step = Long.parseLong(c.metadata().getOrDefault(TRAINING_STEP, "0"));
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file, "__metadata__." + TRAINING_STEP, "expected an integer", e);
        }
        if (step < 0) {
            throw new ModelFormatException(file, "__metadata__." + TRAINING_STEP, "expected >= 0, got " + step);
        }
        OptimizerState saved = OptimizerState.read(file, c);
        if (optimizer != null) {
            if (saved == null) {
                throw new ModelFormatException(file, "__metadata__." + OptimizerState.METADATA_KEY, "missing; the file "
                        + "holds no optimizer state to resume " + optimizer.name() + " from");
            }
            if (!saved.name().equals(optimizer.name())) {
                throw new ModelFormatException(file, "__metadata__." + OptimizerState.METADATA_KEY, "holds the state "
                        + "of " + saved.name() + ", but the run uses " + optimizer.name());
            }
        }
        ModelFiles.loadWeights(model, c, file);
        model.setTrainingStep(step);
        if (optimizer != null) {
            saved.restoreInto(optimizer);
        }
        return c;
    }
}
