package dev.shears.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;

/**
 * Central-difference gradient check: compares the autograd gradient of {@code sum(f(inputs) ⊙ R)} for a
 * fixed random R against (L(x + h) - L(x - h)) / 2h, accumulated in double.
 */
public final class GradCheck {
    /** Step for the finite difference: large enough for float32 round-off, small against curvature. */
    static final double STEP = 1e-2;
    /** Allowed |analytic - numeric| relative to max(1, |analytic|, |numeric|). */
    static final double TOLERANCE = 2e-2;

    private GradCheck() {
    }

    /** Checks every input that requires grad. */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor probe = f.apply(inputs);
        Random rng = new Random(7);
        float[] r = new float[probe.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (Tensor t : inputs) {
            t.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        Ops.sum(Ops.mul(out, Tensor.of(r, out.shape()))).backward();
        for (int ti = 0; ti < inputs.length; ti++) {
            Tensor t = inputs[ti];
            if (!t.requiresGrad()) {
                continue;
            }
            float[] analytic = t.grad().clone();
            float[] x = t.data();
            for (int i = 0; i < x.length; i++) {
                float saved = x[i];
                x[i] = (float) (saved + STEP);
                double plus = weighted(f.apply(inputs), r);
                x[i] = (float) (saved - STEP);
                double minus = weighted(f.apply(inputs), r);
                x[i] = saved;
                double numeric = (plus - minus) / (2 * STEP);
                double scale = Math.max(1, Math.max(Math.abs(numeric), Math.abs(analytic[i])));
                int input = ti;
                int index = i;
                assertTrue(Math.abs(numeric - analytic[i]) <= TOLERANCE * scale,
                        () -> "input " + input + " element " + index + ": analytic " + analytic[index] + " vs numeric " + numeric);
            }
            t.zeroGrad();
        }
    }

    private static double weighted(Tensor out, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) out.data()[i] * r[i];
        }
        return s;
    }

    /** A parameter tensor of uniform values in [-scale, scale]. */
    public static Tensor param(Random rng, float scale, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return Tensor.parameter(v, shape);
    }
}
