package dev.shears.interop;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.LayerRegistry;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One way to load and save a model in any format Shears knows, detected from the file's content
 * ({@link ModelFormat#detect}) when reading and from its extension when writing.
 *
 * <pre>{@code Sequential model = Models.load(Path.of("model.keras")); Models.save(model, Path.of("model.onnx"));}</pre>
 */
public final class Models {
    private Models() {
    }

    /**
     * Loads a trainable model from Shears safetensors, ONNX, {@code .keras} or a legacy full-model
     * {@code .h5}.
     *
     * @throws ModelFormatException for a compact {@code .shrs} file (inference only: use
     *                              {@link #loadRuntime} or {@link CompactModelFile#read}), or any bad file
     */
    public static Sequential load(Path file) throws IOException {
        return load(file, LayerRegistry.builtIn());
    }

    /**
     * As {@link #load(Path)}, rebuilding the custom layer types of {@code layers} from Shears safetensors files
     * (ONNX and Keras files map onto Shears' own layers only).
     *
     * @throws ModelFormatException as {@link #load(Path)}, or for a custom layer type {@code layers} lacks
     */
    public static Sequential load(Path file, LayerRegistry layers) throws IOException {
        return switch (ModelFormat.detect(file)) {
            case SAFETENSORS -> ModelFiles.load(file, layers);
            case ONNX -> Onnx.load(file);
            case KERAS, KERAS_H5 -> KerasModels.load(file);
            case COMPACT -> throw new ModelFormatException(file, "format", "this is a compact runtime file (.shrs), "
                    + "which holds an inference-only model; use Models.loadRuntime or CompactModelFile.read");
        };
    }

    /** Loads any model file as a compiled runtime model (automatic kernels unless the {@code .shrs} file chose them). */
    public static InferenceModel loadRuntime(Path file) throws IOException {
        return loadRuntime(file, LayerRegistry.builtIn());
    }

    /** As {@link #loadRuntime(Path)}, with the custom layer types of {@code layers} (run through their forward pass). */
    public static InferenceModel loadRuntime(Path file, LayerRegistry layers) throws IOException {
        if (ModelFormat.detect(file) == ModelFormat.COMPACT) {
            return CompactModelFile.read(file);
        }
        return InferenceModel.compile(load(file, layers));
    }

    /**
     * Writes {@code model} in the format its extension names: {@code .safetensors}, {@code .shrs} (compiled
     * with automatic kernels) or {@code .onnx} (default {@link Onnx.ExportOptions}). Atomic.
     *
     * @throws ModelFormatException for an extension Shears cannot write
     */
    public static void save(Sequential model, Path file) throws IOException {
        ModelFormat format = ModelFormat.fromExtension(file);
        switch (format) {
            case SAFETENSORS -> ModelFiles.save(model, file);
            case COMPACT -> CompactModelFile.write(InferenceModel.compile(model), file);
            case ONNX -> Onnx.export(model, file);
            case KERAS, KERAS_H5 -> throw new ModelFormatException(file, "file name", "Shears cannot write Keras files ("
                    + format.extension() + "); write .onnx, .safetensors or .shrs");
        }
    }
}
