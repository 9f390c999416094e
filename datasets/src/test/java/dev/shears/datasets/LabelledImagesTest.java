package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledImagesTest {
    @TempDir
    Path tmp;

    private Path images(int n, int h, int w) throws IOException {
        byte[] px = new byte[n * h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37);
        }
        Path file = tmp.resolve("images.idx.gz");
        Idx.write(file, IdxArray.ofUnsignedBytes(px, n, h, w));
        return file;
    }

    private Path labels(byte... y) throws IOException {
        Path file = tmp.resolve("labels.idx.gz");
        Idx.write(file, IdxArray.ofUnsignedBytes(y, y.length));
        return file;
    }

    @Test
    void pairsImagesAndLabels() throws IOException {
        Dataset d = LabelledImages.load(images(3, 2, 4), labels((byte) 2, (byte) 0, (byte) 1), 3);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {2, 4, 1}, d.featureShape());
        assertArrayEquals(new int[] {2, 0, 1}, d.labels());
        float[] x = d.features();
        for (int i = 0; i < x.length; i++) {
            assertEquals(((i * 37) & 0xFF) / 255f, x[i]);
        }
    }

    @Test
    void imagesAreKeptAsBytesAndGatherTheFloatsTheIdxReaderDecodes() throws IOException {
        Path file = images(5, 28, 28);
        Dataset d = LabelledImages.load(file, labels((byte) 0, (byte) 1, (byte) 2, (byte) 1, (byte) 0), 3);
        assertEquals(5L * 28 * 28, d.storedBytes(), "one byte per pixel, not four");
        float[] expected = Idx.readFloats(file, 255f).floats();
        assertArrayEquals(expected, d.features()); // bit for bit
        float[] batch = new float[2 * 784];
        Dataset shuffled = d.shuffle(4);
        shuffled.gather(1, 2, batch, null);
        int[] order = Dataset.permutation(5, 4);
        for (int e = 0; e < 2; e++) {
            for (int j = 0; j < 784; j++) {
                assertEquals(expected[order[1 + e] * 784 + j], batch[e * 784 + j]);
            }
        }
    }

    @Test
    void rank4ImagesKeepTheirChannels() throws IOException {
        Path file = tmp.resolve("rgb.idx");
        Idx.write(file, IdxArray.ofUnsignedBytes(new byte[2 * 2 * 2 * 3], 2, 2, 2, 3));
        assertArrayEquals(new int[] {2, 2, 3}, LabelledImages.load(file, labels((byte) 0, (byte) 1), 2).featureShape());
    }

    @Test
    void differentCountsAreRejected() throws IOException {
        Path x = images(3, 2, 2);
        Path y = labels((byte) 0, (byte) 1);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> LabelledImages.load(x, y, 10));
        assertEquals(x.toString(), e.file());
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void labelOutsideClassRangeIsRejected() throws IOException {
        Path x = images(3, 2, 2);
        Path y = labels((byte) 0, (byte) 10, (byte) 1);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> LabelledImages.load(x, y, 10));
        assertEquals(y.toString(), e.file());
        assertEquals("label 1", e.field());
    }

    @Test
    void nonByteImagesAreRejected() throws IOException {
        Path x = tmp.resolve("floats.idx");
        Idx.write(x, IdxArray.ofFloats(new float[8], 2, 2, 2));
        Path y = labels((byte) 0, (byte) 1);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> LabelledImages.load(x, y, 10));
        assertEquals("type code", e.field());
    }

    @Test
    void labelsOfRankTwoAreRejected() throws IOException {
        Path x = images(2, 2, 2);
        Path y = tmp.resolve("labels2d.idx");
        Idx.write(y, IdxArray.ofUnsignedBytes(new byte[2], 2, 1));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> LabelledImages.load(x, y, 10));
        assertEquals("rank", e.field());
    }
}
