package dev.shears.nn;

import java.util.Random;

/**
 * Weight initializers with Keras's semantics. Fans follow Keras: for a dense kernel (in, out) fanIn = in,
 * fanOut = out; for a conv kernel (kh, kw, c, oc) fanIn = kh*kw*c and fanOut = kh*kw*oc.
 */
public enum Initializer {
    /** Uniform in [-l, l] with l = sqrt(6 / (fanIn + fanOut)); Keras's default for kernels. */
    GLOROT_UNIFORM("glorot_uniform"),
    /** Normal truncated at 2 standard deviations, stddev sqrt(2 / fanIn) before truncation (as Keras). */
    HE_NORMAL("he_normal"),
    /** All zeros; Keras's default for biases. */
    ZEROS("zeros");

    /** Stddev of a standard normal truncated to [-2, 2]; Keras divides by it to keep the requested variance. */
    private static final double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

    private final String kerasName;

    Initializer(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The Keras name, e.g. "glorot_uniform". */
    public String kerasName() {
        return kerasName;
    }

    /** Parses a Keras name. */
    public static Initializer fromKerasName(String name) {
        for (Initializer i : values()) {
            if (i.kerasName.equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown initializer '" + name + "', expected glorot_uniform, he_normal or zeros");
    }

    /** Fills {@code w} given the tensor's fans. */
    public void fill(float[] w, int fanIn, int fanOut, Random rng) {
        switch (this) {
            case ZEROS -> java.util.Arrays.fill(w, 0f);
            case GLOROT_UNIFORM -> {
                double limit = Math.sqrt(6.0 / ((double) fanIn + fanOut)); // no int overflow for the largest planned kernels
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
                }
            }
            case HE_NORMAL -> {
                double stddev = Math.sqrt(2.0 / fanIn) / TRUNCATED_NORMAL_STDDEV;
                for (int i = 0; i < w.length; i++) {
                    double g;
                    do {
                        g = rng.nextGaussian();
                    } while (Math.abs(g) > 2);
                    w[i] = (float) (g * stddev);
                }
            }
            default -> throw new AssertionError(this);
        }
    }
}
