package dev.shears.infer;

import dev.shears.io.AtomicFiles;
import dev.shears.io.Json;
import dev.shears.nn.BatchNormalization;
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
    private static final int HEADER = 20;
    private static final int DENSE = 0;
    private static final int GAPS = 1;
    private static final int BITMAP = 2;
    private static final int VECTORS = 3;

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
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new CompactFormatException(file, "file length", size + " bytes is more than a compact model file can hold");
        }
        return fromBytes(Files.readAllBytes(file), file);
    }

    /** Parses the bytes of a compact model file; {@code file} only names the source in errors. */
    public static InferenceModel fromBytes(byte[] bytes, Path file) throws CompactFormatException {
        LeReader in = new LeReader(bytes, file);
        checkHeader(in, bytes, file);
        Map<?, ?> head = in.json("architecture");
        int count = in.u32("layer count");
        Sequential model = rebuild(head, file);
        List<Layer> stored = storedLayers(model);
        if (count != stored.size()) {
            throw new CompactFormatException(file, "layer count", "is " + count + " but the architecture has " + stored.size()
                    + " Conv2D/DepthwiseConv2D/Dense/BatchNormalization layers");
        }
        for (Layer l : stored) {
            if (l instanceof BatchNormalization) {
                readVectors(in, l, file);
            } else {
                readLayer(in, l, file);
            }
        }
        if (in.remaining() != 0) {
            throw new CompactFormatException(file, "end of layers", in.remaining() + " unexpected bytes before the checksum");
        }
        InferenceModel.Options options = InferenceModel.Options.auto().maxBatch(intField(head, "max_batch", file));
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
        try {
            return InferenceModel.compile(model, options);
        } catch (IllegalArgumentException ex) {
            throw new CompactFormatException(file, "architecture.kernels", ex.getMessage());
        }
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
        in.u16("flags");
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

    private static Sequential rebuild(Map<?, ?> head, Path file) throws CompactFormatException {
        if (!(head.get("model") instanceof Map<?, ?> arch)) {
            throw new CompactFormatException(file, "architecture.model", "missing or not an object");
        }
        try {
            return ModelConfig.fromConfig(arch);
        } catch (RuntimeException e) {
            throw new CompactFormatException(file, "architecture.model", e.getMessage());
        }
    }

    private static int intField(Map<?, ?> head, String key, Path file) throws CompactFormatException {
        if (!(head.get(key) instanceof Number n) || n.intValue() < 1) {
            throw new CompactFormatException(file, "architecture." + key, "expected a positive integer, got " + head.get(key));
        }
        return n.intValue();
    }

    private static List<Layer> storedLayers(Sequential model) {
        List<Layer> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            Layer inner = l.unwrap();
            if (InferenceModel.storesValues(inner)) {
                out.add(inner);
            }
        }
        return out;
    }

    private static void readVectors(LeReader in, Layer l, Path file) throws CompactFormatException {
        String at = "layer " + l.name();
        List<Parameter> vars = BatchNormStep.variables(l);
        int enc = in.u8(at + " encoding");
        if (enc != VECTORS) {
            throw new CompactFormatException(file, at + " encoding", "expected 3 (vectors) for a BatchNormalization, got " + enc);
        }
        int count = in.u32(at + " vector count");
        int c = in.u32(at + " channels");
        if (count != vars.size() || c != vars.get(0).size()) {
            throw new CompactFormatException(file, at + " shape", count + " vectors of " + c + " do not match the architecture's "
                    + vars.size() + " of " + vars.get(0).size());
        }
        for (Parameter p : vars) {
            in.floats(p.data(), c, at + " " + p.name().substring(p.name().indexOf('/') + 1));
        }
    }

    private static void readLayer(LeReader in, Layer l, Path file) throws CompactFormatException {
        String at = "layer " + l.name();
        Parameter kernel = l.parameters().get(0);
        // layers without a bias (DepthwiseConv2D use_bias=False) still store oc zeros, read into a scratch array
        Parameter bias = l.parameters().size() > 1 ? l.parameters().get(1) : null;
        int[] out = l.outputShape();
        int biasSize = bias != null ? bias.size() : out[out.length - 1];
        int enc = in.u8(at + " encoding");
        int k = in.u32(at + " k");
        int oc = in.u32(at + " oc");
        int n = kernel.size();
        if ((long) k * oc != n || oc != biasSize) {
            throw new CompactFormatException(file, at + " shape", "(" + k + ", " + oc + ") does not match the architecture's kernel of "
                    + n + " values and bias of " + biasSize);
        }
        float[] w = kernel.data();
        java.util.Arrays.fill(w, 0f);
        switch (enc) {
            case DENSE -> in.floats(w, n, at + " values");
            case GAPS -> readGaps(in, w, at);
            case BITMAP -> readBitmap(in, w, at);
            default -> throw new CompactFormatException(file, at + " encoding", "expected 0, 1 or 2, got " + enc);
        }
        if (bias != null) {
            in.floats(bias.data(), oc, at + " bias");
            return;
        }
        float[] zeros = new float[oc];
        in.floats(zeros, oc, at + " bias");
        for (float v : zeros) {
            if (v != 0f) {
                throw in.error(at + " bias", "the layer has no bias (use_bias false) but the file stores a non-zero one");
            }
        }
    }

    private static void readGaps(LeReader in, float[] w, String at) throws CompactFormatException {
        int nnz = in.count(at + " nnz", w.length, 5);
        int[] idx = new int[nnz];
        long prev = -1;
        for (int i = 0; i < nnz; i++) {
            prev += in.varint(at + " indices") + 1L;
            if (prev >= w.length) {
                throw in.error(at + " indices", "index " + prev + " is outside the kernel of " + w.length + " values");
            }
            idx[i] = (int) prev;
        }
        float[] v = new float[nnz];
        in.floats(v, nnz, at + " values");
        for (int i = 0; i < nnz; i++) {
            w[idx[i]] = v[i];
        }
    }

    private static void readBitmap(LeReader in, float[] w, String at) throws CompactFormatException {
        byte[] bits = in.bytes((w.length + 7) / 8, at + " bitmap");
        int nnz = in.count(at + " nnz", w.length, 4);
        int set = 0;
        for (byte b : bits) {
            set += Integer.bitCount(b & 0xff);
        }
        if (set != nnz) {
            throw in.error(at + " bitmap", set + " bits set but nnz is " + nnz);
        }
        float[] v = new float[nnz];
        in.floats(v, nnz, at + " values");
        int at2 = 0;
        for (int i = 0; i < w.length; i++) {
            if ((bits[i >> 3] >> (i & 7) & 1) != 0) {
                w[i] = v[at2++];
            }
        }
    }
}
