package dev.shears.infer;

import dev.shears.io.AtomicFiles;
import dev.shears.io.Json;
import dev.shears.nn.ConfigFields;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Layer;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Compiled models on disk, storing only the non-zero weights. All numbers little-endian:
 *
 * <pre>
 * offset 0   "SHRS"                 magic
 *        4   u16 version (1), u16 flags (0)
 *        8   u64 file length, CRC included
 *        16  u32 A, then A bytes of UTF-8 JSON {"model": architecture, "kernels": {layer: kernel}, "max_batch": n}
 *        ..  u32 L, the number of Conv2D and Dense layers, then per layer in model order:
 *              u8 encoding, u32 k, u32 oc (the kernel (k, oc), flattened row-major as in the model)
 *              encoding 0 DENSE:  k*oc f32
 *              encoding 1 GAPS:   u32 nnz, nnz LEB128 varints (flat index minus previous index minus 1;
 *                                 one byte for gaps under 128), nnz f32 values
 *              encoding 2 BITMAP: ceil(k*oc/8) bytes (bit i of byte i/8, LSB first, set = non-zero),
 *                                 u32 nnz, nnz f32 values
 *              oc f32 bias
 *        end-4  u32 CRC32 of every byte before it
 * </pre>
 *
 * Each layer takes whichever encoding is smallest (the bitmap wins below 87.5% sparsity, the gaps above).
 * Reading checks magic, version, length, then the checksum, before it parses anything, and checks each
 * count against the bytes left before allocating; any problem is a {@link CompactFormatException}.
 *
 * <pre>{@code CompactModelFile.write(model, Path.of("m.shrs")); InferenceModel again = CompactModelFile.read(path);}</pre>
 */
public final class CompactModelFile {
    /** The file's first four bytes. */
    public static final byte[] MAGIC = {'S', 'H', 'R', 'S'};
    /** The version this class writes and reads. */
    public static final int VERSION = 1;
    /**
     * Most weights (zeros included) a file may declare per byte of its length. Sparse layers store only
     * their non-zeros, so a small file can describe a large model; this bounds what reading a damaged or
     * hostile file allocates. Only a layer of more than 4,096 inputs per output pruned beyond 99.98%
     * comes near it.
     */
    public static final int MAX_VALUES_PER_BYTE = 1024;
    private static final int HEADER = 20;
    private static final int DENSE = 0;
    private static final int GAPS = 1;
    private static final int BITMAP = 2;

    private CompactModelFile() {
    }

    /** Writes {@code model} to {@code file} atomically. */
    public static void write(InferenceModel model, Path file) throws IOException {
        AtomicFiles.write(file, toBytes(model));
    }

