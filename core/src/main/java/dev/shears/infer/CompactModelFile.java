package dev.shears.infer;

import dev.shears.io.AtomicFiles;
import dev.shears.io.Json;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.ConfigFields;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Layer;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Parameter;
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
 *        ..  u32 L, the number of Conv2D, DepthwiseConv2D, Dense and BatchNormalization layers of the
 *            architecture, then per layer in model order:
 *              u8 encoding, u32 k, u32 oc (the kernel (k, oc), flattened row-major as in the model;
 *                                 DepthwiseConv2D's (kh, kw, c, dm) as (kh*kw, c*dm))
 *              encoding 0 DENSE:  k*oc f32
 *              encoding 1 GAPS:   u32 nnz, nnz LEB128 varints (flat index minus previous index minus 1;
 *                                 one byte for gaps under 128), nnz f32 values
 *              encoding 2 BITMAP: ceil(k*oc/8) bytes (bit i of byte i/8, LSB first, set = non-zero),
 *                                 u32 nnz, nnz f32 values
 *              oc f32 bias (zeros for a layer without one)
 *            or, for a BatchNormalization:
 *              encoding 3 VECTORS: k = the number of vectors, oc = channels; k*oc f32: gamma, beta,
 *                                 moving_mean, moving_variance (less any the layer lacks), no bias
 *        end-4  u32 CRC32 of every byte before it
 * </pre>
 *
 * Each kernel takes whichever encoding is smallest (the bitmap wins below 87.5% sparsity, the gaps above).
 * A batch norm folded into the layer before it (see {@link BatchNormStep}) is not in the architecture: that
 * layer's kernel and bias hold it. Readers that predate DepthwiseConv2D and BatchNormalization reject such
 * files at the architecture, before any layer record.
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
    private static final int VECTORS = 3;

    private CompactModelFile() {
    }

    /**
     * Writes {@code model} to {@code file} atomically.
     *
     * @throws IllegalArgumentException if the model has a custom layer (only Shears' own layers have a compact form)
     */
    public static void write(InferenceModel model, Path file) throws IOException {
        AtomicFiles.write(file, toBytes(model));
    }

    /**
     * The file's bytes for {@code model}.
     *
     * @throws IllegalArgumentException if the model has a custom layer
     */
    public static byte[] toBytes(InferenceModel model) {
        model.requireNoCustomLayers("a compact model file");
        LeBuffer out = new LeBuffer();
        out.bytes(MAGIC);
        out.u16(VERSION);
        out.u16(0);
        out.u64(0); // patched below
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("model", model.architecture());
        Map<String, Object> ks = new LinkedHashMap<>();
        model.formats().forEach((name, k) -> ks.put(name, k.name()));
        head.put("kernels", ks);
        head.put("max_batch", model.maxBatch());
        byte[] json = Json.write(head).getBytes(StandardCharsets.UTF_8);
        out.u32(json.length);
        out.bytes(json);
        List<Step> stored = model.storedSteps();
        out.u32(stored.size());
        for (Step s : stored) {
            if (s instanceof BatchNormStep bn) {
                writeVectors(out, bn.values());
            } else {
                writeLayer(out, s.weights());
            }
        }
        out.patchU64(8, out.size() + 4L);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.size());
        out.u32((int) crc.getValue());
        return out.toByteArray();
    }

    private static void writeVectors(LeBuffer out, List<float[]> vectors) {
        out.u8(VECTORS);
        out.u32(vectors.size());
        out.u32(vectors.get(0).length);
        for (float[] v : vectors) {
            out.floats(v, v.length);
        }
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
        List<Stored> records = storedRecords(arch);
        if (count != records.size()) {
            throw new CompactFormatException(file, "layer count", "is " + count + " but the architecture has " + records.size()
                    + " Conv2D/DepthwiseConv2D/Dense/BatchNormalization layers");
        }
        long values = 0;
        for (Stored r : records) {
            values += r.values();
        }
        if (values > MAX_VALUES_PER_BYTE * (long) bytes.length) {
            throw new CompactFormatException(file, "architecture.model", "declares " + values + " weights, more than "
                    + MAX_VALUES_PER_BYTE + " per byte of this " + bytes.length + "-byte file");
        }
        List<Decoded> data = new ArrayList<>();
        for (Stored r : records) {
            Decoded d = r instanceof VectorsRecord v ? readVectors(in, v, file) : readLayer(in, (KernelRecord) r, file);
            if (rejectNonFinite) {
                d.requireFinite(file);
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
            if (InferenceModel.storesValues(l)) {
                data.get(i++).fill(BatchNormStep.variables(l));
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
            options = InferenceModel.Options.defaults().withMaxBatch(ConfigFields.intField(head, "max_batch", 1, Integer.MAX_VALUE, "architecture"));
        } catch (IllegalArgumentException e) {
            throw new CompactFormatException(file, "architecture.max_batch", e.getMessage());
        }
        if (!(head.get("kernels") instanceof Map<?, ?> ks)) {
            throw new CompactFormatException(file, "architecture.kernels", "missing or not an object");
        }
        for (Map.Entry<?, ?> e : ks.entrySet()) {
            try {
                options = options.withFormat(String.valueOf(e.getKey()), WeightFormat.valueOf(String.valueOf(e.getValue())));
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

    /** What the architecture says one layer record holds. */
    private sealed interface Stored {
        /** Number of values the record decodes to. */
        long values();
    }

    /**
     * A Conv2D, Dense or DepthwiseConv2D kernel (k, oc) as the architecture plans it, and its bias (oc), which a
     * layer without one (DepthwiseConv2D use_bias false) stores as zeros.
     */
    private record KernelRecord(String name, int k, int oc, boolean hasBias) implements Stored {
        @Override
        public long values() {
            return (long) k * oc + oc;
        }
    }

    /** A standalone BatchNormalization's vectors (γ, β, moving mean, moving variance, those it has) of c channels. */
    private record VectorsRecord(String name, int count, int c) implements Stored {
        @Override
        public long values() {
            return (long) count * c;
        }
    }

    /** The records the architecture implies, in model order, from its planned shapes alone. */
    private static List<Stored> storedRecords(ModelConfig.Architecture arch) {
        List<Stored> out = new ArrayList<>();
        for (Layer l : arch.layers()) {
            if (!InferenceModel.storesValues(l)) {
                continue;
            }
            Map<String, int[]> shapes = arch.shapesOf(l.name());
            if (l instanceof BatchNormalization) {
                out.add(new VectorsRecord(l.name(), shapes.size(), shapes.values().iterator().next()[0]));
                continue;
            }
            int[] kernel = shapes.get("kernel");
            // (kh, kw, c, dm) is stored as (kh*kw, c*dm); the plan checked that c*dm, the output channels, is an int
            int oc = l instanceof DepthwiseConv2D ? kernel[2] * kernel[3] : kernel[kernel.length - 1];
            out.add(new KernelRecord(l.name(), (int) (Layer.Plan.count(kernel, "kernel") / oc), oc, shapes.containsKey("bias")));
        }
        return out;
    }

    /** One layer record as read, into arrays no larger than the bytes the record takes. */
    private sealed interface Decoded {
        /** Copies the values into the layer's variables ({@link BatchNormStep#variables} order). */
        void fill(List<Parameter> vars);

        void requireFinite(Path file) throws CompactFormatException;
    }

    /** A kernel's non-zero values at flat indices (all n values, indices null, for DENSE) and the bias. */
    private record KernelData(String name, int n, int[] indices, float[] values, float[] bias) implements Decoded {
        @Override
        public void fill(List<Parameter> vars) {
            float[] kernel = vars.get(0).data();
            if (indices == null) {
                System.arraycopy(values, 0, kernel, 0, n);
            } else {
                java.util.Arrays.fill(kernel, 0f);
                for (int i = 0; i < indices.length; i++) {
                    kernel[indices[i]] = values[i];
                }
            }
            if (vars.size() > 1) {
                System.arraycopy(bias, 0, vars.get(1).data(), 0, bias.length);
            }
        }

        @Override
        public void requireFinite(Path file) throws CompactFormatException {
            CompactModelFile.requireFinite(values, "layer " + name + " values", file);
            CompactModelFile.requireFinite(bias, "layer " + name + " bias", file);
        }
    }

    /** A batch norm's vectors, one after another. */
    private record VectorData(String name, float[] values) implements Decoded {
        @Override
        public void fill(List<Parameter> vars) {
            int at = 0;
            for (Parameter p : vars) {
                System.arraycopy(values, at, p.data(), 0, p.size());
                at += p.size();
            }
        }

        @Override
        public void requireFinite(Path file) throws CompactFormatException {
            CompactModelFile.requireFinite(values, "layer " + name + " vectors", file);
        }
    }

    private static VectorData readVectors(LeReader in, VectorsRecord r, Path file) throws CompactFormatException {
        String at = "layer " + r.name;
        int enc = in.u8(at + " encoding");
        if (enc != VECTORS) {
            throw new CompactFormatException(file, at + " encoding", "expected 3 (vectors) for a BatchNormalization, got " + enc);
        }
        int count = in.u32(at + " vector count");
        int c = in.u32(at + " channels");
        if (count != r.count || c != r.c) {
            throw new CompactFormatException(file, at + " shape", count + " vectors of " + c + " do not match the architecture's "
                    + r.count + " of " + r.c);
        }
        return new VectorData(r.name, in.newFloats(count * c, at + " vectors")); // values() checked count * c against the file
    }

    private static KernelData readLayer(LeReader in, KernelRecord r, Path file) throws CompactFormatException {
        String at = "layer " + r.name;
        int enc = in.u8(at + " encoding");
        int k = in.u32(at + " k");
        int oc = in.u32(at + " oc");
        if (k != r.k || oc != r.oc) {
            throw new CompactFormatException(file, at + " shape", "(" + k + ", " + oc + ") does not match the architecture's kernel ("
                    + r.k + ", " + r.oc + ")");
        }
        int n = k * oc; // the architecture's plan checked that it fits one array
        KernelData d = switch (enc) {
            case DENSE -> new KernelData(r.name, n, null, in.newFloats(n, at + " values"), null);
            case GAPS -> readGaps(in, r.name, n, at);
            case BITMAP -> readBitmap(in, r.name, n, at);
            default -> throw new CompactFormatException(file, at + " encoding", "expected 0, 1 or 2, got " + enc);
        };
        float[] bias = in.newFloats(oc, at + " bias");
        if (!r.hasBias) {
            for (float v : bias) {
                if (v != 0f) {
                    throw in.error(at + " bias", "the layer has no bias (use_bias false) but the file stores a non-zero one");
                }
            }
        }
        return new KernelData(r.name, n, d.indices, d.values, bias);
    }


    private static KernelData readGaps(LeReader in, String name, int n, String at) throws CompactFormatException {
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
        return new KernelData(name, n, idx, v, null);
    }

    private static KernelData readBitmap(LeReader in, String name, int n, String at) throws CompactFormatException {
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
        return new KernelData(name, n, idx, v, null);
    }
}
