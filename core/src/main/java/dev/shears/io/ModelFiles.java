package dev.shears.io;

import dev.shears.nn.ModelConfig;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads models as safetensors files. Each trainable parameter is one F32 tensor named as in
 * the model ({@code conv2d/kernel} with Keras's layout (kh, kw, in, out), {@code dense/kernel} (in, out),
 * biases (out)); {@code __metadata__} holds {@code format = shears}, {@code format_version = 1} and
 * {@code architecture}, the model's JSON config, so {@link #load} can rebuild the model.
 *
 * <pre>{@code ModelFiles.save(model, Path.of("model.safetensors")); Sequential m = ModelFiles.load(path);}</pre>
 */
public final class ModelFiles {
    /** Current version of the metadata layout. */
    public static final String FORMAT_VERSION = "1";

    private ModelFiles() {
    }

    /** Writes the model's weights and architecture atomically. */
    public static void save(Sequential model, Path file) throws IOException {
        save(model, file, Map.of(), Map.of());
    }

    /** As {@link #save(Sequential, Path)}, with extra tensors (e.g. optimizer state) and metadata entries. */
    public static void save(Sequential model, Path file, Map<String, Safetensors.Entry> extraTensors,
                            Map<String, String> extraMetadata) throws IOException {
        Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            tensors.put(p.name(), Safetensors.Entry.ofFloats(p.data(), p.value().shape()));
        }
        for (Map.Entry<String, Safetensors.Entry> e : extraTensors.entrySet()) {
            if (tensors.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("extra tensor '" + e.getKey() + "' clashes with a parameter name");
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "shears");
        meta.put("format_version", FORMAT_VERSION);
        meta.put("architecture", Json.write(ModelConfig.toConfig(model)));
        meta.putAll(extraMetadata);
        Safetensors.write(file, tensors, meta);
    }

    /** Rebuilds the model from the file's architecture and loads its weights. */
    public static Sequential load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String arch = c.metadata().get("architecture");
        if (arch == null) {
            throw new ModelFormatException(file, "__metadata__.architecture", "missing; this is a weights-only file: "
                    + "build the model in code and call ModelFiles.loadWeights");
        }
        Sequential model;
        try {
            model = ModelConfig.fromConfig((Map<?, ?>) Json.parse(arch));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ModelFormatException(file, "__metadata__.architecture", e.getMessage(), e);
        }
        copyWeights(model, c, file);
        return model;
    }

    /**
     * Loads weights into an existing model. Every parameter must be present with the same shape and dtype
     * F32; all differences are listed in one exception and the model is left unchanged.
     */
    public static void loadWeights(Sequential model, Path file) throws IOException {
        copyWeights(model, Safetensors.read(file), file);
    }

    /**
     * As {@link #loadWeights(Sequential, Path)}, from contents already read from {@code file} (named in errors),
     * for callers that read extra tensors from the same file.
     */
    public static void loadWeights(Sequential model, Safetensors.Contents contents, Path file) throws IOException {
        copyWeights(model, contents, file);
    }

    /** Reads a file's contents (weights and any extra tensors) for callers that stored more. */
    public static Safetensors.Contents read(Path file) throws IOException {
        return Safetensors.read(file);
    }

    private static void copyWeights(Sequential model, Safetensors.Contents c, Path file) throws ModelFormatException {
        List<String> problems = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            Safetensors.Entry e = c.tensors().get(p.name());
            if (e == null) {
                problems.add("missing tensor '" + p.name() + "' " + Arrays.toString(p.value().shape()));
            } else if (e.dtype() != Safetensors.DType.F32) {
                problems.add("tensor '" + p.name() + "' has dtype " + e.dtype() + ", expected F32");
            } else if (!Arrays.equals(e.shape(), p.value().shape())) {
                problems.add("tensor '" + p.name() + "' has shape " + Arrays.toString(e.shape()) + ", model expects "
                        + Arrays.toString(p.value().shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(file, "tensors", "does not match model " + model.name() + ": "
                    + String.join("; ", problems));
        }
        for (Parameter p : model.parameters()) {
            float[] v = c.tensors().get(p.name()).floats();
            System.arraycopy(v, 0, p.data(), 0, v.length);
        }
    }
}
