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
import dev.shears.ops.ConvOps.Padding;
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
            assertEquals(original.kernels(), back.kernels());
            float[] x = TestModels.randomInput(5, IMAGE, new Random(1));
            assertArrayEquals(original.predict(x, 5), back.predict(x, 5));
        }
    }

    @Test
    void modelWithZeroPaddingRoundTrips() throws IOException {
        Sequential m = TestModels.pruneUnstructured(Sequential.builder(10, 9, 3).seed(25)
                .add(new Conv2D(5, 3, 3, 1, 1, Padding.VALID, Activation.RELU, Initializer.GLOROT_UNIFORM))
                .add(new ZeroPadding2D(1, 0, 2, 1))
                .add(new Conv2D(4, 3, 3, 2, 2, Padding.VALID, Activation.RELU, Initializer.GLOROT_UNIFORM))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(), 0.7);
        for (InferenceModel original : new InferenceModel[] {InferenceModel.compile(m),
            InferenceModel.compile(m, InferenceModel.Options.auto().force(Kernel.CSR))}) {
            Path f = dir.resolve("pad.shrs");
            CompactModelFile.write(original, f);
            InferenceModel back = CompactModelFile.read(f);
            assertEquals(original.kernels(), back.kernels());
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
}
