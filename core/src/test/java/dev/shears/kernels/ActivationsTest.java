package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The activation kernels and erf/erfc against independent double-precision oracles: forward values within
 * one float ulp, derivatives against double central differences, special values, accumulation, in-place
 * use and the parallel split.
 */
class ActivationsTest {
    /** Largest allowed error of a float result, in units in the last place of the exact value. */
    private static final double MAX_ULPS = 1.0;
    /** Derivatives read from a float forward output (sigmoid, tanh) carry its rounding: about 2 ulps of 1. */
    private static final double DERIVATIVE_ABS = 3e-7;
    private static final double DERIVATIVE_REL = 1e-6;

    // ---- oracles ----

    /**
     * erf in double by the series erf(x) = 2/√π e^(-x²) Σ (2x²)^n x / (1·3···(2n+1)), all terms positive (no
     * cancellation); for x > 3 as 1 - erfc.
     */
    static double erfRef(double x) {
        if (x < 0) {
            return -erfRef(-x);
        }
        if (x > 3) {
            return 1 - erfcRef(x);
        }
        double term = x;
        double sum = x;
        for (int n = 1; n < 500 && term > 1e-18 * sum; n++) {
            term *= 2 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
    }

    /**
     * erfc in double: 1 - erf below 2 (erfc(2) = 0.0047, so at most 2e-14 relative is lost), above it the
     * continued fraction e^(-x²)/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up.
     */
    static double erfcRef(double x) {
        if (x < 2) {
            return 1 - erfRef(x);
        }
        double f = x;
        for (int k = 300; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    private static double geluRef(double x) {
        return 0.5 * x * erfcRef(-x / Math.sqrt(2));
    }

    /** Python's math.erf / math.erfc (core/src/test/python/make_activation_reference.py). */
    private static final double[] ERF_X = {0.0, 1e-06, 0.01, 0.3, 0.49, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 9.0, 10.0};
    private static final double[] ERF = {0.0, 1.1283791670951364e-06, 0.011283415555849616, 0.3286267594591274, 0.511668261188523,
        0.5204998778130465, 0.7111556336535151, 0.8427007929497149, 0.9661051464753108, 0.9953222650189527, 0.9999779095030014,
        0.9999999845827421, 1.0, 1.0, 1.0};
    private static final double[] ERFC = {1.0, 0.9999988716208329, 0.9887165844441503, 0.6713732405408726, 0.4883317388114769,
        0.4795001221869535, 0.28884436634648486, 0.15729920705028513, 0.033894853524689274, 0.004677734981047265,
        2.2090496998585438e-05, 1.541725790028002e-08, 2.1519736712498916e-17, 4.13703174651381e-37, 2.088487583762545e-45};

    @Test
    void oraclesAgreeWithPythonsMathModule() {
        for (int i = 0; i < ERF_X.length; i++) {
            double x = ERF_X[i];
            assertEquals(ERF[i], erfRef(x), 1e-14 * Math.abs(ERF[i]), "erf " + x);
            assertEquals(-ERF[i], erfRef(-x), 1e-14 * Math.abs(ERF[i]), "erf " + -x);
            assertEquals(ERFC[i], erfcRef(x), 1e-13 * ERFC[i], "erfc " + x);
            assertEquals(2 - ERFC[i], erfcRef(-x), 1e-14, "erfc " + -x);
        }
    }

    /** Error of a float result in ulps of the exact value (as a float); 0 when both are the same zero. */
    private static double ulps(float got, double exact) {
        if (exact == 0) {
            return got == 0f ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }

    /** Every 2^-14 of [-11, 11] plus a logarithmic sweep of tiny magnitudes: about 400,000 floats. */
    private static float[] sweep() {
        int linear = 22 << 14;
        int tiny = 2 * 20_000;
        float[] x = new float[linear + 1 + tiny];
        for (int i = 0; i <= linear; i++) {
            x[i] = -11f + i / 16384f;
        }
        for (int i = 0; i < tiny / 2; i++) {
            float v = (float) Math.pow(10, -40 + 40.0 * i / (tiny / 2));
            x[linear + 1 + 2 * i] = v;
            x[linear + 2 + 2 * i] = -v;
        }
        return x;
    }

    @Test
    void erfAndErfcAreWithinOneUlpOfTheDoubleOracle() {
        double worstErf = 0;
        double worstErfc = 0;
        for (float x : sweep()) {
            worstErf = Math.max(worstErf, ulps(Activations.erf(x), erfRef(x)));
            worstErfc = Math.max(worstErfc, ulps(Activations.erfc(x), erfcRef(x)));
        }
        assertTrue(worstErf <= MAX_ULPS, "erf off by " + worstErf + " ulps");
        assertTrue(worstErfc <= MAX_ULPS, "erfc off by " + worstErfc + " ulps");
    }

    @Test
    void erfSpecialValues() {
        assertEquals(0f, Activations.erf(0f));
        assertEquals(-0f, Activations.erf(-0f));
        assertEquals(1f, Activations.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, Activations.erf(Float.NEGATIVE_INFINITY));
        assertEquals(1f, Activations.erf(5f));
        assertTrue(Float.isNaN(Activations.erf(Float.NaN)));
        assertEquals(1f, Activations.erfc(0f));
        assertEquals(2f, Activations.erfc(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Activations.erfc(Float.POSITIVE_INFINITY));
        assertEquals(0f, Activations.erfc(10.5f));
        assertTrue(Activations.erfc(10f) > 0f, "erfc(10) = 2.1e-45 is a subnormal float");
        assertTrue(Float.isNaN(Activations.erfc(Float.NaN)));
        // hand values: erf(1) = 0.8427007929, erfc(3) = 2.209049700e-5
        assertEquals(0.8427008f, Activations.erf(1f));
        assertEquals(2.2090497e-5f, Activations.erfc(3f));
    }

    // ---- the activations ----

    /** One activation: its kernels (forward, and backward with dY given) and its exact formula in double. */
    private record Fn(String name, Forward forward, Backward backward, DoubleUnaryOperator exact, double[] kinks) {
    }

    @FunctionalInterface
    private interface Forward {
        void run(float[] y, float[] x, int len);
    }

    @FunctionalInterface
    private interface Backward {
        void run(float[] dX, float[] dY, float[] x, float[] y, int len);
    }

    private static final Fn[] FUNCTIONS = {
        new Fn("sigmoid", Activations::sigmoid, (dX, dY, x, y, n) -> Activations.sigmoidBackward(dX, dY, y, n),
                x -> 1 / (1 + Math.exp(-x)), new double[0]),
        new Fn("tanh", Activations::tanh, (dX, dY, x, y, n) -> Activations.tanhBackward(dX, dY, y, n), Math::tanh, new double[0]),
        new Fn("leaky_relu", (y, x, n) -> Activations.leakyRelu(y, x, 0.2f, n),
                (dX, dY, x, y, n) -> Activations.leakyReluBackward(dX, dY, x, 0.2f, n), x -> x > 0 ? x : x * (double) 0.2f, new double[] {0}),
        new Fn("elu", (y, x, n) -> Activations.elu(y, x, 1f, n),
                // alpha 1 makes elu smooth at 0, but its curvature jumps there: a central difference is off by h/4
                (dX, dY, x, y, n) -> Activations.eluBackward(dX, dY, x, y, 1f, n), x -> x < 0 ? Math.expm1(x) : x, new double[] {0}),
        new Fn("elu(alpha 0.5)", (y, x, n) -> Activations.elu(y, x, 0.5f, n),
                (dX, dY, x, y, n) -> Activations.eluBackward(dX, dY, x, y, 0.5f, n), x -> x < 0 ? 0.5 * Math.expm1(x) : x, new double[] {0}),
        new Fn("gelu", Activations::gelu, (dX, dY, x, y, n) -> Activations.geluBackward(dX, dY, x, n),
                ActivationsTest::geluRef, new double[0]),
        new Fn("silu", Activations::silu, (dX, dY, x, y, n) -> Activations.siluBackward(dX, dY, x, n),
                x -> x / (1 + Math.exp(-x)), new double[0]),
        new Fn("relu6", Activations::relu6, (dX, dY, x, y, n) -> Activations.relu6Backward(dX, dY, x, n),
                x -> Math.min(Math.max(x, 0), 6), new double[] {0, 6}),
    };

    @Test
    void forwardIsWithinOneUlpOfTheExactFormula() {
        float[] x = sweep();
        float[] y = new float[x.length];
        for (Fn f : FUNCTIONS) {
            f.forward.run(y, x, x.length);
            double worst = 0;
            float at = 0;
            for (int i = 0; i < x.length; i++) {
                double e = ulps(y[i], f.exact.applyAsDouble(x[i]));
                if (e > worst) {
                    worst = e;
                    at = x[i];
                }
            }
            assertTrue(worst <= MAX_ULPS, f.name + " off by " + worst + " ulps at " + at);
        }
    }

    /** The backward kernels' f'(x) against (f(x + h) - f(x - h)) / 2h of the double formula, away from kinks. */
    @Test
    void derivativesMatchDoubleCentralDifferences() {
        Random rnd = new Random(11);
        int len = 2000;
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = i < 40 ? -10f + i * 0.5f : (float) (rnd.nextGaussian() * 4);
        }
        float[] ones = new float[len];
        java.util.Arrays.fill(ones, 1f);
        for (Fn f : FUNCTIONS) {
            float[] y = new float[len];
            f.forward.run(y, x, len);
            float[] d = new float[len];
            f.backward.run(d, ones, x, y, len);
            for (int i = 0; i < len; i++) {
                double v = x[i];
                if (nearKink(v, f.kinks)) {
                    continue;
                }
                double h = 1e-5 * Math.max(1, Math.abs(v));
                double numeric = (f.exact.applyAsDouble(v + h) - f.exact.applyAsDouble(v - h)) / (2 * h);
                double tol = DERIVATIVE_ABS + DERIVATIVE_REL * Math.abs(numeric);
                assertEquals(numeric, d[i], tol, f.name + "'(" + v + ")");
            }
        }
    }

    private static boolean nearKink(double v, double[] kinks) {
        for (double k : kinks) {
            if (Math.abs(v - k) < 1e-3) {
                return true;
            }
        }
        return false;
    }

    @Test
    void backwardAccumulatesAndScalesByTheOutputGradient() {
        float[] x = {-2f, -0.5f, 0.25f, 3f, 7f};
        float[] dY = {0.5f, -1f, 2f, 0.25f, -3f};
        for (Fn f : FUNCTIONS) {
            float[] y = new float[x.length];
            f.forward.run(y, x, x.length);
            float[] unit = new float[x.length];
            float[] ones = {1f, 1f, 1f, 1f, 1f};
            f.backward.run(unit, ones, x, y, x.length);
            float[] dX = {10f, 20f, 30f, 40f, 50f};
            f.backward.run(dX, dY, x, y, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(10f * (i + 1) + dY[i] * unit[i], dX[i], 1e-5f, f.name + " at " + x[i]);
            }
        }
    }

    @Test
    void inPlaceEqualsOutOfPlaceAndTheParallelSplitEqualsOneByOne() {
        Random rnd = new Random(3);
        int len = 3 * (1 << 14) + 17; // several parallel chunks and a ragged end
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3);
        }
        for (Fn f : FUNCTIONS) {
            float[] y = new float[len];
            f.forward.run(y, x, len);
            float[] inPlace = x.clone();
            f.forward.run(inPlace, inPlace, len);
            assertArrayEquals(y, inPlace, 0f, f.name);
            float[] one = new float[1];
            for (int i = 0; i < len; i += 97) {
                f.forward.run(one, new float[] {x[i]}, 1);
                assertEquals(one[0], y[i], 0f, f.name + " at " + i);
            }
            float[] dY = new float[len];
            java.util.Arrays.fill(dY, 1f);
            float[] dX = new float[len];
            f.backward.run(dX, dY, x, y, len);
            for (int i = 0; i < len; i += 101) {
                float[] d = new float[1];
                f.backward.run(d, new float[] {1f}, new float[] {x[i]}, new float[] {y[i]}, 1);
                assertEquals(d[0], dX[i], 0f, f.name + "' at " + i);
            }
        }
    }

    @Test
    void specialValues() {
        for (Fn f : FUNCTIONS) {
            float[] y = new float[1];
            f.forward.run(y, new float[] {Float.NaN}, 1);
            assertTrue(Float.isNaN(y[0]), f.name + "(NaN) must stay NaN so that a diverged run shows");
        }
        float[] x = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 100f, -100f};
        float[] y = new float[x.length];
        Activations.sigmoid(y, x, x.length);
        assertArrayEquals(new float[] {0f, 1f, 0.5f, 1f, 3.7200760e-44f}, y, 0f);
        Activations.tanh(y, x, x.length);
        assertArrayEquals(new float[] {-1f, 1f, -0f, 1f, -1f}, y, 0f);
        Activations.elu(y, x, 1f, x.length);
        assertArrayEquals(new float[] {-1f, Float.POSITIVE_INFINITY, -0f, 100f, -1f}, y, 0f);
        Activations.leakyRelu(y, x, 0.2f, x.length);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 100f, -20f}, y, 0f);
        Activations.relu6(y, x, x.length);
        assertArrayEquals(new float[] {0f, 6f, -0f, 6f, 0f}, y, 0f);
        // gelu: x Φ(x) is -0 (x < 0, Φ underflowed) in the left tail and x itself in the right one
        Activations.gelu(y, new float[] {-20f, -0f, 20f, 100f, Float.POSITIVE_INFINITY}, 5);
        assertArrayEquals(new float[] {-0f, -0f, 20f, 100f, Float.POSITIVE_INFINITY}, y, 0f);
        Activations.silu(y, new float[] {-200f, -0f, 20f, 100f, Float.POSITIVE_INFINITY}, 5);
        assertArrayEquals(new float[] {-0f, -0f, 20f, 100f, Float.POSITIVE_INFINITY}, y, 0f);
    }

    /** Values worked out by hand (to float precision). */
    @Test
    void handComputed() {
        float[] x = {-1f, 0f, 1f, 2f};
        float[] y = new float[4];
        Activations.sigmoid(y, x, 4);
        assertArrayEquals(new float[] {0.26894142f, 0.5f, 0.7310586f, 0.8807971f}, y, 0f);   // 1/(1+e), 1/2, e/(1+e)
        Activations.leakyRelu(y, x, 0.2f, 4);
        assertArrayEquals(new float[] {-0.2f, 0f, 1f, 2f}, y, 0f);
        Activations.elu(y, x, 1f, 4);
        assertArrayEquals(new float[] {(float) (Math.exp(-1) - 1), 0f, 1f, 2f}, y, 0f);       // 1/e - 1
        Activations.gelu(y, x, 4);
        // x Φ(x): Φ(1) = 0.84134474607 rounds to 0.8413448f (0.8413447f is 0.8413447142)
        assertArrayEquals(new float[] {-0.15865525f, 0f, 0.8413448f, 1.9544997f}, y, 0f);
        Activations.silu(y, x, 4);
        assertArrayEquals(new float[] {-0.26894142f, 0f, 0.7310586f, 1.7615942f}, y, 0f);     // x sigmoid(x)
        Activations.relu6(y, new float[] {-1f, 5.5f, 6f, 7f}, 4);
        assertArrayEquals(new float[] {0f, 5.5f, 6f, 6f}, y, 0f);
    }
}
