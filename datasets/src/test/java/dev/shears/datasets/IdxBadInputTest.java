package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per way an IDX file can be bad; each writes its own fixture. */
class IdxBadInputTest {
    @TempDir
    Path tmp;

    /** Magic {@code 00 00 type rank}, then the dimensions, then {@code bodyBytes} zero bytes. */
    static byte[] idx(int type, int rank, int[] dims, int bodyBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + bodyBytes);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) rank);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = Compression.GZIP.compress(bytes)) {
            z.write(raw);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code content} to a file, reads it, and returns the failure, checking it names the file and field. */
    private IdxFormatException fails(byte[] content, String field, String fragment) throws IOException {
        Path file = tmp.resolve("bad.idx");
        Files.write(file, content);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
        assertEquals(file.toString(), e.file());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        return e;
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = idx(0x08, 1, new int[] {2}, 2);
        b[0] = 'P';
        b[1] = 'K';
        fails(b, "magic", "expected 00 00");
    }

    @Test
    void emptyFile() throws IOException {
        fails(new byte[0], "magic", "file ends after 0 bytes");
    }

    @Test
    void unknownTypeCode() throws IOException {
        fails(idx(0x0A, 1, new int[] {2}, 2), "type code", "0x0A");
    }

    @Test
    void rankZero() throws IOException {
        fails(idx(0x08, 0, new int[0], 0), "rank", "is 0");
    }

    @Test
    void absurdRank() throws IOException {
        fails(idx(0x08, 200, new int[] {1, 1}, 0), "rank", "is 200");
    }

    @Test
    void truncatedHeader() throws IOException {
        fails(idx(0x08, 3, new int[] {60000, 28}, 0), "dimensions", "ends inside the 3 dimensions");
    }

    @Test
    void dimensionAboveSignedRange() throws IOException {
        fails(idx(0x08, 1, new int[] {-1}, 0), "dimension 0", "4294967295");
    }

    @Test
    void dimensionProductOverflows() throws IOException {
        fails(idx(0x0E, 3, new int[] {65536, 65536, 65536}, 0), "dimensions", "exceeds");
    }

    @Test
    void fortyByteFileClaimingBillionsOfImagesFailsAtOnce() throws IOException {
        byte[] b = Arrays.copyOf(idx(0x08, 3, new int[] {Integer.MAX_VALUE, 28, 28}, 0), 40);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> fails(b, "dimensions", "exceeds"));
    }

    @Test
    void claimBeyondFileSizeFailsBeforeAllocating() throws IOException {
        // Fits one array (2^30 floats, 4 GiB) but the 40-byte file holds 32 bytes of data.
        byte[] b = idx(0x0D, 1, new int[] {1 << 30}, 32);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> fails(b, "body", "holds 32"));
    }

    @Test
    void compressedClaimBeyondStreamFailsBeforeAllocating() throws IOException {
        byte[] b = gzip(idx(0x0D, 1, new int[] {1 << 30}, 32));
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> fails(b, "body", "decompressed stream holds 32"));
    }

    @Test
    void truncatedBody() throws IOException {
        fails(idx(0x0C, 2, new int[] {10, 10}, 399), "body", "truncated");
    }

    @Test
    void truncatedBodyInsideGzip() throws IOException {
        fails(gzip(idx(0x0C, 2, new int[] {10, 10}, 399)), "body", "value 99 of 100");
    }

    @Test
    void trailingBytes() throws IOException {
        fails(idx(0x08, 1, new int[] {10}, 11), "body", "1 trailing bytes");
    }

    @Test
    void trailingBytesInsideGzip() throws IOException {
        fails(gzip(idx(0x08, 1, new int[] {10}, 11)), "body", "trailing bytes");
    }

    @Test
    void corruptedGzipStream() throws IOException {
        byte[] b = gzip(idx(0x0D, 2, new int[] {100, 100}, 40000));
        for (int i = 12; i < b.length - 8; i += 7) {
            b[i] ^= 0x5A;
        }
        fails(b, "gzip stream", "corrupted");
    }

    @Test
    void truncatedGzipStream() throws IOException {
        byte[] b = gzip(idx(0x0D, 2, new int[] {100, 100}, 40000));
        fails(Arrays.copyOf(b, b.length / 2), "gzip stream", "corrupted or truncated");
    }

    @Test
    void gzipChecksumMismatch() throws IOException {
        byte[] b = gzip(idx(0x08, 1, new int[] {1000}, 1000));
        b[b.length - 8] ^= 1; // CRC32 in the trailer
        fails(b, "gzip stream", "corrupted");
    }

    @Test
    void corruptedBzip2Stream() throws IOException {
        Path file = tmp.resolve("good.bz2");
        Idx.write(file, IdxArray.ofInts(new int[5000], 5000), Compression.BZIP2);
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x33;
        b[b.length / 2 + 1] ^= 0x33;
        fails(b, "bzip2 stream", "corrupted");
    }
}
