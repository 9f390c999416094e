package dev.shears.kernels;

/**
 * Element-wise activation kernels beyond ReLU (which lives in {@link Elementwise}), with Keras's
 * formulas, and the error function they need. Forward kernels write {@code y[i] = f(x[i])} for
 * {@code len} values and may run in place ({@code y == x}); backward kernels accumulate
 * {@code dX[i] += dY[i] · f'(x[i])}, reading whichever of x and y gives f' most cheaply. The kernels that
 * evaluate exp or erf split long arrays over {@link Parallel#common()}; the others are a compare and a
 * multiply per value, which a worker's wake-up would cost more than.
 *
 * <p>The transcendental functions are evaluated in double and rounded once to float, so each forward
 * value is within about one ulp of the exact one. There is no Vector API version: its exp and tanh lanes
 * are not bit-identical to {@link Math#exp}, and one code path keeps the training engine and the
 * inference runtime, which share these kernels, bit-identical.
 *
 * <pre>{@code Activations.gelu(y, x, x.length);}</pre>
 */
public final class Activations {
    /** Values per parallel chunk: below this, waking a worker costs more than the work it takes. */
    private static final int GRAIN = 1 << 14;
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private Activations() {
    }

    /** sigmoid(x) = 1 / (1 + e^-x). */
    public static void sigmoid(float[] y, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[i] = (float) (1 / (1 + Math.exp(-(double) x[i])));
            }
        });
    }

    /** dX += dY · y (1 - y), from the forward output y. */
    public static void sigmoidBackward(float[] dX, float[] dY, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            dX[i] += dY[i] * (y[i] * (1f - y[i]));
        }
    }

    /** tanh(x). */
    public static void tanh(float[] y, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[i] = (float) Math.tanh(x[i]);
            }
        });
    }

    /** dX += dY · (1 - y²), from the forward output y. */
    public static void tanhBackward(float[] dX, float[] dY, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            dX[i] += dY[i] * (1f - y[i] * y[i]);
        }
    }

    /**
     * leaky_relu(x) = x for x > 0, else slope · x (Keras 3's {@code negative_slope}, TensorFlow's
     * {@code alpha}); NaN stays NaN.
     */
    public static void leakyRelu(float[] y, float[] x, float slope, int len) {
        for (int i = 0; i < len; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : v * slope;
        }
    }

    /** dX += dY for x > 0, else dY · slope (slope at 0, as TensorFlow). */
    public static void leakyReluBackward(float[] dX, float[] dY, float[] x, float slope, int len) {
        for (int i = 0; i < len; i++) {
            dX[i] += x[i] > 0f ? dY[i] : dY[i] * slope;
        }
    }

    /** elu(x) = x for x >= 0, else alpha · (e^x - 1), through expm1 so that small |x| keep their digits. */
    public static void elu(float[] y, float[] x, float alpha, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = x[i];
                y[i] = v < 0f ? (float) (alpha * Math.expm1(v)) : v;
            }
        });
    }

    /** dX += dY for x >= 0, else dY · (y + alpha) (= alpha · e^x); 1 at 0, as TensorFlow. */
    public static void eluBackward(float[] dX, float[] dY, float[] x, float[] y, float alpha, int len) {
        for (int i = 0; i < len; i++) {
            dX[i] += x[i] < 0f ? dY[i] * (y[i] + alpha) : dY[i];
        }
    }

    /**
     * Exact GELU (Keras's default {@code approximate=False}): gelu(x) = x Φ(x) = 0.5 x (1 + erf(x / √2)),
     * computed as 0.5 x erfc(-x / √2) as TensorFlow does, so that the left tail keeps its relative
     * accuracy (1 + erf would cancel to 0 there).
     */
    public static void gelu(float[] y, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x[i];
                y[i] = (float) (0.5 * v * erfc(-v * SQRT_HALF));
            }
        });
    }

    /** dX += dY · (Φ(x) + x φ(x)), φ the standard normal density. */
    public static void geluBackward(float[] dX, float[] dY, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x[i];
                double d = 0.5 * erfc(-v * SQRT_HALF) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                dX[i] += (float) (dY[i] * d);
            }
        });
    }

    /** silu(x) = swish(x) = x · sigmoid(x). */
    public static void silu(float[] y, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x[i];
                y[i] = (float) (v / (1 + Math.exp(-v)));
            }
        });
    }

    /** dX += dY · s (1 + x (1 - s)), s = sigmoid(x). */
    public static void siluBackward(float[] dX, float[] dY, float[] x, int len) {
        Parallel.common().forRange(len, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x[i];
                double s = 1 / (1 + Math.exp(-v));
                dX[i] += (float) (dY[i] * (s * (1 + v * (1 - s))));
            }
        });
    }

    /** relu6(x) = min(max(x, 0), 6); NaN stays NaN, as in {@link Elementwise#relu}. */
    public static void relu6(float[] y, float[] x, int len) {
        for (int i = 0; i < len; i++) {
            float v = x[i];
            y[i] = v < 0f ? 0f : v > 6f ? 6f : v;
        }
    }

    /** dX += dY where 0 &lt; x &lt; 6 (0 at both kinks, as TensorFlow). */
    public static void relu6Backward(float[] dX, float[] dY, float[] x, int len) {
        for (int i = 0; i < len; i++) {
            float v = x[i];
            if (v > 0f && v < 6f) {
                dX[i] += dY[i];
            }
        }
    }

    // ---- the error function ----

    /**
     * erf(x) = 2/√π ∫₀ˣ e^(-t²) dt in float: evaluated in double (relative error below 1e-10), then rounded
     * once, so the float is the correctly rounded one except within 1e-10 of a tie: at most 0.501 ulp from
     * the exact value on 10 million random floats, and the test asserts 1 ulp on a 400,000-point sweep
     * against an independent double series. erf(±∞) = ±1, NaN stays NaN.
     */
    public static float erf(float x) {
        return (float) erf((double) x);
    }

    /**
     * erfc(x) = 1 - erf(x) in float, without the cancellation of 1 - erf for large x: rounded once from
     * double like {@link #erf(float)}, so within 1 ulp of the exact value (the subnormal tail, x from about
     * 9.1 to 10.05, to its spacing of 1.4e-45), 0 beyond, 2 at -∞, NaN stays NaN.
     */
    public static float erfc(float x) {
        return (float) erfc((double) x);
    }

    /** Taylor coefficients of erf(x) / x in x²: 2/√π (-1)^n / (n! (2n + 1)), n = 0..11. */
    private static final double[] ERF_TAYLOR = new double[12];

    static {
        double factorial = 1;
        for (int n = 0; n < ERF_TAYLOR.length; n++) {
            factorial *= Math.max(n, 1);
            ERF_TAYLOR[n] = 2 / Math.sqrt(Math.PI) * (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1));
        }
    }

    /**
     * For x >= 0.5: erfc(x) = t e^(-x² + p(u)), t = 1 / (1 + x/2), u = (t - 0.16) / 0.64 · 2 - 1 in [-1, 1],
     * p of degree 12 fitted on [0.5, 10.5] by {@code core/src/test/python/fit_erfc.py} (relative error of
     * erfc at most 3.1e-11 there, far below float's 6e-8). Constant term first.
     */
    private static final double[] ERFC_FIT = {
        -0.6986210885797253, 0.4279253114491976, 0.021655727214114684, -0.011842932286153404,
        -0.001944526184662931, 0.0008937750383877994, 0.0001653452202007926, -9.908503573087418e-05,
        -1.1189526595085362e-05, 1.2014534289129741e-05, 5.569834716999862e-08, -1.0832882873540672e-06,
        9.719969022554589e-08,
    };
    private static final double T_LO = 0.16;
    private static final double T_HI = 0.8;
    /** erfc(10.5) = 1.4e-49 is already 0 as a float. */
    private static final double ERFC_ZERO = 10.5;

    /**
     * erf in double, relative error below 1e-10: the Taylor series for |x| < 0.5 (each term at most 1/12 of
     * the one before, twelve reach double precision), else ±(1 - erfc(|x|)), where erfc < 0.48 loses nothing.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a < 0.5) {
            double z = x * x;
            double s = ERF_TAYLOR[ERF_TAYLOR.length - 1];
            for (int n = ERF_TAYLOR.length - 2; n >= 0; n--) {
                s = s * z + ERF_TAYLOR[n];
            }
            return x * s;
        }
        return Math.copySign(1 - erfcAbove(a), x);
    }

    /** erfc in double, relative error below 1e-10 for x up to 10.5, 0 beyond (where the float is 0 anyway). */
    static double erfc(double x) {
        if (x < -0.5) {
            return 2 - erfcAbove(-x);
        }
        if (x < 0.5) {
            return 1 - erf(x);
        }
        return erfcAbove(x); // also NaN
    }

    /** erfc(x) for x >= 0.5 (or NaN) by the fit above. */
    private static double erfcAbove(double x) {
        if (x > ERFC_ZERO) {
            return 0;
        }
        double t = 1 / (1 + 0.5 * x);
        double u = (t - T_LO) / (T_HI - T_LO) * 2 - 1;
        double p = ERFC_FIT[ERFC_FIT.length - 1];
        for (int n = ERFC_FIT.length - 2; n >= 0; n--) {
            p = p * u + ERFC_FIT[n];
        }
        return t * Math.exp(-x * x + p);
    }
}
