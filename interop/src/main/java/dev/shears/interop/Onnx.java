package dev.shears.interop;

import dev.shears.infer.InferenceModel;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;

/** ONNX import and export. (Work in progress.) */
public final class Onnx {
    private Onnx() {
    }

    /** Input layouts of an exported graph. */
    public enum InputLayout {
        /** {@code [N, H, W, C]}, Shears' and Keras's own layout; the graph transposes inside, as tf2onnx does. */
        NHWC,
        /** {@code [N, C, H, W]}, PyTorch's layout. */
        NCHW
    }

    /**
     * Export options.
     *
     * @param inputLayout        layout of the graph's input
     * @param sparseInitializers whether large pruned kernels are written as {@code sparse_initializer}s
     */
    public record ExportOptions(InputLayout inputLayout, boolean sparseInitializers) {
        /** NHWC input, dense initializers. */
        public static ExportOptions defaults() {
            return new ExportOptions(InputLayout.NHWC, false);
        }

        /** These options with another input layout. */
        public ExportOptions withInputLayout(InputLayout layout) {
            return new ExportOptions(layout, sparseInitializers);
        }

        /** These options with sparse initializers on or off. */
        public ExportOptions withSparseInitializers(boolean sparse) {
            return new ExportOptions(inputLayout, sparse);
        }
    }

    /** Exports with {@link ExportOptions#defaults()}. */
    public static void export(Sequential model, Path file) throws IOException {
        export(model, file, ExportOptions.defaults());
    }

    /** Exports {@code model} as an opset-17 ONNX file, atomically. */
    public static void export(Sequential model, Path file, ExportOptions options) throws IOException {
        dev.shears.interop.onnx.OnnxProto.ModelProto proto = OnnxExport.build(model, options);
        dev.shears.io.AtomicFiles.write(file, proto::writeTo);
    }

    /** Exports a compiled model (its weights as the runtime holds them). */
    public static void export(InferenceModel model, Path file, ExportOptions options) throws IOException {
        export(model.toSequential(), file, options);
    }

    /** Imports an ONNX file as a trainable model taking NHWC input. */
    public static Sequential load(Path file) throws IOException {
        return OnnxImport.load(file);
    }
}
