package dev.shears.train;

import dev.shears.data.Dataset;
import java.util.Random;

/** Generated, linearly separable image data: class k has a bright vertical bar in column band k. */
public final class SyntheticData {
    private SyntheticData() {
    }

    /** n images of (8, 8, 1) in {@code classes} classes (at most 4), with Gaussian noise. */
    public static Dataset bars(int n, int classes, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(classes);
            y[i] = label;
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    float v = (float) (rng.nextGaussian() * 0.3);
                    if (c / 2 == label) {
                        v += 1f;
                    }
                    x[i * 64 + r * 8 + c] = v;
                }
            }
        }
        return new Dataset(x, new int[] {8, 8, 1}, y, classes);
    }
}
