package dev.shears.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.Initializer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.TutorialModels;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.ops.ConvOps.Padding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void saveLoadRoundTripIsBitExact() throws IOException {
        Sequential m = TutorialModels.tutorialCnn(17);
        Path f = dir.resolve("m.safetensors");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f);
        assertEquals(m.summary(), back.summary());
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), back.parameter(p.name()).data(), p.name());
        }
        float[] x = new float[3 * 784];
        Random rng = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        assertArrayEquals(m.predict(x, 3, 2), back.predict(x, 3, 2));
    }

    @Test
    void modelWithZeroPaddingRoundTripsBitExact() throws IOException {
        Sequential m = Sequential.builder(9, 7, 2).seed(31)
                .add(new ZeroPadding2D(1))
                .add(new Conv2D(4, 3, 3, 2, 2, Padding.VALID, Activation.RELU, Initializer.GLOROT_UNIFORM))
                .add(new ZeroPadding2D(0, 1, 2, 0))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
        Path f = dir.resolve("pad.safetensors");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f);
        assertEquals(m.summary(), back.summary());
        ZeroPadding2D z = (ZeroPadding2D) back.layers().get(2);
        assertArrayEquals(new int[] {0, 1, 2, 0}, new int[] {z.top(), z.bottom(), z.left(), z.right()});
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), back.parameter(p.name()).data(), p.name());
        }
        float[] x = new float[4 * 9 * 7 * 2];
        Random rng = new Random(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        assertArrayEquals(m.predict(x, 4, 3), back.predict(x, 4, 3));
    }

    @Test
    void fileIsStandardSafetensors() throws IOException {
        Sequential m = Sequential.builder(3).add(new Dense(2, Activation.LINEAR)).build();
        Path f = dir.resolve("d.safetensors");
        ModelFiles.save(m, f);
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8, "data section is 8-byte aligned");
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8).trim();
        Map<?, ?> json = (Map<?, ?>) Json.parse(header);
        Map<?, ?> kernel = (Map<?, ?>) json.get("dense/kernel");
        assertEquals("F32", kernel.get("dtype"));
        assertEquals(java.util.List.of(3L, 2L), kernel.get("shape"));
        assertEquals(java.util.List.of(0L, 24L), kernel.get("data_offsets"));
        assertEquals(8 + headerLen + 24 + 8, bytes.length);
        float first = ByteBuffer.wrap(bytes, (int) (8 + headerLen), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(m.parameter("dense/kernel").data()[0], first);
    }

    @Test
    void loadingIntoADifferentModelListsEveryDifference() throws IOException {
        Path f = dir.resolve("m.safetensors");
        ModelFiles.save(Sequential.builder(4).add(new Dense(3, Activation.RELU)).add(new Dense(2, Activation.LINEAR)).build(), f);
        Sequential other = Sequential.builder(4).add(new Dense(5, Activation.RELU)).add(new Dense(2, Activation.LINEAR))
                .add(new Dense(2, Activation.LINEAR)).build();
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.loadWeights(other, f));
        String msg = e.getMessage();
        assertTrue(msg.contains("dense/kernel") && msg.contains("[4, 3]") && msg.contains("[4, 5]"), msg);
        assertTrue(msg.contains("missing tensor 'dense_2/kernel'"), msg);
        assertTrue(msg.contains(f.toString()), msg);
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        Path f = dir.resolve("m.safetensors");
        ModelFiles.save(TutorialModels.tutorialCnn(1), f);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 10));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void absurdHeaderLengthFailsBeforeAllocating() throws IOException {
        Path f = dir.resolve("evil.safetensors");
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(Long.MAX_VALUE / 2);
        Files.write(f, b.array());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void offsetsThatDisagreeWithShapeAreRejected() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[100000000],\"data_offsets\":[0,8]}}";
        Path f = writeRaw(header, new byte[8]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("w.data_offsets"), e.getMessage());
    }

    @Test
    void badJsonAndUnknownDtypeAreRejected() throws IOException {
        assertThrows(ModelFormatException.class, () -> Safetensors.read(writeRaw("{\"w\": [", new byte[0])));
        Path f = writeRaw("{\"w\":{\"dtype\":\"BF17\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("w.dtype"), e.getMessage());
    }

    @Test
    void weightsOnlyFileNeedsCodeBuiltModel() throws IOException {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        t.put("x", Safetensors.Entry.ofFloats(new float[] {1, 2}, 2));
        Path f = dir.resolve("w.safetensors");
        Safetensors.write(f, t, Map.of());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains("architecture"), e.getMessage());
    }

    @Test
    void failedWriteLeavesPreviousFileIntact() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", java.util.List.of(1L, 2.5, "x\"y\n", true));
        m.put("b", null);
        assertEquals(m, Json.parse(Json.write(m)));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] 2"));
    }

    private Path writeRaw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(f, b.array());
        return f;
    }
}
