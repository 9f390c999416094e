package dev.shears.train;

import dev.shears.io.Json;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.optim.Optimizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state as a checkpoint stores it: one F32 tensor {@code optimizer/<slot>} per state array
 * (moments, the settable learning rate) and metadata {@code optimizer} = {@code {"name", "iterations",
 * "config"}}. Restoring it into an optimizer of the same kind continues training exactly.
 *
 * <pre>{@code OptimizerState.of(adam).addTo(tensors, metadata); ... OptimizerState.read(file, contents).restoreInto(adam2);}</pre>
 *
 * @param name       the optimizer's Keras name, e.g. "Adam"
 * @param iterations steps taken
 * @param slots      state arrays by name (copies)
 * @param config     hyperparameters, for the reader's information
 */
public record OptimizerState(String name, long iterations, Map<String, float[]> slots, Map<String, Object> config) {
    /** Prefix of the slot tensors in a checkpoint file. */
    public static final String TENSOR_PREFIX = "optimizer/";
    /** Metadata key of the name, step count and configuration. */
    public static final String METADATA_KEY = "optimizer";

    /** A copy of {@code optimizer}'s state now. */
    public static OptimizerState of(Optimizer optimizer) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        optimizer.slots().forEach((k, v) -> copy.put(k, v.clone()));
        return new OptimizerState(optimizer.name(), optimizer.iterations(), copy, optimizer.config());
    }

    /** Adds the slot tensors and the metadata entry to a checkpoint's maps. */
    public void addTo(Map<String, Safetensors.Entry> tensors, Map<String, String> metadata) {
        for (Map.Entry<String, float[]> e : slots.entrySet()) {
            tensors.put(TENSOR_PREFIX + e.getKey(), Safetensors.Entry.ofFloats(e.getValue(), e.getValue().length));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("iterations", iterations);
        meta.put("config", config);
        metadata.put(METADATA_KEY, Json.write(meta));
    }

    /**
     * The optimizer state stored in a checkpoint's contents, or null if it holds none.
     *
     * @throws ModelFormatException naming {@code file} if the metadata entry is malformed or a slot is not F32
     */
    public static OptimizerState read(Path file, Safetensors.Contents contents) throws ModelFormatException {
        String text = contents.metadata().get(METADATA_KEY);
        if (text == null) {
            return null;
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY, e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> opt) || !(opt.get("name") instanceof String name)
                || !(opt.get("iterations") instanceof Number iterations) || iterations.longValue() < 0) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY,
                    "needs a 'name' string and an 'iterations' number >= 0");
        }
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Entry> e : contents.tensors().entrySet()) {
            if (e.getKey().startsWith(TENSOR_PREFIX)) {
                if (e.getValue().dtype() != Safetensors.DType.F32) {
                    throw new ModelFormatException(file, e.getKey(), "expected an F32 tensor, got " + e.getValue().dtype());
                }
                slots.put(e.getKey().substring(TENSOR_PREFIX.length()), e.getValue().floats());
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        if (opt.get("config") instanceof Map<?, ?> c) {
            c.forEach((k, v) -> config.put(String.valueOf(k), v));
        }
        return new OptimizerState(name, iterations.longValue(), slots, config);
    }

    /**
     * Puts this state into {@code optimizer}.
     *
     * @throws IllegalArgumentException if the optimizer is of another kind than the one saved
     */
    public void restoreInto(Optimizer optimizer) {
        if (!name.equals(optimizer.name())) {
            throw new IllegalArgumentException("checkpoint holds optimizer state of " + name + ", cannot restore it into "
                    + optimizer.name());
        }
        optimizer.restore(iterations, slots);
    }
}
