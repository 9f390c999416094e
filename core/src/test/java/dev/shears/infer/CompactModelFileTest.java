package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.ModelFiles;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.Initializer;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compact files: round trip, size goal, and one test per way a file can be bad. */
class CompactModelFileTest {
    private static final int IMAGE = 28 * 28;

    @TempDir
    Path dir;

    private static InferenceModel pruned() {
        return InferenceModel.compile(TestModels.pruneUnstructured(TestModels.tutorial(21), 0.8));
    }

    @Test
    void roundTripGivesIdenticalPredictionsAndKernels() throws IOException {
        Sequential m = TestModels.tutorial(22);
        TestModels.pruneTwoFour(((dev.shears.nn.Conv2D) m.layers().get(2)).kernel().data(), 400, 32);
        TestModels.pruneUnstructured(m, 0.0);
        java.util.Arrays.fill(((Dense) m.layers().get(8)).kernel().data(), 0f);
        for (InferenceModel original : new InferenceModel[] {pruned(), InferenceModel.compile(m), InferenceModel.compile(TestModels.tutorial(23))}) {
            Path f = dir.resolve("m.shrs");
            CompactModelFile.write(original, f);
            InferenceModel back = CompactModelFile.read(f);
            assertEquals(original.formats(), back.formats());
            float[] x = TestModels.randomInput(5, IMAGE, new Random(1));
            assertArrayEquals(original.predict(x, 5), back.predict(x, 5));
        }
    }

