package dev.shears.interop;

import dev.shears.io.Json;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Sequential;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Keras models into Shears: the Keras 3 {@code .keras} zip ({@code config.json} + {@code model.weights.h5}),
 * the legacy TF 2.x full-model {@code .h5} ({@code model_config} attribute + {@code model_weights/...}), and
 * weights-only {@code .weights.h5} (Keras 3) or legacy {@code .h5} files for a model built in code. Layer
 * names, hyperparameters and weight layouts carry over one to one; a layer Shears does not have is
 * refused by name with the list of supported ones, and nothing is half-built.
 *
 * <pre>{@code
 * Sequential model = KerasModels.load(Path.of("model.keras"));
 * KerasModels.loadWeights(myModel, Path.of("initial_weights.h5"));   // model.load_weights(...)
 * }</pre>
 *
 * Shears does not write Keras files; export to ONNX ({@link Onnx#export}) to leave Shears.
 */
public final class KerasModels {
    /** Largest {@code config.json} read, in bytes. */
    static final long MAX_CONFIG_BYTES = 64L << 20;
    /** Largest {@code model.weights.h5} read from a zip, in bytes (it is read into one array). */
    static final long MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 8;

    private KerasModels() {
    }

    /**
     * Reads a Keras 3 {@code .keras} file or a legacy TF 2.x full-model {@code .h5}, with its weights.
     *
     * @throws ModelFormatException naming the file and the field for anything unreadable or unsupported,
     *                              and for a weights-only file (use {@link #loadWeights})
     */
    public static Sequential load(Path file) throws IOException {
        if (ModelFormat.detect(file) == ModelFormat.KERAS) {
            return loadZip(file);
        }
        try (HdfFile h5 = open(file)) {
            Attribute config = h5.getAttribute("model_config");
            if (config == null) {
                throw new ModelFormatException(file, "model_config", "missing: this is a weights-only file; build the model in code "
                        + "and call KerasModels.loadWeights(model, file)");
            }
            if (!(config.getData() instanceof String json)) {
                throw new ModelFormatException(file, "model_config", "expected a JSON string attribute");
            }
            return build(parseJson(json, file, "model_config"), file, "model_config", h5);
        } catch (RuntimeException e) {
            throw hdf5Error(file, e);
        }
    }

    /**
     * Fills {@code model}'s Conv2D and Dense layers from a Keras 3 {@code .weights.h5} or a legacy {@code .h5}
     * (weights-only or full model), like Keras's {@code model.load_weights(file)}. The model is unchanged
     * unless every layer fits.
     *
     * @throws ModelFormatException listing every missing layer and shape difference
     */
    public static void loadWeights(Sequential model, Path file) throws IOException {
        if (ModelFormat.detect(file) == ModelFormat.KERAS) {
            throw new ModelFormatException(file, "format", "a .keras file holds a whole model: use KerasModels.load");
        }
        try (HdfFile h5 = open(file)) {
            KerasWeights.of(h5, file).copyInto(model);
        } catch (RuntimeException e) {
            throw hdf5Error(file, e);
        }
    }

    private static Sequential loadZip(Path file) throws IOException {
        ZipFile opened;
        try {
            opened = new ZipFile(file.toFile());
        } catch (java.io.FileNotFoundException e) {
            throw e;
        } catch (IOException e) {
            // ZipException, or an EOFException for a file too short to hold a zip's directory.
            throw new ModelFormatException(file, "zip", "not a readable .keras zip: " + e, e);
        }
        try (ZipFile zip = opened) {
            String config = new String(entry(zip, "config.json", MAX_CONFIG_BYTES, file), StandardCharsets.UTF_8);
            byte[] weights = entry(zip, "model.weights.h5", MAX_WEIGHTS_BYTES, file);
            try (HdfFile h5 = HdfFile.fromBytes(weights)) {
                return build(parseJson(config, file, "config.json"), file, "config.json", h5);
            } catch (RuntimeException e) {
                throw hdf5Error(file, e);
            }
        }
    }

    /** The architecture is checked first, so an unsupported layer is reported before any weight is read. */
    private static Sequential build(Object config, Path file, String source, HdfFile h5) throws ModelFormatException {
        KerasConfig.Parsed parsed = KerasConfig.parse(config, file, source);
        // Keras stores float32 weights uncompressed, so the file bounds what the architecture may claim.
        long maxValues = Math.max(h5.size() / 4, 1 << 16);
        Sequential model = parsed.plan().build(parsed.inputShape(), maxValues, file);
        KerasWeights.of(h5, file).copyInto(model);
        return model;
    }

    private static byte[] entry(ZipFile zip, String name, long max, Path file) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new ModelFormatException(file, name, "missing from the .keras zip");
        }
        try (InputStream in = zip.getInputStream(e)) {
            // The entry's declared size is not trusted: read at most max + 1 bytes and check.
            byte[] bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > max) {
                throw new ModelFormatException(file, name, "larger than " + max + " bytes");
            }
            return bytes;
        } catch (ModelFormatException ex) {
            throw ex;
        } catch (IOException ex) {
            // A damaged zip entry (bad deflate data, early end) is a damaged file, not an I/O failure.
            throw new ModelFormatException(file, name, "cannot be read from the .keras zip: " + ex, ex);
        }
    }

    private static Object parseJson(String json, Path file, String field) throws ModelFormatException {
        try {
            return Json.parse(json);
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, field, "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static HdfFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        try {
            return new HdfFile(file);
        } catch (RuntimeException e) {
            throw hdf5Error(file, e);
        }
    }

    /**
     * jhdf reports damaged files with unchecked exceptions from deep inside; every call into it is wrapped
     * so that a caller sees the file named in a checked format error instead.
     */
    private static ModelFormatException hdf5Error(Path file, RuntimeException e) {
        return new ModelFormatException(file, "HDF5", "damaged or not a Keras HDF5 file: " + e, e);
    }
}
