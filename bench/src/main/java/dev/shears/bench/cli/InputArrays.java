package dev.shears.bench.cli;

import dev.shears.datasets.Idx;
import dev.shears.datasets.IdxArray;
import dev.shears.datasets.IdxFormatException;
import dev.shears.interop.ModelFormat;
import dev.shears.interop.Npy;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.tensor.ShapeMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Model inputs read from a file, the kind recognised from its content: a float32 NumPy {@code .npy}, a
 * safetensors file holding one F32 tensor, or an IDX file (unsigned bytes scaled by 1/255, as the training
 * data is; float IDX taken as it is). Values are row-major, {@code (n, example shape...)}.
 *
 * <pre>{@code Npy.Array x = InputArrays.read(path); int n = InputArrays.examples(path, x.shape(), model.inputShape());}</pre>
 */
final class InputArrays {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final float PIXEL_SCALE = 255f;

    private InputArrays() {
    }

    /**
     * Reads the whole file.
     *
     * @throws ModelFormatException or IdxFormatException naming the file and what was wrong with it
     */
    static Npy.Array read(Path file) throws IOException {
        CliFiles.requireReadableFile(file);
        if (startsWith(file, NPY_MAGIC)) {
            return Npy.read(file);
        }
        ModelFormat asModel;
        try {
            asModel = ModelFormat.detect(file);
        } catch (ModelFormatException e) {
            asModel = null;
        }
        if (asModel == ModelFormat.SAFETENSORS) {
            return readSafetensors(file);
        }
        if (asModel != null) {
            throw new ModelFormatException(file, "content", "this is a model file (" + CliFiles.describe(asModel)
                    + "), expected input data: a float32 .npy, a .safetensors file holding one tensor, or an IDX file");
        }
        return readIdx(file);
    }

    /**
     * How many examples {@code shape} holds for a model whose one example has shape {@code example}:
     * {@code (n, example...)}; {@code (n, h, w)} for an example {@code (h, w, 1)} (IDX images have no channel
     * axis); or exactly {@code example}, one example without the batch axis.
     *
     * @throws ShapeMismatchException naming the file, the shape found and the one the model needs
     */
    static int examples(Path file, int[] shape, int[] example) {
        int rank = example.length;
        if (shape.length == rank + 1 && Arrays.equals(shape, 1, shape.length, example, 0, rank)) {
            return shape[0];
        }
        if (rank > 1 && example[rank - 1] == 1 && shape.length == rank
                && Arrays.equals(shape, 1, shape.length, example, 0, rank - 1)) {
            return shape[0];
        }
        if (Arrays.equals(shape, example)) {
            return 1;
        }
        StringBuilder needed = new StringBuilder("[N");
        for (int d : example) {
            needed.append(", ").append(d);
        }
        throw new ShapeMismatchException(file + ": input shape " + Arrays.toString(shape) + " does not fit the model, "
                + "which needs " + needed + "] (N examples of shape " + Arrays.toString(example) + ")");
    }

    private static Npy.Array readSafetensors(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        if (c.tensors().size() != 1) {
            String what = "shears".equals(c.metadata().get("format"))
                    ? "this is a Shears model file (pass it as MODEL); an input file holds one tensor"
                    : "holds " + c.tensors().size() + " tensors " + c.tensors().keySet() + ", expected exactly one";
            throw new ModelFormatException(file, "tensors", what);
        }
        var entry = c.tensors().entrySet().iterator().next();
        Safetensors.Entry t = entry.getValue();
        if (t.dtype() != Safetensors.DType.F32) {
            throw new ModelFormatException(file, entry.getKey() + ".dtype", "is " + t.dtype() + ", expected F32");
        }
        return new Npy.Array(t.floats(), t.shape());
    }

    private static Npy.Array readIdx(Path file) throws IOException {
        IdxArray a;
        try {
            a = Idx.read(file);
        } catch (IdxFormatException e) {
            if (!"magic".equals(e.field())) {
                throw e;
            }
            // Not IDX either: say what the command reads rather than only what IDX expects.
            throw new IdxFormatException(file.toString(), "content", "not an input file Shears knows: expected a "
                    + "float32 .npy, a .safetensors file holding one tensor, or an IDX file", e);
        }
        return switch (a.type()) {
            case UNSIGNED_BYTE -> new Npy.Array(scaledPixels(a.bytes()), a.dims());
            case FLOAT -> new Npy.Array(a.floats(), a.dims());
            case DOUBLE -> new Npy.Array(a.toFloats(), a.dims());
            default -> throw new IdxFormatException(file.toString(), "type code", "is " + a.type()
                    + ", expected unsigned bytes (images, scaled by 1/255), float or double");
        };
    }

    private static float[] scaledPixels(byte[] pixels) {
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / PIXEL_SCALE;
        }
        return x;
    }

    private static boolean startsWith(Path file, byte[] magic) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(magic.length), magic);
        }
    }
}
