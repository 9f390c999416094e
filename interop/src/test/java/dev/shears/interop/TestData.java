package dev.shears.interop;

import dev.shears.data.Dataset;
import dev.shears.datasets.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Real Fashion-MNIST images (the embedded sample) and the committed fixture files. */
final class TestData {
    /** Images compared in every parity test. */
    static final int IMAGES = 100;
    private static FashionMnist.Data sample;

    private TestData() {
    }

    /** The embedded sample (2,000 training and 1,000 test images, real Fashion-MNIST). */
    static synchronized FashionMnist.Data sample() {
        if (sample == null) {
            try {
                sample = FashionMnist.sample();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sample;
    }

    /** The first {@link #IMAGES} test images of the sample, NHWC (n, 28, 28, 1), scaled to [0, 1];
     * with one channel this is also their NCHW order. */
    static float[] testImages() {
        Dataset test = sample().test();
        return java.util.Arrays.copyOf(test.features(), IMAGES * test.featureSize());
    }

    /** A fixture file made by {@code interop/scripts/make_fixtures.py}. */
    static Path fixture(String name) {
        try {
            return Path.of(TestData.class.getResource("fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name + " is missing; see interop/scripts/make_fixtures.py", e);
        }
    }

    /** Largest absolute difference. */
    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
