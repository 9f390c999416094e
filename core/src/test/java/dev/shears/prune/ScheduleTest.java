package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final double EPS = 1e-12;

    private static List<Long> updates(PruningSchedule s, long steps) {
        List<Long> out = new ArrayList<>();
        for (long t = 0; t < steps; t++) {
            if (s.shouldUpdate(t)) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void polynomialDecayTutorialSequence() {
        PolynomialDecay s = new PolynomialDecay(0.5, 0.8, 0, 844);
        assertEquals(List.of(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L), updates(s, 2000));
        double[] expected = new double[9];
        for (int i = 0; i < 9; i++) {
            double p = i * 100 / 844.0;
            expected[i] = 0.8 + (0.5 - 0.8) * Math.pow(1 - p, 3);
            assertEquals(expected[i], s.sparsityAt(i * 100L), EPS);
        }
        assertEquals(0.5, s.sparsityAt(0), EPS);
        assertEquals(0.594, s.sparsityAt(100), 5e-4);
        assertEquals(0.667, s.sparsityAt(200), 5e-4);
        assertEquals(0.720, s.sparsityAt(300), 5e-4);
        assertEquals(0.79996, s.sparsityAt(800), 5e-6);
        assertEquals(0.8, s.sparsityAt(844), EPS);
        assertEquals(0.8, s.sparsityAt(10_000), EPS);
    }

    @Test
    void boundariesAndFrequency() {
        PolynomialDecay s = new PolynomialDecay(0.1, 0.9, 10, 30, 1, 10);
        assertEquals(List.of(10L, 20L, 30L), updates(s, 100));
        assertEquals(0.1, s.sparsityAt(5), EPS); // before begin: p clamps to 0
        assertEquals(0.5, s.sparsityAt(20), EPS);
        assertFalse(s.shouldUpdate(9));
        assertTrue(s.shouldUpdate(30)); // end is inclusive
        assertFalse(s.shouldUpdate(40));
    }

    @Test
    void endEqualsBeginJumpsToFinal() {
        PolynomialDecay s = new PolynomialDecay(0.2, 0.7, 5, 5, 3, 100);
        assertEquals(List.of(5L), updates(s, 1000));
        assertEquals(0.7, s.sparsityAt(5), EPS);
        assertEquals(0.2, s.sparsityAt(4), EPS);
    }

    @Test
    void constantSparsityEndless() {
        ConstantSparsity s = new ConstantSparsity(0.6, 50);
        assertEquals(List.of(50L, 150L, 250L), updates(s, 300));
        assertEquals(0.6, s.sparsityAt(12_345), EPS);
        ConstantSparsity bounded = new ConstantSparsity(0.6, 0, 150, 100);
        assertEquals(List.of(0L, 100L), updates(bounded, 1000));
    }

    @Test
    void invalidParametersNameTheValue() {
        assertMessage("target_sparsity must be in [0, 1), got 1.0", () -> new ConstantSparsity(1.0, 0));
        assertMessage("initial_sparsity must be in [0, 1), got -0.1", () -> new PolynomialDecay(-0.1, 0.5, 0, 10));
        assertMessage("final_sparsity must be in [0, 1), got NaN", () -> new PolynomialDecay(0.1, Double.NaN, 0, 10));
        assertMessage("begin_step must be >= 0, got -1", () -> new ConstantSparsity(0.5, -1));
        assertMessage("frequency must be > 0, got 0", () -> new ConstantSparsity(0.5, 0, -1, 0));
        assertMessage("end_step must be -1 or >= begin_step 10, got 5", () -> new PolynomialDecay(0.1, 0.5, 10, 5));
        assertMessage("end_step must be >= begin_step for this schedule; -1 (endless) is not allowed",
                () -> new PolynomialDecay(0.1, 0.5, 0, -1));
        assertMessage("power must be finite and > 0, got 0.0", () -> new PolynomialDecay(0.1, 0.5, 0, 10, 0, 1));
    }

    @Test
    void configRoundTrip() {
        PruningSchedule p = new PolynomialDecay(0.5, 0.8, 3, 844, 2.5, 7);
        assertEquals(p, PruningSchedule.fromConfig(p.toConfig()));
        PruningSchedule c = new ConstantSparsity(0.25, 0, -1, 10);
        assertEquals(c, PruningSchedule.fromConfig(c.toConfig()));
    }

    @Test
    void overTrainingEndsOnTheLastMaskUpdateOfTheRealRun() {
        // Keras tutorial: ceil(60000 * 0.9 / 128) * 2 = 844 steps, 0..843; frequency 84 fits 10 updates, the last at 840.
        PolynomialDecay p = PolynomialDecay.overTraining(0.5, 0.8, 54_000, 128, 2);
        assertEquals(84, p.frequency());
        assertEquals(840, p.endStep());
        assertEquals(100, PolynomialDecay.overTraining(0.5, 0.8, 60_000, 64, 10).frequency());
        assertEquals(9300, PolynomialDecay.overTraining(0.5, 0.8, 60_000, 64, 10).endStep());
    }

    @Test
    void overTrainingReachesItsFinalSparsityForAnyRunLength() {
        for (int train : new int[] {1, 63, 64, 65, 640, 2_000, 54_000, 60_000}) {
            for (int epochs = 1; epochs <= 3; epochs++) {
                for (int batch : new int[] {1, 32, 64, 128}) {
                    PolynomialDecay p = PolynomialDecay.overTraining(0.5, 0.9, train, batch, epochs);
                    long lastStep = (long) ((train + batch - 1) / batch) * epochs - 1;
                    // The schedule's last update (a multiple of the frequency) lies within the run and is the end step.
                    long lastUpdate = lastStep / p.frequency() * p.frequency();
                    assertEquals(p.endStep(), lastUpdate, train + "/" + batch + "/" + epochs);
                    assertEquals(0.9, p.sparsityAt(lastUpdate), 1e-12);
                }
            }
        }
    }

    static void assertMessage(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