    /** The file's bytes for {@code model}. */
    public static byte[] toBytes(InferenceModel model) {
        LeBuffer out = new LeBuffer();
        out.bytes(MAGIC);
        out.u16(VERSION);
        out.u16(0);
        out.u64(0); // patched below
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("model", model.architecture());
        Map<String, Object> ks = new LinkedHashMap<>();
        model.kernels().forEach((name, k) -> ks.put(name, k.name()));
        head.put("kernels", ks);
        head.put("max_batch", model.maxBatch());
        byte[] json = Json.write(head).getBytes(StandardCharsets.UTF_8);
        out.u32(json.length);
        out.bytes(json);
        List<Weights> ws = model.weights();
        out.u32(ws.size());
        for (Weights w : ws) {
            writeLayer(out, w);
        }
        out.patchU64(8, out.size() + 4L);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.size());
        out.u32((int) crc.getValue());
        return out.toByteArray();
    }

    private static void writeLayer(LeBuffer out, Weights w) {
        float[] kernel = w.denseKernel();
        int n = kernel.length;
        int nnz = 0;
        long gapBytes = 0;
        int prev = -1;
        for (int i = 0; i < n; i++) {
            if (kernel[i] != 0f) {
                nnz++;
                gapBytes += LeBuffer.varintSize(i - prev - 1);
                prev = i;
            }
        }
        long dense = 4L * n;
        long gaps = 4 + gapBytes + 4L * nnz;
        long bitmap = (n + 7) / 8 + 4 + 4L * nnz;
        int enc = dense <= Math.min(gaps, bitmap) ? DENSE : gaps <= bitmap ? GAPS : BITMAP;
        out.u8(enc);
        out.u32(w.k);
        out.u32(w.oc);
        if (enc == DENSE) {
            out.floats(kernel, n);
        } else {
            float[] values = new float[nnz];
            byte[] bits = new byte[(n + 7) / 8];
            int at = 0;
            for (int i = 0; i < n; i++) {
                if (kernel[i] != 0f) {
                    values[at++] = kernel[i];
                    bits[i >> 3] |= (byte) (1 << (i & 7));
                }
            }
            if (enc == BITMAP) {
                out.bytes(bits);
            }
            out.u32(nnz);
            if (enc == GAPS) {
                prev = -1;
                for (int i = 0; i < n; i++) {
                    if (kernel[i] != 0f) {
                        out.varint(i - prev - 1);
                        prev = i;
                    }
                }
            }
            out.floats(values, nnz);
        }
        out.floats(w.bias, w.oc);
    }

    /**
     * Reads a compact model file and compiles it with the kernels it was written with.
     *
     * @throws CompactFormatException if the file is truncated, corrupted, of another version or not a compact model file
     */
    public static InferenceModel read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * As {@link #read(Path)}; with {@code rejectNonFinite} a NaN or infinite weight or bias is a
     * {@link CompactFormatException} too (see {@link InferenceModel.Options#rejectNonFinite}).
     */
    public static InferenceModel read(Path file, boolean rejectNonFinite) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new CompactFormatException(file, "file length", size + " bytes is more than a compact model file can hold");
        }
        return fromBytes(Files.readAllBytes(file), file, rejectNonFinite);
    }

    /** Parses the bytes of a compact model file; {@code file} only names the source in errors. */
    public static InferenceModel fromBytes(byte[] bytes, Path file) throws CompactFormatException {
        return fromBytes(bytes, file, false);
    }

    /**
     * Parses the bytes of a compact model file: header and checksum, then the architecture strictly
     * ({@link ModelConfig#parse}), then every layer record against the architecture's kernel and bias sizes
     * and the bytes left, decoded into arrays no larger than the file; only then is the model built (at most
     * {@link #MAX_VALUES_PER_BYTE} weights per byte of file) and compiled.
     */
    public static InferenceModel fromBytes(byte[] bytes, Path file, boolean rejectNonFinite) throws CompactFormatException {
        LeReader in = new LeReader(bytes, file);
        checkHeader(in, bytes, file);
        Map<?, ?> head = in.json("architecture");
        int count = in.u32("layer count");
        ModelConfig.Architecture arch = parse(head, file);
        List<Shape> shapes = weightedShapes(arch);
        if (count != shapes.size()) {
            throw new CompactFormatException(file, "layer count", "is " + count + " but the architecture has " + shapes.size() + " Conv2D/Dense layers");
        }
        long values = 0;
        for (Shape sh : shapes) {
            values += (long) sh.k * sh.oc + sh.oc;
        }
        if (values > MAX_VALUES_PER_BYTE * (long) bytes.length) {
            throw new CompactFormatException(file, "architecture.model", "declares " + values + " weights, more than "
                    + MAX_VALUES_PER_BYTE + " per byte of this " + bytes.length + "-byte file");
        }
        List<LayerData> data = new ArrayList<>();
        for (Shape sh : shapes) {
            LayerData d = readLayer(in, sh, file);
            if (rejectNonFinite) {
                requireFinite(d.values, "layer " + sh.name + " values", file);
                requireFinite(d.bias, "layer " + sh.name + " bias", file);
            }
            data.add(d);
        }
        if (in.remaining() != 0) {
            throw new CompactFormatException(file, "end of layers", in.remaining() + " unexpected bytes before the checksum");
        }
        InferenceModel.Options options = options(head, file);
        Sequential model = arch.build();
        int i = 0;
        for (Layer l : model.layers()) {
            if (l instanceof Conv2D || l instanceof Dense) {
                data.get(i++).fill(l.parameters().get(0).data(), l.parameters().get(1).data());
            }
        }
        try {
            return InferenceModel.compile(model, options);
        } catch (IllegalArgumentException ex) {
            throw new CompactFormatException(file, "architecture.kernels", ex.getMessage());
        }
    }

    private static void requireFinite(float[] v, String field, Path file) throws CompactFormatException {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new CompactFormatException(file, field, "value " + i + " is " + v[i] + ", expected finite weights");
            }
        }
    }

    /** max_batch and the kernel chosen per layer. */
    private static InferenceModel.Options options(Map<?, ?> head, Path file) throws CompactFormatException {
        InferenceModel.Options options;
        try {
            options = InferenceModel.Options.auto().maxBatch(ConfigFields.intField(head, "max_batch", 1, Integer.MAX_VALUE, "architecture"));
        } catch (IllegalArgumentException e) {
            throw new CompactFormatException(file, "architecture.max_batch", e.getMessage());
        }
        if (!(head.get("kernels") instanceof Map<?, ?> ks)) {
            throw new CompactFormatException(file, "architecture.kernels", "missing or not an object");
        }
        for (Map.Entry<?, ?> e : ks.entrySet()) {
            try {
                options = options.force(String.valueOf(e.getKey()), Kernel.valueOf(String.valueOf(e.getValue())));
            } catch (IllegalArgumentException ex) {
                throw new CompactFormatException(file, "architecture.kernels." + e.getKey(), "unknown kernel '" + e.getValue() + "'");
            }
        }
        return options;
    }

    private static void checkHeader(LeReader in, byte[] bytes, Path file) throws CompactFormatException {
        if (bytes.length < HEADER + 4) {
            throw new CompactFormatException(file, "header", "file is " + bytes.length + " bytes, shorter than the "
                    + (HEADER + 4) + "-byte minimum: truncated or not a compact model file");
        }
        byte[] magic = in.bytes(4, "magic");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new CompactFormatException(file, "magic", "expected \"SHRS\", found bytes " + java.util.Arrays.toString(magic)
                    + ": not a Shears compact model file");
        }
        int version = in.u16("version");
        if (version != VERSION) {
            throw new CompactFormatException(file, "version", "file has version " + version + ", this reader supports only " + VERSION);
        }
        int flags = in.u16("flags");
        if (flags != 0) {
            throw new CompactFormatException(file, "flags", "are " + flags + ", expected 0 (no flags are defined in version " + VERSION + ")");
        }
        long length = in.u64("file length");
        if (length != bytes.length) {
            throw new CompactFormatException(file, "file length", "header says " + length + " bytes but the file has "
                    + bytes.length + (length > bytes.length ? ": truncated" : ": trailing or missing data"));
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = LeReader.intAt(bytes, bytes.length - 4);
        if ((int) crc.getValue() != stored) {
            throw new CompactFormatException(file, "checksum", String.format("CRC32 of the content is %08x but the file stores %08x: corrupted",
                    (int) crc.getValue(), stored));
        }
    }

    private static ModelConfig.Architecture parse(Map<?, ?> head, Path file) throws CompactFormatException {
        if (!(head.get("model") instanceof Map<?, ?> arch)) {
            throw new CompactFormatException(file, "architecture.model", "missing or not an object");
        }
        try {
            return ModelConfig.parse(arch);
        } catch (IllegalArgumentException e) {
            throw new CompactFormatException(file, "architecture.model", e.getMessage());
        }
    }

    /** A Conv2D or Dense layer's kernel (k, oc) and bias (oc) as the architecture plans them. */
    private record Shape(String name, int k, int oc) {
    }

    private static List<Shape> weightedShapes(ModelConfig.Architecture arch) {
        List<Shape> out = new ArrayList<>();
        for (Layer l : arch.layers()) {
            if (l instanceof Conv2D || l instanceof Dense) {
                int[] kernel = arch.parameterShapes().get(l.name() + "/kernel");
                int oc = kernel[kernel.length - 1];
                out.add(new Shape(l.name(), (int) (Layer.Plan.count(kernel, "kernel") / oc), oc));
            }
        }
        return out;
    }

    /**
     * One layer record as read: its non-zero kernel values at flat indices (all values for DENSE), and the
     * bias. No array is larger than the bytes the record takes.
     */
    private record LayerData(int n, int[] indices, float[] values, float[] bias) {
        void fill(float[] kernel, float[] b) {
            if (indices == null) {
                System.arraycopy(values, 0, kernel, 0, n);
            } else {
                java.util.Arrays.fill(kernel, 0f);
                for (int i = 0; i < indices.length; i++) {
                    kernel[indices[i]] = values[i];
                }
            }
            System.arraycopy(bias, 0, b, 0, bias.length);
        }
    }

    private static LayerData readLayer(LeReader in, Shape sh, Path file) throws CompactFormatException {
        String at = "layer " + sh.name;
        int enc = in.u8(at + " encoding");
        int k = in.u32(at + " k");
        int oc = in.u32(at + " oc");
        if (k != sh.k || oc != sh.oc) {
            throw new CompactFormatException(file, at + " shape", "(" + k + ", " + oc + ") does not match the architecture's kernel ("
                    + sh.k + ", " + sh.oc + ")");
        }
        int n = k * oc; // the architecture's plan checked that it fits one array
        LayerData d = switch (enc) {
            case DENSE -> {
                yield new LayerData(n, null, in.newFloats(n, at + " values"), null);
            }
            case GAPS -> readGaps(in, n, at);
            case BITMAP -> readBitmap(in, n, at);
            default -> throw new CompactFormatException(file, at + " encoding", "expected 0, 1 or 2, got " + enc);
        };
        return new LayerData(n, d.indices, d.values, in.newFloats(oc, at + " bias"));
    }

    private static LayerData readGaps(LeReader in, int n, String at) throws CompactFormatException {
        int nnz = in.count(at + " nnz", n, 5);
        int[] idx = new int[nnz];
        long prev = -1;
        for (int i = 0; i < nnz; i++) {
            prev += in.varint(at + " indices") + 1L;
            if (prev >= n) {
                throw in.error(at + " indices", "index " + prev + " is outside the kernel of " + n + " values");
            }
            idx[i] = (int) prev;
        }
        float[] v = new float[nnz];
        in.floats(v, nnz, at + " values");
        return new LayerData(n, idx, v, null);
    }

    private static LayerData readBitmap(LeReader in, int n, String at) throws CompactFormatException {
        byte[] bits = in.bytes((int) ((n + 7L) / 8), at + " bitmap");
        int nnz = in.count(at + " nnz", n, 4);
        int set = 0;
        for (byte b : bits) {
            set += Integer.bitCount(b & 0xff);
        }
        if (set != nnz) {
            throw in.error(at + " bitmap", set + " bits set but nnz is " + nnz);
        }
        int[] idx = new int[nnz];
        int j = 0;
        for (int i = 0; i < n && j < nnz; i++) {
            if ((bits[i >> 3] >> (i & 7) & 1) != 0) {
                idx[j++] = i;
            }
        }
        if (j != nnz) {
            throw in.error(at + " bitmap", "bits set past the kernel's " + n + " values");
        }
        float[] v = new float[nnz];
        in.floats(v, nnz, at + " values");
        return new LayerData(n, idx, v, null);
    }
}
