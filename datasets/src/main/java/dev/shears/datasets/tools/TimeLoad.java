package dev.shears.datasets.tools;

import dev.shears.datasets.FashionMnist;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times {@link FashionMnist#load(FashionMnist.Options)} of the full set (70,000 images from gzip'd IDX),
 * without downloading, and prints each run and the median.
 *
 * <pre>{@code mvn -q -pl datasets exec:java -Dexec.mainClass=dev.shears.datasets.tools.TimeLoad -Dexec.args=7}</pre>
 */
public final class TimeLoad {
    private TimeLoad() {
    }

    /** Argument: number of runs (default 5). */
    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        FashionMnist.Options options = FashionMnist.Options.defaults().withDownload(false);
        double[] ms = new double[runs];
        String source = "";
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            FashionMnist.Data data = FashionMnist.load(options);
            ms[r] = (System.nanoTime() - t0) / 1e6;
            source = data.source() + ", " + data.train().size() + " + " + data.test().size() + " images";
            System.out.printf(Locale.ROOT, "run %d: %.0f ms%n", r + 1, ms[r]);
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "median %.0f ms, best %.0f ms (%s)%n", ms[runs / 2], ms[0], source);
    }
}
