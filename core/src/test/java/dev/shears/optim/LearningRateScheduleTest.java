package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Schedules at and around their boundaries: hand-computed values, and Keras 3's own at steps 0..16. */
class LearningRateScheduleTest {
    /** Keras evaluates schedules in float32; these are computed in double: one float32 ulp at lr <= 1. */
    private static final double KERAS_TOLERANCE = 1e-7;
    private static final double EXACT = 1e-15;

    private static void assertMatchesKeras(LearningRateSchedule s, float[] keras) {
        for (int step = 0; step < keras.length; step++) {
            assertEquals(keras[step], s.at(step), KERAS_TOLERANCE, s.name() + " at step " + step);
        }
    }

    @Test
    void exponentialDecayMatchesKeras() {
        assertMatchesKeras(new ExponentialDecay(0.1, 3, 0.5), KerasOptimizerReference.EXPONENTIAL);
        assertMatchesKeras(new ExponentialDecay(0.1, 3, 0.5, true), KerasOptimizerReference.EXPONENTIAL_STAIRCASE);
    }

    @Test
    void exponentialDecayByHand() {
        ExponentialDecay smooth = new ExponentialDecay(0.1, 3, 0.5);
        assertEquals(0.1, smooth.at(0), EXACT);
        assertEquals(0.05, smooth.at(3), EXACT);
        assertEquals(0.1 * Math.pow(0.5, 4.0 / 3), smooth.at(4), EXACT);
        ExponentialDecay stairs = new ExponentialDecay(0.1, 3, 0.5, true);
        assertEquals(0.1, stairs.at(2), EXACT);
        assertEquals(0.05, stairs.at(3), EXACT);
        assertEquals(0.05, stairs.at(5), EXACT);
        assertEquals(0.025, stairs.at(6), EXACT);
    }

    @Test
    void piecewiseConstantBoundaryStepKeepsTheEarlierValue() {
        PiecewiseConstantDecay p = new PiecewiseConstantDecay(new long[] {3, 6}, new double[] {1.0, 0.5, 0.1});
        assertMatchesKeras(p, KerasOptimizerReference.PIECEWISE);
        assertEquals(1.0, p.at(3));
        assertEquals(0.5, p.at(4));
        assertEquals(0.5, p.at(6));
        assertEquals(0.1, p.at(7));
        assertEquals(0.1, p.at(1_000_000));
    }

    @Test
    void cosineDecayMatchesKeras() {
        assertMatchesKeras(new CosineDecay(0.1, 10), KerasOptimizerReference.COSINE);
        assertMatchesKeras(new CosineDecay(0.1, 10, 0.1), KerasOptimizerReference.COSINE_ALPHA);
        assertMatchesKeras(new CosineDecay(0.0, 8, 0.0, 0.1, 4), KerasOptimizerReference.COSINE_WARMUP);
        assertMatchesKeras(new CosineDecay(0.01, 8, 0.2, 0.1, 4), KerasOptimizerReference.COSINE_WARMUP_ALPHA);
    }

    @Test
    void cosineDecayByHand() {
        CosineDecay c = new CosineDecay(0.1, 10, 0.1);
        assertEquals(0.1, c.at(0), EXACT);
        assertEquals(0.1 * (0.9 * 0.5 + 0.1), c.at(5), EXACT); // half way: cos(pi/2) = 0
        assertEquals(0.01, c.at(10), EXACT);
        assertEquals(0.01, c.at(11), EXACT);
        CosineDecay warm = new CosineDecay(0.01, 8, 0.2, 0.1, 4);
        assertEquals(0.01, warm.at(0), EXACT);
        assertEquals(0.01 + 0.09 * 3 / 4, warm.at(3), EXACT);
        assertEquals(0.1, warm.at(4), EXACT); // warmup done: the cosine starts from the target
        assertEquals(0.02, warm.at(12), EXACT);
        assertEquals(0.02, warm.at(100), EXACT);
        // a target with no warmup steps: Keras decays from the target at once
        assertEquals(0.1, new CosineDecay(0.01, 8, 0.0, OptionalDouble.of(0.1), 0).at(0), EXACT);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(-0.1, 10, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {1, 2}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {5, 2}, new double[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {5}, new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10, 0, 0.2, -1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0));
    }
}
