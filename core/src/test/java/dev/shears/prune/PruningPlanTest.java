package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.nn.Loss;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.train.History;
import dev.shears.train.SyntheticData;
import dev.shears.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PruningPlanTest {
    @Test
    void kerasTutorialNumbersReachTheTarget() {
        // ceil(60000 * 0.9 / 128) = 422 steps per epoch, 2 epochs, end_step = 844
        PruningPlan plan = PruningPlan.of(new PolynomialDecay(0.5, 0.8, 0, 844), 2, 422);
        assertArrayEquals(new long[] {0, 100, 200, 300, 400, 500, 600, 700, 800}, plan.updateSteps());
        assertEquals(0.79996, plan.reachedSparsity(), 5e-6);
        assertTrue(plan.ok(), plan.report());
    }

    @Test
    void brokenEndStepIsReported() {
        // the blog's end_step: ceil(64 * 0.9 / 64) * 6 = 6, with 844 real steps per epoch
        PruningPlan plan = PruningPlan.of(new PolynomialDecay(0.5, 0.8, 0, 6), 6, 844);
        assertArrayEquals(new long[] {0}, plan.updateSteps());
        assertEquals(0.5, plan.reachedSparsity(), 1e-12);
        String r = plan.report();
        assertTrue(r.startsWith("WARNING"), r);
        assertTrue(r.contains("only 1 mask update(s) will happen, at step(s) [0]"), r);
        assertTrue(r.contains("final sparsity reached: 50.0% instead of 80.0%"), r);
        assertTrue(r.contains("epochs x steps per epoch = 5064"), r);
    }

    @Test
    void noUpdateAtAll() {
        PruningPlan plan = PruningPlan.of(new ConstantSparsity(0.5, 1000), 2, 100);
        assertEquals(0, plan.updateSteps().length);
        assertTrue(plan.report().contains("no mask update will happen"), plan.report());
        assertTrue(plan.report().contains("begin_step 1000 is past the last training step 199"), plan.report());
    }

    @Test
    void endPastTheRunIsReported() {
        PruningPlan plan = PruningPlan.of(new PolynomialDecay(0.5, 0.8, 0, 1000, 3, 10), 2, 100);
        assertEquals(20, plan.updateSteps().length);
        assertTrue(plan.report().contains("end_step 1000 is past the last training step 199"), plan.report());
    }

    @Test
    void fitPrintsTheWarningOnce() {
        Sequential pruned = Pruning.prune(PruningTest.tinyModel(1), PruningConfig.of(new PolynomialDecay(0.5, 0.8, 0, 6)));
        Dataset data = SyntheticData.bars(32, 4, 1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PruningCallback cb = Pruning.callback(new PrintStream(err, true, StandardCharsets.UTF_8), null);
        History h = new Trainer(pruned, new Adam(), Loss.sparseCategoricalCrossentropy(false))
                .fit(data, PruningTest.quiet(1, cb));
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("final sparsity reached: 50.0% instead of 80.0%"), out);
        Map<String, Object> rec = h.records("pruning_plan").get(0);
        assertEquals(1, rec.get("planned_updates"));
        assertEquals(0.5, (double) rec.get("reached_sparsity"), 1e-12);
    }
}