    @Test
    void modelWithZeroPaddingRoundTrips() throws IOException {
        Sequential m = TestModels.pruneUnstructured(Sequential.builder(10, 9, 3).seed(25)
                .add(Conv2D.builder(5, 3).activation(Activation.RELU).build())
                .add(new ZeroPadding2D(1, 0, 2, 1))
                .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(), 0.7);
        for (InferenceModel original : new InferenceModel[] {InferenceModel.compile(m),
            InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR))}) {
            Path f = dir.resolve("pad.shrs");
            CompactModelFile.write(original, f);
            InferenceModel back = CompactModelFile.read(f);
            assertEquals(original.formats(), back.formats());
            assertEquals(original.describe(), back.describe());
            float[] x = TestModels.randomInput(6, 10 * 9 * 3, new Random(3));
            assertArrayEquals(original.predict(x, 6), back.predict(x, 6));
            assertArrayEquals(m.predict(x, 6, 6), back.predict(x, 6), 1e-4f);
            assertEquals(ModelConfig.toConfig(m).get("layers").toString(), ModelConfig.toConfig(back.toSequential()).get("layers").toString());
        }
    }

    @Test
    void prunedFileIsAtMostThirtyPercentOfDenseSafetensors() throws IOException {
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(24), 0.8);
        Path dense = dir.resolve("dense.safetensors");
        ModelFiles.save(TestModels.tutorial(24), dense);
        Path compact = dir.resolve("pruned.shrs");
        CompactModelFile.write(InferenceModel.compile(m), compact);
        long d = Files.size(dense);
        long c = Files.size(compact);
        assertTrue(c <= 0.30 * d, "compact " + c + " bytes vs dense " + d);
        assertTrue(gzipSize(compact) < gzipSize(dense));
    }

    static long gzipSize(Path f) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Files.readAllBytes(f));
        }
        return bytes.size();
    }

    private Path bad(byte[] content) throws IOException {
        Path f = dir.resolve("bad.shrs");
        Files.write(f, content);
        return f;
    }

    private void assertRejected(byte[] content, String field, String words) throws IOException {
        Path f = bad(content);
        CompactFormatException e = assertThrows(CompactFormatException.class, () -> CompactModelFile.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(field) && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        byte[] ok = CompactModelFile.toBytes(pruned());
        assertRejected(java.util.Arrays.copyOf(ok, ok.length - 100), "file length", "truncated");
        assertRejected(java.util.Arrays.copyOf(ok, 10), "header", "truncated");
        assertRejected(new byte[0], "header", "truncated");
    }

    @Test
    void flippedByteIsAChecksumError() throws IOException {
        byte[] b = CompactModelFile.toBytes(pruned());
        b[b.length / 2] ^= 0x10;
        assertRejected(b, "checksum", "corrupted");
    }

    @Test
    void wrongVersionAndMagicAreRejected() throws IOException {
        byte[] b = CompactModelFile.toBytes(pruned());
        b[4] = 2;
        assertRejected(b, "version", "version 2");
        byte[] c = CompactModelFile.toBytes(pruned());
        c[0] = 'X';
        assertRejected(c, "magic", "not a Shears compact model file");
    }

    @Test
    void consistentChecksumButLyingCountIsRejectedBeforeAllocating() throws IOException {
        // Rewrite the layer count to a huge value and fix up the checksum: the structure check must catch it.
        byte[] b = CompactModelFile.toBytes(pruned());
        int archLen = LeReader.intAt(b, 16);
        int at = 20 + archLen;
        b[at + 3] = 0x7f;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 4);
        int v = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            b[b.length - 4 + i] = (byte) (v >>> (8 * i));
        }
        assertRejected(b, "layer count", "Conv2D/DepthwiseConv2D/Dense/BatchNormalization layers");
    }

    /** A compact file with one Dense(units) layer on {@code inputs} features, its kernel all zeros (gaps encoding). */
    private static byte[] zeroDenseFile(int inputs, int units) {
        String arch = "{\"class_name\":\"Sequential\",\"name\":\"s\",\"input_shape\":[" + inputs + "],\"seed\":0,\"layers\":"
                + "[{\"class_name\":\"Dense\",\"name\":\"dense\",\"config\":{\"units\":" + units
                + ",\"activation\":\"linear\",\"kernel_initializer\":\"zeros\"}}]}";
        byte[] json = ("{\"model\":" + arch + ",\"kernels\":{},\"max_batch\":8}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        LeBuffer out = new LeBuffer();
        out.bytes(CompactModelFile.MAGIC);
        out.u16(CompactModelFile.VERSION);
        out.u16(0);
        out.u64(0);
        out.u32(json.length);
        out.bytes(json);
        out.u32(1);
        out.u8(1); // gaps
        out.u32(inputs);
        out.u32(units);
        out.u32(0); // no non-zeros
        out.floats(new float[units], units);
        out.patchU64(8, out.size() + 4L);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(out.array(), 0, out.size());
        out.u32((int) crc.getValue());
        return out.toByteArray();
    }

    @Test
    void zeroRunsCannotDescribeAModelFarLargerThanTheFile() throws IOException {
        assertEquals(4, CompactModelFile.fromBytes(zeroDenseFile(16, 4), dir.resolve("ok.shrs")).predict(new float[16], 1).length);
        // 2^24 zero weights in about 1.3 KB: more than MAX_VALUES_PER_BYTE per byte; refused before the model is built
        assertRejected(zeroDenseFile(65536, 256), "architecture.model", "per byte");
    }

    @Test
    void layerRecordShapeMustMatchTheArchitecture() throws IOException {
        byte[] b = zeroDenseFile(16, 4);
        byte[] other = zeroDenseFile(16, 5);
        // splice a record for (16, 5) after the header of (16, 4): the k/oc check, not the CRC, must catch it
        int headerAndJson = 20 + LeReader.intAt(b, 16) + 4;
        byte[] spliced = java.util.Arrays.copyOf(b, headerAndJson + (other.length - headerAndJson));
        System.arraycopy(other, headerAndJson, spliced, headerAndJson, other.length - headerAndJson);
        java.nio.ByteBuffer.wrap(spliced).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8, spliced.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(spliced, 0, spliced.length - 4);
        java.nio.ByteBuffer.wrap(spliced).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(spliced.length - 4, (int) crc.getValue());
        assertRejected(spliced, "layer dense shape", "(16, 5) does not match the architecture's kernel (16, 4)");
    }

    @Test
    void nonFiniteWeightsAreRejectedOnRequest() throws IOException {
        Sequential m = TestModels.tutorial(26);
        m.parameter("dense/bias").data()[3] = Float.POSITIVE_INFINITY;
        Path f = dir.resolve("inf.shrs");
        CompactModelFile.write(InferenceModel.compile(m), f);
        CompactModelFile.read(f); // accepted unless asked
        CompactFormatException e = assertThrows(CompactFormatException.class, () -> CompactModelFile.read(f, true));
        assertTrue(e.getMessage().startsWith(f + ": layer dense bias: value 3 is Infinity"), e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> InferenceModel.compile(m, InferenceModel.Options.defaults().withRejectNonFinite(true)));
        assertTrue(c.getMessage().contains("dense/bias") && c.getMessage().contains("Infinity"), c.getMessage());
        InferenceModel.compile(TestModels.tutorial(26), InferenceModel.Options.defaults().withRejectNonFinite(true));
    }
}
