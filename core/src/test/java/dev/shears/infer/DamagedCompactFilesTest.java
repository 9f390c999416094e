package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.DamagedFilesTest;
import dev.shears.io.Json;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.Initializer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Damaged compact files: every truncation, every bit flip (with the CRC fixed up, so that the parser and
 * not the checksum meets the damage), absurd values in the JSON header, for a Conv2D/Dense model
 * ({@link #valid}) and one with the newer layers ({@link #validLayers}: standalone batch-norm records, a
 * folded one, depthwise kernels with and without bias). Each must either fail with a
 * {@link CompactFormatException} naming the file, or give a model that predicts and converts back.
 */
class DamagedCompactFilesTest {
    private static final Path FILE = Path.of("damaged.shrs");
    private static final List<Object> ABSURD = Arrays.asList(0L, -1L, 1.5, 1e300, 65537L, (1L << 20) + 1, 1L << 31,
            Long.MAX_VALUE, 1L << 30, "7", "", "gelu", "CSR", "BLOCK4", "TWO_FOUR", "DENSE", null, true, List.of(), List.of(3L), List.of(3L, 3L, 3L), Map.of());

    /** Conv2D 95% zeros (gaps encoding), a Dense layer half zeros (bitmap), a dense Dense layer. */
    static byte[] valid() {
        Sequential m = Sequential.builder(6, 5, 2).seed(11)
                .add(Conv2D.builder(4, 3).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(new MaxPooling2D(2)).add(new Flatten())
                .add(new Dense(8, Activation.RELU)).add(new Dense(3, Activation.SOFTMAX)).build();
        TestModels.zeroSmallest(m.parameters().get(0).data(), 0.95);
        TestModels.zeroSmallest(m.parameters().get(2).data(), 0.5);
        return CompactModelFile.toBytes(InferenceModel.compile(m));
    }

    /**
     * {@link DamagedFilesTest#layersModel}: its first batch norm folds into the Conv2D, the other two are
     * standalone vector records; the DepthwiseConv2D has no bias (stored as zeros) and 60% zeros.
     */
    static byte[] validLayers() {
        Sequential m = DamagedFilesTest.layersModel(12);
        TestModels.zeroSmallest(m.parameters().get(0).data(), 0.9);
        TestModels.zeroSmallest(m.parameters().get(4).data(), 0.6);
        return CompactModelFile.toBytes(InferenceModel.compile(m));
    }

    /** Recomputes the length field and the CRC after an edit. */
    static byte[] fixed(byte[] b) {
        byte[] out = b.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(8, out.length);
        CRC32 crc = new CRC32();
        crc.update(out, 0, out.length - 4);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(out.length - 4, (int) crc.getValue());
        return out;
    }

    /** Parses {@code bytes}; returns whether they loaded (and then checks the model runs). */
    private static boolean check(String what, byte[] bytes) {
        InferenceModel m;
        try {
            m = CompactModelFile.fromBytes(bytes, FILE);
        } catch (CompactFormatException e) {
            assertTrue(e.getMessage().startsWith(FILE.toString()), what + ": " + e.getMessage());
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected a CompactFormatException, got " + t, t);
        }
        try {
            int n = 2;
            float[] x = TestModels.randomInput(n, Arrays.stream(m.inputShape()).reduce(1, (a, c) -> a * c), new Random(5));
            m.predict(x, n);
            Sequential s = m.toSequential();
            s.predict(x, n, n);
            InferenceModel.compile(s).predict(x, n);
        } catch (Throwable t) {
            throw new AssertionError(what + ": loaded, then failed: " + t, t);
        }
        return true;
    }

    @Test
    void everyTruncationIsRejected() {
        everyTruncationIsRejected(DamagedCompactFilesTest::valid);
    }

    @Test
    void everyTruncationIsRejectedWithTheNewerLayers() {
        everyTruncationIsRejected(DamagedCompactFilesTest::validLayers);
    }

    private static void everyTruncationIsRejected(Supplier<byte[]> files) {
        byte[] ok = files.get();
        assertTrue(check("intact", ok));
        for (int len = 0; len < ok.length; len++) {
            assertFalse(check("truncated to " + len, Arrays.copyOf(ok, len)));
            if (len >= 24) {
                assertFalse(check("truncated to " + len + ", length and CRC fixed", fixed(Arrays.copyOf(ok, len))));
            }
        }
    }

    @Test
    void everyBitFlipIsACrcError() {
        everyBitFlipIsACrcError(DamagedCompactFilesTest::valid);
    }

    @Test
    void everyBitFlipIsACrcErrorWithTheNewerLayers() {
        everyBitFlipIsACrcError(DamagedCompactFilesTest::validLayers);
    }

    private static void everyBitFlipIsACrcError(Supplier<byte[]> files) {
        byte[] ok = files.get();
        for (long bit = 0; bit < ok.length * 8L; bit++) {
            byte[] b = ok.clone();
            b[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
            assertFalse(check("bit " + bit + " flipped", b));
        }
    }

    @Test
    void bitFlipsWithTheCrcFixedAreRejectedOrLoadAWorkingModel() {
        bitFlipsWithTheCrcFixedAreRejectedOrLoadAWorkingModel(DamagedCompactFilesTest::valid);
    }

    @Test
    void bitFlipsWithTheCrcFixedAreRejectedOrLoadAWorkingModelWithTheNewerLayers() {
        bitFlipsWithTheCrcFixedAreRejectedOrLoadAWorkingModel(DamagedCompactFilesTest::validLayers);
    }

    private static void bitFlipsWithTheCrcFixedAreRejectedOrLoadAWorkingModel(Supplier<byte[]> files) {
        byte[] ok = files.get();
        int headerAndJson = 20 + ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getInt(16);
        List<Long> bits = new ArrayList<>();
        for (long bit = 0; bit < headerAndJson * 8L; bit++) {
            if (bit / 8 < 8 || bit / 8 >= 16) { // not the length field, which fixed() rewrites
                bits.add(bit);
            }
        }
        // The layer records are mostly weight values, where a flip just changes a weight: a fixed sample.
        Random rng = new Random(9);
        for (int i = 0; i < 300; i++) {
            bits.add(headerAndJson * 8L + rng.nextInt((ok.length - 4 - headerAndJson) * 8));
        }
        int loaded = 0;
        for (long bit : bits) {
            byte[] b = ok.clone();
            b[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
            loaded += check("bit " + bit + " flipped, CRC fixed", fixed(b)) ? 1 : 0;
        }
        assertTrue(loaded > 0, "flips in weight values leave a valid file");
    }

    @Test
    void newerLayersModelRoundTrips() throws CompactFormatException {
        byte[] ok = validLayers();
        assertTrue(check("intact", ok));
        InferenceModel m = CompactModelFile.fromBytes(ok, FILE);
        assertTrue(Arrays.equals(ok, CompactModelFile.toBytes(m)), "read then written again gives the same bytes");
    }

    /** A batch norm record whose count or channels differ from the architecture's, CRC fixed: a shape error. */
    @Test
    void batchNormRecordsAreCheckedAgainstThePlan() {
        byte[] ok = validLayers();
        int at = recordOffset(ok, 2); // the layer records: conv2d (folded bn), depthwise, bn 1, bn 2, dense
        assertTrue(ok[at] == 3, "a vectors record");
        for (int field : new int[] {1, 5}) {
            byte[] b = ok.clone();
            b[at + field] += 1;
            CompactFormatException e = assertThrows(CompactFormatException.class, () -> CompactModelFile.fromBytes(fixed(b), FILE));
            assertTrue(e.getMessage().contains("shape") && e.getMessage().contains("do not match the architecture"), e.getMessage());
        }
    }

    /** Offset of the {@code index}-th layer record (0-based) of a valid file, walking the records. */
    private static int recordOffset(byte[] ok, int index) {
        ByteBuffer b = ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN);
        int at = 20 + b.getInt(16) + 4;
        for (int i = 0; i < index; i++) {
            int enc = ok[at];
            int k = b.getInt(at + 1);
            int oc = b.getInt(at + 5);
            at += 9;
            if (enc == 3) {
                at += 4 * k * oc;
                continue;
            }
            int n = k * oc;
            at += switch (enc) {
                case 0 -> 4 * n;
                case 1 -> {
                    int nnz = b.getInt(at);
                    int p = at + 4;
                    for (int j = 0; j < nnz; j++) {
                        while ((ok[p++] & 0x80) != 0) {
                            // continuation bytes of a varint
                        }
                    }
                    yield p - at + 4 * nnz;
                }
                default -> {
                    int bits = (n + 7) / 8;
                    yield bits + 4 + 4 * b.getInt(at + bits);
                }
            };
            at += 4 * oc;
        }
        return at;
    }

    @Test
    void flagsMustBeZero() {
        byte[] b = valid();
        b[6] = 1;
        CompactFormatException e = assertThrows(CompactFormatException.class, () -> CompactModelFile.fromBytes(fixed(b), FILE));
        assertTrue(e.getMessage().contains("flags"), e.getMessage());
    }

    @Test
    void absurdValuesInTheHeaderAreRejectedOrLoadAWorkingModel() {
        absurdValuesInTheHeaderAreRejectedOrLoadAWorkingModel(DamagedCompactFilesTest::valid);
    }

    @Test
    void absurdValuesInTheHeaderAreRejectedOrLoadAWorkingModelWithTheNewerLayers() {
        absurdValuesInTheHeaderAreRejectedOrLoadAWorkingModel(DamagedCompactFilesTest::validLayers);
    }

    private static void absurdValuesInTheHeaderAreRejectedOrLoadAWorkingModel(Supplier<byte[]> files) {
        byte[] ok = files.get();
        int jsonLen = ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getInt(16);
        Object head = Json.parse(new String(ok, 20, jsonLen, StandardCharsets.UTF_8));
        int tried = 0;
        for (List<Object> path : paths(head, new ArrayList<>(), new ArrayList<>())) {
            for (Object value : ABSURD) {
                Object changed = Json.parse(Json.write(head));
                set(changed, path, value);
                byte[] json = Json.write(changed).getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.allocate(ok.length - jsonLen + json.length).order(ByteOrder.LITTLE_ENDIAN);
                b.put(ok, 0, 16).putInt(json.length).put(json).put(ok, 20 + jsonLen, ok.length - 20 - jsonLen);
                check(path + " = " + value, fixed(b.array()));
                tried++;
            }
        }
        assertTrue(tried > 500, tried + " tried");
    }

    /** Paths (map keys and list indices) to every leaf and every list under {@code v}. */
    static List<List<Object>> paths(Object v, List<Object> at, List<List<Object>> out) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                List<Object> p = new ArrayList<>(at);
                p.add(e.getKey());
                paths(e.getValue(), p, out);
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                List<Object> p = new ArrayList<>(at);
                p.add(i);
                paths(l.get(i), p, out);
            }
            out.add(at);
        } else {
            out.add(at);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static void set(Object root, List<Object> path, Object value) {
        Object parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object k = path.get(i);
            parent = k instanceof Integer idx ? ((List<Object>) parent).get(idx) : ((Map<String, Object>) parent).get(k);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer idx) {
            ((List<Object>) parent).set(idx, value);
        } else {
            ((Map<String, Object>) parent).put((String) last, value);
        }
    }
}
