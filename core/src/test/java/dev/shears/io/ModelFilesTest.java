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
import dev.shears.nn.Padding;
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
    void aCompactOrKerasFileNamesTheLoaderThatReadsIt() throws Exception {
        Sequential model = TutorialModels.tutorialCnn(1);
        Path shrs = dir.resolve("model.shrs");
        dev.shears.infer.CompactModelFile.write(dev.shears.infer.InferenceModel.compile(model), shrs);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(shrs));
        assertTrue(e.getMessage().contains("compact runtime file") && e.getMessage().contains("CompactModelFile.read"), e.getMessage());
        Path h5 = dir.resolve("model.h5");
        Files.write(h5, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0});
        assertTrue(assertThrows(ModelFormatException.class, () -> ModelFiles.load(h5)).getMessage().contains("KerasModels.load"));
    }

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
                .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
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

    /** The architecture of a small model as parsed JSON, to edit. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> architecture(Sequential m) {
        return (Map<String, Object>) Json.parse(Json.write(dev.shears.nn.ModelConfig.toConfig(m)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> layerConfig(Map<String, Object> arch, int i) {
        return (Map<String, Object>) ((Map<String, Object>) ((java.util.List<Object>) arch.get("layers")).get(i)).get("config");
    }

    private static Map<String, Safetensors.Entry> tensorsOf(Sequential m) {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        for (Parameter p : m.parameters()) {
            t.put(p.name(), Safetensors.Entry.ofFloats(p.data(), p.value().shape()));
        }
        return t;
    }

    /** A file holding {@code m}'s weights under the architecture {@code arch}, written by hand (no checksum). */
    private Path withArchitecture(Sequential m, Map<String, Object> arch) throws IOException {
        Path f = Files.createTempFile(dir, "arch", ".safetensors");
        Files.write(f, SafetensorsBytes.of(tensorsOf(m), Map.of("architecture", Json.write(arch))));
        return f;
    }

    private static Sequential small() {
        return Sequential.builder(6, 6, 1).seed(4)
                .add(Conv2D.builder(2, 3).activation(Activation.RELU).build())
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
    }

    @Test
    void badArchitectureFieldIsAFormatErrorNamingFileAndField() throws IOException {
        Map<String, Object> arch = architecture(small());
        layerConfig(arch, 0).put("kernel_size", java.util.List.of(3L, 3L, 3L));
        Path f = withArchitecture(small(), arch);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().startsWith(f + ": __metadata__.architecture: ") && e.getMessage().contains("layers[0] (Conv2D).kernel_size"),
                e.getMessage());
    }

    @Test
    void hugeLayerInASmallFileFailsBeforeAllocating() throws IOException {
        // Dense(2^20) on 64 * 16 = 1024 inputs: a 2^30-value (4 GB) kernel the file does not hold.
        Map<String, Object> arch = architecture(small());
        arch.put("input_shape", java.util.List.of(66L, 18L, 1L));
        layerConfig(arch, 0).put("filters", 1L);
        layerConfig(arch, 2).put("units", 1L << 20);
        Path f = withArchitecture(small(), arch);
        assertTrue(Files.size(f) < 4096);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().startsWith(f + ": tensors: ") && e.getMessage().contains("dense/kernel")
                && e.getMessage().contains("[1024, 1048576]"), e.getMessage());
    }

    @Test
    void flippedDataByteIsAChecksumError() throws IOException {
        Path f = dir.resolve("m.safetensors");
        ModelFiles.save(small(), f);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 5] ^= 0x01;
        Files.write(f, b);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().startsWith(f + ": __metadata__." + Safetensors.CHECKSUM_KEY + ": corrupted: checksum"), e.getMessage());
        assertThrows(ModelFormatException.class, () -> Safetensors.read(f), "plain reads verify it too");
    }

    @Test
    void malformedChecksumIsRejected() throws IOException {
        Sequential m = small();
        Path f = dir.resolve("bad-crc.safetensors");
        Files.write(f, SafetensorsBytes.of(tensorsOf(m), Map.of("architecture", Json.write(architecture(m)),
                Safetensors.CHECKSUM_KEY, "not-hex!")));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains(Safetensors.CHECKSUM_KEY) && e.getMessage().contains("8 lower-case hex digits"), e.getMessage());
    }

    @Test
    void writtenFilesRecordTheChecksumOfTheirData() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Sequential m = small();
        ModelFiles.save(m, f);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (Parameter p : m.parameters()) {
            crc.update(Safetensors.Entry.ofFloats(p.data(), p.value().shape()).raw());
        }
        assertEquals(String.format("%08x", crc.getValue()), Safetensors.read(f).metadata().get(Safetensors.CHECKSUM_KEY));
    }

    @Test
    void foreignFileWithoutChecksumStillLoads() throws IOException {
        Sequential m = small();
        Path f = withArchitecture(m, architecture(m));
        assertTrue(!Safetensors.read(f).metadata().containsKey(Safetensors.CHECKSUM_KEY));
        Sequential back = ModelFiles.load(f);
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), back.parameter(p.name()).data(), p.name());
        }
    }

    @Test
    void tooManyTensorsAreRejected() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i <= Safetensors.MAX_TENSORS; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path f = writeRaw(h.append('}').toString(), new byte[0]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("header") && e.getMessage().contains("limit of " + Safetensors.MAX_TENSORS), e.getMessage());
    }

    @Test
    void shapeWhoseSizeOverflowsIsRejected() throws IOException {
        Path f = writeRaw("{\"w\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647,4],\"data_offsets\":[0,8]}}",
                new byte[8]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f + ": w.shape") && e.getMessage().contains("more than one tensor may hold"), e.getMessage());
        Path g = writeRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,1.5],\"data_offsets\":[0,8]}}", new byte[8]);
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.read(g)).getMessage().contains("w.shape"));
    }

    @Test
    void overlappingOffsetsAreRejectedAndEmptyTensorsAccepted() throws IOException {
        Path f = writeRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("b.data_offsets") && e.getMessage().contains("tile"), e.getMessage());
        // a zero-length tensor may share its begin with the next one, listed in either order
        Path g = writeRaw("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[8]);
        assertEquals(2, Safetensors.read(g).tensors().size());
    }

    @Test
    void newerFormatVersionIsRejected() throws IOException {
        Sequential m = small();
        Path f = Files.createTempFile(dir, "v2", ".safetensors");
        Files.write(f, SafetensorsBytes.of(tensorsOf(m), Map.of("format_version", "2", "architecture", Json.write(architecture(m)))));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains("__metadata__.format_version"), e.getMessage());
    }

    @Test
    void nonFiniteWeightsAreRejectedOnRequest() throws IOException {
        Sequential m = small();
        m.parameter("dense/kernel").data()[5] = Float.NaN;
        Path f = dir.resolve("nan.safetensors");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f); // loading alone accepts them
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.checkFinite(back, f));
        assertTrue(e.getMessage().startsWith(f + ": dense/kernel: value 5 is NaN"), e.getMessage());
        ModelFiles.checkFinite(small(), f);
    }

    @Test
    void staleTempFilesOfKilledWritersAreDeletedOnTheNextWrite() throws IOException {
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(AtomicFiles.STALE_AFTER).minusSeconds(60));
        Path stale = Files.write(dir.resolve(AtomicFiles.TEMP_PREFIX + "m.safetensors.1234abcd"), new byte[10]);
        Files.setLastModifiedTime(stale, old);
        Path fresh = Files.write(dir.resolve(AtomicFiles.TEMP_PREFIX + "n.safetensors.5678ef01"), new byte[10]);
        Path other = Files.write(dir.resolve("notes.tmp"), new byte[10]);
        Files.setLastModifiedTime(other, old);
        AtomicFiles.write(dir.resolve("out.bin"), new byte[] {1});
        assertTrue(!Files.exists(stale), "a killed writer's temp file is deleted");
        assertTrue(Files.exists(fresh), "a live writer's temp file is kept");
        assertTrue(Files.exists(other), "files without the prefix are never touched");
        assertEquals(0, AtomicFiles.deleteStaleTemps(dir, java.time.Instant.now()));
    }

    @Test
    void tempFilesCarryThePrefix() throws IOException {
        Path target = dir.resolve("seen.bin");
        java.util.List<String> names = new java.util.ArrayList<>();
        AtomicFiles.write(target, out -> {
            try (var s = Files.list(dir)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            }
            out.write(1);
        });
        assertEquals(1, names.size(), names.toString());
        assertTrue(names.get(0).startsWith(AtomicFiles.TEMP_PREFIX + "seen.bin."), names.get(0));
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
