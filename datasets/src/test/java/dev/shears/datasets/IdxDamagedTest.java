package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged IDX files, plain and compressed: every truncation and a fixed sample of bit flips. Each must
 * either fail with an {@link IdxFormatException} naming the file, or read as an array (a flipped value).
 */
class IdxDamagedTest {
    private static final String NAME = "damaged.idx";

    private static byte[] file(Compression compression) throws IOException {
        byte[] values = new byte[6 * 5 * 4];
        new Random(1).nextBytes(values);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = compression.compress(bytes)) {
            Idx.write(z, IdxArray.ofUnsignedBytes(values, 6, 5, 4));
        }
        return bytes.toByteArray();
    }

    private static void check(String what, byte[] content) {
        try {
            Idx.read(content, NAME);
        } catch (IdxFormatException e) {
            assertTrue(e.getMessage().startsWith(NAME + ": "), what + ": " + e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected an IdxFormatException, got " + t, t);
        }
    }

    @Test
    void truncationsAndBitFlipsGiveOnlyFormatErrors() throws IOException {
        Random rng = new Random(2);
        for (Compression c : new Compression[] {Compression.NONE, Compression.GZIP, Compression.BZIP2, Compression.XZ}) {
            byte[] ok = file(c);
            for (int len = 0; len < ok.length; len++) {
                check(c + " truncated to " + len, Arrays.copyOf(ok, len));
            }
            for (int i = 0; i < 800; i++) {
                int bit = rng.nextInt(ok.length * 8);
                byte[] b = ok.clone();
                b[bit / 8] ^= (byte) (1 << (bit % 8));
                check(c + " bit " + bit + " flipped", b);
            }
        }
    }
}
