package dev.shears.datasets;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the real Fashion-MNIST files for the tests that need them, or skips those tests. */
final class RealFiles {
    static final String HOW_TO_GET = "real Fashion-MNIST files not found in $SHEARS_DATA_DIR or "
            + FashionMnist.SYSTEM_DIR + "; skipped. Get them with `apt-get install dataset-fashion-mnist`, "
            + "or set SHEARS_DATA_DIR to a directory holding " + String.join(", ", FashionMnist.FILES);

    private RealFiles() {
    }

    /** The directory holding the four canonical gzip'd files, or null. */
    static Path dir() {
        String env = System.getenv(FashionMnist.ENV_DATA_DIR);
        for (Path d : env == null ? new Path[] {FashionMnist.SYSTEM_DIR}
                : new Path[] {Path.of(env), Path.of(env, "fashion-mnist"), FashionMnist.SYSTEM_DIR}) {
            if (FashionMnist.FILES.stream().allMatch(name -> Files.isRegularFile(d.resolve(name)))) {
                return d;
            }
        }
        return null;
    }

    /** The directory, or an aborted (skipped) test saying how to get the files. */
    static Path assumeDir() {
        Path d = dir();
        assumeTrue(d != null, HOW_TO_GET);
        return d;
    }
}
