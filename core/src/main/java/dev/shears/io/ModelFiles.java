package dev.shears.io;

import dev.shears.nn.LayerRegistry;
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
 * biases (out), {@code batch_normalization/gamma} and {@code /beta}), followed by the non-trainable state
 * ({@link Sequential#state()}: {@code batch_normalization/moving_mean} and {@code /moving_variance});
 * {@code __metadata__} holds {@code format = shears}, {@code format_version = 1} and
 * {@code architecture}, the model's JSON config, so {@link #load} can rebuild the model, and
 * {@link Safetensors#CHECKSUM_KEY}, the CRC32C of the weights, verified on every read.
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
        for (Parameter p : saved(model)) {
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

    /**
     * Rebuilds the model from the file's architecture and loads its weights. The architecture is parsed
     * strictly ({@link ModelConfig#parse}) and every parameter and state variable it will create is checked against the tensors
     * in the file (name, dtype F32, shape) before any weight is allocated. Weights are not checked for NaN
     * or infinities: call {@link #checkFinite} for that (the {@code shears} command line does).
     *
     * @throws ModelFormatException naming the file and the field for any damaged or inconsistent file
     */
    public static Sequential load(Path file) throws IOException {
        return fromContents(Safetensors.read(file), file);
    }

    /**
     * As {@link #load(Path)}, rebuilding the custom layer types of {@code layers} as well.
     *
     * @throws ModelFormatException naming the file and the field for any damaged or inconsistent file, an
     *                              unregistered layer type, or a config a custom layer's factory refused
     */
    public static Sequential load(Path file, LayerRegistry layers) throws IOException {
        return fromContents(Safetensors.read(file), file, layers);
    }

    /**
     * As {@link #load}, for contents already read (e.g. by a caller that also reads its extra tensors and
     * metadata); {@code file} names the source in errors.
     */
    public static Sequential fromContents(Safetensors.Contents c, Path file) throws ModelFormatException {
        return fromContents(c, file, LayerRegistry.builtIn());
    }

    /** As {@link #fromContents(Safetensors.Contents, Path)}, with the custom layer types of {@code layers}. */
    public static Sequential fromContents(Safetensors.Contents c, Path file, LayerRegistry layers) throws ModelFormatException {
        String version = c.metadata().get("format_version");
        if (version != null && !version.equals(FORMAT_VERSION)) {
            throw new ModelFormatException(file, "__metadata__.format_version", "is '" + version + "', this reader supports only "
                    + FORMAT_VERSION);
        }
        String arch = c.metadata().get("architecture");
        if (arch == null) {
            throw new ModelFormatException(file, "__metadata__.architecture", "missing; this is a weights-only file: "
                    + "build the model in code and call ModelFiles.loadWeights");
        }
        ModelConfig.Architecture a;
        try {
            if (!(Json.parse(arch) instanceof Map<?, ?> config)) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            a = ModelConfig.parse(config, layers);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__.architecture", e.getMessage(), e);
        }
        checkTensors(a.savedShapes(), c, file, "architecture " + a.name());
        Sequential model = a.build();
        copyWeights(model, c);
        return model;
    }

    /**
     * Loads weights into an existing model. Every parameter and state variable must be present with the same
     * shape and dtype F32; all differences are listed in one exception and the model is left unchanged.
     */
    public static void loadWeights(Sequential model, Path file) throws IOException {
        loadWeights(model, Safetensors.read(file), file);
    }

    private static void checkAndCopy(Sequential model, Safetensors.Contents c, Path file) throws ModelFormatException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Parameter p : saved(model)) {
            shapes.put(p.name(), p.value().shape());
        }
        checkTensors(shapes, c, file, "model " + model.name());
        copyWeights(model, c);
    }

    /**
     * Checks that no weight or state variable (moving statistics) of {@code model} is NaN or infinite; {@code file}
     * names the source in the error.
     *
     * @throws ModelFormatException naming the file, the first parameter with such a value, its index and value
     */
    public static void checkFinite(Sequential model, Path file) throws ModelFormatException {
        for (Parameter p : saved(model)) {
            float[] v = p.data();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFormatException(file, p.name(), "value " + i + " is " + v[i] + ", expected finite weights");
                }
            }
        }
    }

    /**
     * As {@link #loadWeights(Sequential, Path)}, from contents already read from {@code file} (named in errors),
     * for callers that read extra tensors from the same file.
     */
    public static void loadWeights(Sequential model, Safetensors.Contents contents, Path file) throws IOException {
        checkAndCopy(model, contents, file);
    }

    /** Reads a file's contents (weights and any extra tensors) for callers that stored more. */
    public static Safetensors.Contents read(Path file) throws IOException {
        return Safetensors.read(file);
    }

    /** What a file holds for a model: its trainable parameters, then its non-trainable state. */
    private static List<Parameter> saved(Sequential model) {
        List<Parameter> all = new ArrayList<>(model.parameters());
        all.addAll(model.state());
        return all;
    }

    /** Checks that each expected tensor is an F32 tensor of its shape in {@code c}; lists every difference. */
    private static void checkTensors(Map<String, int[]> expected, Safetensors.Contents c, Path file, String what)
            throws ModelFormatException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, int[]> p : expected.entrySet()) {
            Safetensors.Entry e = c.tensors().get(p.getKey());
            if (e == null) {
                problems.add("missing tensor '" + p.getKey() + "' " + Arrays.toString(p.getValue()));
            } else if (e.dtype() != Safetensors.DType.F32) {
                problems.add("tensor '" + p.getKey() + "' has dtype " + e.dtype() + ", expected F32");
            } else if (!Arrays.equals(e.shape(), p.getValue())) {
                problems.add("tensor '" + p.getKey() + "' has shape " + Arrays.toString(e.shape()) + ", model expects "
                        + Arrays.toString(p.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(file, "tensors", "does not match " + what + ": " + String.join("; ", problems));
        }
    }

    /** Copies the (checked) tensors into the model's parameters and state. */
    private static void copyWeights(Sequential model, Safetensors.Contents c) {
        for (Parameter p : saved(model)) {
            float[] v = c.tensors().get(p.name()).floats();
            System.arraycopy(v, 0, p.data(), 0, v.length);
        }
    }
}
