package dev.shears.interop;

import dev.shears.io.AtomicFiles;
import dev.shears.io.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Float32 arrays in NumPy's {@code .npy} format (versions 1.0 to 3.0, little-endian {@code <f4}, C order),
 * for model inputs and outputs on the command line and test fixtures.
 *
 * <pre>
 * offset 0   "\x93NUMPY", u8 major, u8 minor
 *        8   header length: u16 (version 1) or u32 (versions 2, 3), little-endian
 *        ..  ASCII dict {'descr': '&lt;f4', 'fortran_order': False, 'shape': (n, ...), }, space-padded, '\n'
 *        ..  the data, row-major
 * </pre>
 *
 * <pre>{@code Npy.Array a = Npy.read(Path.of("x.npy")); Npy.write(Path.of("y.npy"), out, n, 10);}</pre>
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 16;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /**
     * A float array with its shape.
     *
     * @param data  the values, row-major
     * @param shape the dimensions
     */
    public record Array(float[] data, int[] shape) {
    }

    /**
     * Reads a float32 {@code .npy} file.
     *
     * @throws ModelFormatException naming the field for a bad magic, header, dtype, order or size
     */
    public static Array read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "file length", size + " bytes is more than one array can hold");
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new ModelFormatException(file, "magic", "expected \\x93NUMPY: not a .npy file");
        }
        int major = bytes[6];
        long headerLength;
        int start;
        if (major == 1) {
            headerLength = buf.getShort(8) & 0xffff;
            start = 10;
        } else if ((major == 2 || major == 3) && bytes.length >= 12) {
            headerLength = buf.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new ModelFormatException(file, "version", "expected 1, 2 or 3, got " + major);
        }
        if (headerLength > MAX_HEADER || start + headerLength > bytes.length) {
            throw new ModelFormatException(file, "header length", headerLength + " bytes does not fit the file of " + bytes.length);
        }
        String header = new String(bytes, start, (int) headerLength, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr", file);
        if (!descr.equals("<f4") && !descr.equals("=f4")) {
            throw new ModelFormatException(file, "descr", "expected little-endian float32 '<f4', got '" + descr + "'");
        }
        if (group(ORDER, header, "fortran_order", file).equals("True")) {
            throw new ModelFormatException(file, "fortran_order", "expected False (C order)");
        }
        int[] shape = shape(group(SHAPE, header, "shape", file), file);
        long count = 1;
        for (int d : shape) {
            count = Math.multiplyExact(count, (long) d);
        }
        int dataStart = start + (int) headerLength;
        if (count * 4 != bytes.length - dataStart) {
            throw new ModelFormatException(file, "data", "shape " + java.util.Arrays.toString(shape) + " needs " + count * 4
                    + " bytes, the file has " + (bytes.length - dataStart));
        }
        float[] data = new float[(int) count];
        buf.position(dataStart);
        buf.asFloatBuffer().get(data);
        return new Array(data, shape);
    }

    /** Writes {@code data} with {@code shape} as a version-1.0 {@code <f4} file, atomically. */
    public static void write(Path file, float[] data, int... shape) throws IOException {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + count + " values, data has " + data.length);
        }
        String dims = shape.length == 1 ? shape[0] + ","
                : java.util.Arrays.stream(shape).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", "));
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (").append(dims).append("), }");
        // The data starts on a multiple of 64 bytes, as NumPy writes it.
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        out.asFloatBuffer().put(data);
        AtomicFiles.write(file, out.array());
    }

    private static String group(Pattern p, String header, String field, Path file) throws ModelFormatException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new ModelFormatException(file, field, "missing from the header " + header.strip());
        }
        return m.group(1);
    }

    private static int[] shape(String text, Path file) throws ModelFormatException {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) {
                continue;
            }
            try {
                int d = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (d < 0) {
                    throw new NumberFormatException();
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "shape", "expected non-negative integers, got (" + text + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
