package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdxRoundTripTest {
    private static final int[] DIMS = {3, 5, 7};
    private static final int N = 3 * 5 * 7;

    @TempDir
    Path tmp;

    /** A fixture of every type, values covering each type's extremes. */
    static IdxArray fixture(IdxType type) {
        Random rng = new Random(42);
        return switch (type) {
            case UNSIGNED_BYTE, BYTE -> {
                byte[] b = new byte[N];
                rng.nextBytes(b);
                b[0] = (byte) 0xFF;
                b[1] = 0;
                yield type == IdxType.BYTE ? IdxArray.ofBytes(b, DIMS) : IdxArray.ofUnsignedBytes(b, DIMS);
            }
            case SHORT -> {
                short[] s = new short[N];
                for (int i = 0; i < N; i++) {
                    s[i] = (short) rng.nextInt();
                }
                s[0] = Short.MIN_VALUE;
                s[1] = Short.MAX_VALUE;
                yield IdxArray.ofShorts(s, DIMS);
            }
            case INT -> {
                int[] v = rng.ints(N).toArray();
                v[0] = Integer.MIN_VALUE;
                v[1] = Integer.MAX_VALUE;
                yield IdxArray.ofInts(v, DIMS);
            }
            case FLOAT -> {
                float[] f = new float[N];
                for (int i = 0; i < N; i++) {
                    f[i] = (float) rng.nextGaussian();
                }
                f[0] = Float.MIN_VALUE;
                f[1] = Float.NEGATIVE_INFINITY;
                f[2] = -0f;
                yield IdxArray.ofFloats(f, DIMS);
            }
            case DOUBLE -> {
                double[] d = rng.doubles(N).toArray();
                d[0] = Double.MAX_VALUE;
                d[1] = -Double.MIN_VALUE;
                yield IdxArray.ofDoubles(d, DIMS);
            }
        };
    }

    @ParameterizedTest
    @EnumSource(IdxType.class)
    void plainRoundTripEveryType(IdxType type) throws IOException {
        IdxArray a = fixture(type);
        Path file = tmp.resolve("a.idx");
        Idx.write(file, a);
        assertEquals(4 + 4 * 3 + (long) N * type.bytes(), Files.size(file));
        assertEquals(a, Idx.read(file));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "BZIP2", "XZ"})
    void compressedRoundTripEveryType(Compression compression) throws IOException {
        for (IdxType type : IdxType.values()) {
            IdxArray a = fixture(type);
            // A neutral name: the reader must detect the compression by content.
            Path file = tmp.resolve(type + ".bin");
            Idx.write(file, a, compression);
            assertEquals(a, Idx.read(file), type + " via " + compression);
        }
    }

    @Test
    void headerIsBigEndianMagicThenDimensions() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Idx.write(out, IdxArray.ofShorts(new short[] {0x0102, 0x0304}, 1, 2));
        byte[] expected = {0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4};
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void readFloatsDividesEveryType() throws IOException {
        for (IdxType type : IdxType.values()) {
            IdxArray a = fixture(type);
            Path file = tmp.resolve(type + ".idx.gz");
            Idx.write(file, a);
            IdxArray f = Idx.readFloats(file, 255f);
            assertEquals(IdxType.FLOAT, f.type());
            assertArrayEquals(DIMS, f.dims());
            for (int i = 0; i < N; i++) {
                assertEquals((float) (a.get(i) / 255.0), f.floats()[i], Math.ulp((float) (a.get(i) / 255.0)), type + " value " + i);
            }
        }
    }

    @Test
    void unsignedBytesAsFloatsArePixelOver255Exactly() throws IOException {
        byte[] b = new byte[256];
        for (int v = 0; v < 256; v++) {
            b[v] = (byte) v;
        }
        Path file = tmp.resolve("pixels.idx");
        Idx.write(file, IdxArray.ofUnsignedBytes(b, 256));
        float[] f = Idx.readFloats(file, 255f).floats();
        for (int v = 0; v < 256; v++) {
            assertEquals(v / 255f, f[v]);
        }
    }

    @Test
    void largeArraySpansManyChunks() throws IOException {
        double[] d = new Random(7).doubles(3 * Compression.BUFFER / 8 + 5).toArray();
        IdxArray a = IdxArray.ofDoubles(d, d.length);
        Path file = tmp.resolve("big.idx.gz");
        Idx.write(file, a);
        assertEquals(a, Idx.read(file));
    }

    @Test
    void emptyArrayAndHighRank() throws IOException {
        IdxArray empty = IdxArray.ofInts(new int[0], 0, 4);
        IdxArray rank5 = IdxArray.ofUnsignedBytes(new byte[32], 2, 2, 2, 2, 2);
        Idx.write(tmp.resolve("empty.idx"), empty);
        Idx.write(tmp.resolve("rank5.idx.gz"), rank5);
        assertEquals(empty, Idx.read(tmp.resolve("empty.idx")));
        assertEquals(rank5, Idx.read(tmp.resolve("rank5.idx.gz")));
    }

    @Test
    void gzipOutputIsDeterministic() throws IOException {
        IdxArray a = fixture(IdxType.FLOAT);
        Idx.write(tmp.resolve("one.gz"), a);
        Idx.write(tmp.resolve("two.gz"), a);
        byte[] one = Files.readAllBytes(tmp.resolve("one.gz"));
        assertArrayEquals(one, Files.readAllBytes(tmp.resolve("two.gz")));
        assertArrayEquals(new byte[4], Arrays.copyOfRange(one, 4, 8), "gzip MTIME must be 0");
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = tmp.resolve("a.idx");
        Idx.write(file, fixture(IdxType.INT));
        Idx.write(file, fixture(IdxType.SHORT));
        assertEquals(IdxType.SHORT, Idx.read(file).type());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }
}
