package dev.shears.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzz target (Jazzer) for the IDX reader, compressed or not: it reads the bytes or throws
 * its checked {@link IdxFormatException}; anything else is a finding. Every build replays the seeds in
 * {@code IdxFuzzTestInputs/idx/} (plain, gzip'd and float IDX files written by
 * {@code datasets/src/test/python/make_idx_seeds.py}). To fuzz: {@code JAZZER_FUZZ=1 mvn -pl datasets test
 * -Dtest='IdxFuzzTest#idx'}.
 */
class IdxFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void idx(byte[] data) throws IOException {
        try {
            IdxArray a = Idx.read(data, "fuzz-input");
            long n = 1;
            for (int d : a.dims()) {
                n *= d;
            }
            if (n < 0) {
                throw new AssertionError("negative element count");
            }
        } catch (IdxFormatException expected) {
            // a refusal naming the field is the right answer to bad bytes
        }
    }
}
