package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The model file formats Shears reads and writes, recognised from a file's first bytes ({@link #detect})
 * or from a file name's extension ({@link #fromExtension}, for files about to be written).
 */
public enum ModelFormat {
    /** Shears' own safetensors file: architecture in {@code __metadata__}, trainable. Extension {@code .safetensors}. */
    SAFETENSORS(".safetensors", true),
    /** Shears' compact runtime file ({@code .shrs}): inference only. */
    COMPACT(".shrs", true),
    /** An ONNX model ({@code .onnx}). */
    ONNX(".onnx", true),
    /** A Keras 3 zip ({@code .keras}: {@code config.json} + {@code model.weights.h5}). Read only. */
    KERAS(".keras", false),
    /** An HDF5 file from Keras ({@code .h5}, {@code .weights.h5}): a legacy full model or weights only. Read only. */
    KERAS_H5(".h5", false);

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final String extension;
    private final boolean writable;

    ModelFormat(String extension, boolean writable) {
        this.extension = extension;
        this.writable = writable;
    }

    /** The usual file extension, with its dot. */
    public String extension() {
        return extension;
    }

    /** Whether Shears can write this format. */
    public boolean writable() {
        return writable;
    }

    /**
     * The format of an existing file, from its content: the {@code SHRS} magic, the HDF5 signature, a zip
     * header, a safetensors header (a little-endian length, then an opening brace), and ONNX for the rest when the
     * name ends in {@code .onnx}.
     *
     * @throws ModelFormatException if the content matches no format
     */
    public static ModelFormat detect(Path file) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'S' && head[1] == 'H' && head[2] == 'R' && head[3] == 'S') {
            return COMPACT;
        }
        if (n >= 8 && Arrays.equals(Arrays.copyOf(head, 8), HDF5_SIGNATURE)) {
            return KERAS_H5;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return KERAS;
        }
        if (n == 9 && head[8] == '{' && head[6] == 0 && head[7] == 0) {
            return SAFETENSORS;
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            return ONNX;
        }
        throw new ModelFormatException(file, "content", "not a model file Shears knows: expected Shears safetensors, "
                + "a compact .shrs file, ONNX (.onnx), a Keras .keras zip or a Keras HDF5 .h5 file");
    }

    /**
     * The format a file name asks for, by its extension ({@code .safetensors}, {@code .shrs}, {@code .onnx},
     * {@code .keras}, {@code .h5}).
     *
     * @throws ModelFormatException for another extension
     */
    public static ModelFormat fromExtension(Path file) throws ModelFormatException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (ModelFormat f : values()) {
            if (name.endsWith(f.extension)) {
                return f;
            }
        }
        throw new ModelFormatException(file, "file name", "unknown extension: expected .safetensors, .shrs, .onnx, .keras or .h5");
    }
}
