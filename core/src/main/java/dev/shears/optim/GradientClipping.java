package dev.shears.optim;

import java.util.Map;

/**
 * How an optimizer clips gradients before using them, Keras's {@code clipnorm}, {@code global_clipnorm} and
 * {@code clipvalue} (Keras allows at most one of them, so this is one choice):
 * <ul>
 *   <li>{@link ByNorm}: each parameter's gradient separately, {@code g · c / max(‖g‖₂, c)};</li>
 *   <li>{@link ByGlobalNorm}: all gradients by one factor, {@code g · c / max(‖(g₁, …, gₙ)‖₂, c)};</li>
 *   <li>{@link ByValue}: each element into {@code [-c, c]}.</li>
 * </ul>
 * Clipping acts on copies; the parameters' gradient arrays are left as they are.
 *
 * <pre>{@code Adam.Options.defaults().withClipping(GradientClipping.clipnorm(1.0))}</pre>
 */
public sealed interface GradientClipping {
    /** No clipping (Keras's default). */
    static GradientClipping none() {
        return None.INSTANCE;
    }

    /** Keras's {@code clipnorm}: per-parameter L2 norm at most {@code c}. */
    static GradientClipping clipnorm(double c) {
        return new ByNorm(c);
    }

    /** Keras's {@code global_clipnorm}: L2 norm over all gradients together at most {@code c}. */
    static GradientClipping globalClipnorm(double c) {
        return new ByGlobalNorm(c);
    }

    /** Keras's {@code clipvalue}: every element in {@code [-c, c]}. */
    static GradientClipping clipvalue(double c) {
        return new ByValue(c);
    }

    /** The gradients to use: {@code grads} itself when nothing is clipped, clipped copies otherwise. */
    float[][] apply(float[][] grads);

    /** Adds Keras's three keys {@code clipnorm, global_clipnorm, clipvalue} (null when not used). */
    default void addConfig(Map<String, Object> config) {
        config.put("clipnorm", this instanceof ByNorm n ? n.clipnorm() : null);
        config.put("global_clipnorm", this instanceof ByGlobalNorm n ? n.globalClipnorm() : null);
        config.put("clipvalue", this instanceof ByValue v ? v.clipvalue() : null);
    }

    /** No clipping. */
    enum None implements GradientClipping {
        INSTANCE;

        @Override
        public float[][] apply(float[][] grads) {
            return grads;
        }
    }

    /** @param clipnorm the largest L2 norm of one parameter's gradient, > 0 */
    record ByNorm(double clipnorm) implements GradientClipping {
        public ByNorm {
            positive("clipnorm", clipnorm);
        }

        @Override
        public float[][] apply(float[][] grads) {
            float c = (float) clipnorm;
            float[][] out = new float[grads.length][];
            for (int k = 0; k < grads.length; k++) {
                float[] g = grads[k];
                // As tf.clip_by_norm: g · c / max(norm, c), multiplied first, so a zero gradient stays zero.
                float denominator = Math.max((float) Math.sqrt(sumOfSquares(g)), c);
                out[k] = new float[g.length];
                for (int i = 0; i < g.length; i++) {
                    out[k][i] = g[i] * c / denominator;
                }
            }
            return out;
        }
    }

    /** @param globalClipnorm the largest L2 norm of all gradients together, > 0 */
    record ByGlobalNorm(double globalClipnorm) implements GradientClipping {
        public ByGlobalNorm {
            positive("global_clipnorm", globalClipnorm);
        }

        @Override
        public float[][] apply(float[][] grads) {
            double squares = 0;
            for (float[] g : grads) {
                squares += sumOfSquares(g);
            }
            float c = (float) globalClipnorm;
            float norm = (float) Math.sqrt(squares);
            // Keras: c · min(1/norm, 1/c); a zero norm gives 1/0 = inf and so a factor of 1; NaN stays NaN.
            float scale = c * Math.min(1f / norm, 1f / c) + (norm - norm);
            float[][] out = new float[grads.length][];
            for (int k = 0; k < grads.length; k++) {
                out[k] = new float[grads[k].length];
                for (int i = 0; i < out[k].length; i++) {
                    out[k][i] = grads[k][i] * scale;
                }
            }
            return out;
        }
    }

    /** @param clipvalue the largest absolute value of a gradient element, > 0 */
    record ByValue(double clipvalue) implements GradientClipping {
        public ByValue {
            positive("clipvalue", clipvalue);
        }

        @Override
        public float[][] apply(float[][] grads) {
            float c = (float) clipvalue;
            float[][] out = new float[grads.length][];
            for (int k = 0; k < grads.length; k++) {
                out[k] = new float[grads[k].length];
                for (int i = 0; i < out[k].length; i++) {
                    out[k][i] = Math.max(-c, Math.min(c, grads[k][i]));
                }
            }
            return out;
        }
    }

    private static double sumOfSquares(float[] g) {
        double s = 0;
        for (float v : g) {
            s += (double) v * v;
        }
        return s;
    }

    private static void positive(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + value);
        }
    }
}
