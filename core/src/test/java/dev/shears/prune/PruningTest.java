package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.examples.PruningTutorialExample;
import dev.shears.data.Dataset;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.Layer;
import dev.shears.nn.Loss;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.tensor.Tensor;
import dev.shears.train.Callback;
import dev.shears.train.FitOptions;
import dev.shears.train.History;
import dev.shears.train.SyntheticData;
import dev.shears.train.Trainer;
import dev.shears.train.TrainingContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruningTest {
    @TempDir
    Path dir;

    /** (8,8,1) -> Conv2D(4,3) -> MaxPool(2) -> Dropout -> Flatten -> Dense(4). */
    static Sequential tinyModel(long seed) {
        return Sequential.builder(8, 8, 1).seed(seed)
                .add(new Conv2D(4, 3, Activation.RELU)).add(new MaxPooling2D(2)).add(new Dropout(0.1))
                .add(new Flatten()).add(new Dense(4, Activation.SOFTMAX)).build();
    }

    static FitOptions quiet(int epochs, Callback... callbacks) {
        return FitOptions.defaults().withEpochs(epochs).withBatchSize(16).withVerbose(false).withCallbacks(List.of(callbacks));
    }

    @Test
    void summaryMatchesTfmotAndStripMatchesBaseline() {
        Sequential baseline = PruningTutorialExample.model(1);
        String baselineSummary = baseline.summary();
        Sequential pruned = PruningTutorialExample.prune(baseline, 54_000, 64, 6);
        String s = pruned.summary();
        assertTrue(s.contains("Total params: 37,351"), s);
        assertTrue(s.contains("Trainable params: 18,762"), s);
        assertTrue(s.contains("Non-trainable params: 18,589"), s);
        assertTrue(s.contains("prune_low_magnitude_conv2d (PruneLowMagnitude)"), s);
        assertTrue(s.contains("818"), s);
        assertEquals(baselineSummary, Pruning.strip(pruned).summary());
    }

    @Test
    void wrappingSharesWeightsAndSelectsLayers() {
        Sequential m = tinyModel(3);
        Sequential all = Pruning.prune(m, PruningConfig.of(new ConstantSparsity(0.5, 0)));
        assertSame(m.parameter("conv2d/kernel").value(), all.parameter("conv2d/kernel").value());
        assertEquals(5, Pruning.wrappers(all).size());
        assertSame(m.layers().get(2), all.layers().get(2).unwrap());

        PruningConfig cfg = PruningConfig.of(new ConstantSparsity(0.5, 0));
        Sequential byIndex = Pruning.prune(tinyModel(3), cfg, 4);
        assertEquals(List.of("dense"), Pruning.wrappers(byIndex).stream().map(w -> w.unwrap().name()).toList());
        Sequential byName = Pruning.prune(tinyModel(3), cfg, "conv2d");
        assertEquals(List.of("conv2d"), Pruning.wrappers(byName).stream().map(w -> w.unwrap().name()).toList());
        Sequential byPredicate = Pruning.prune(tinyModel(3), cfg, (Layer l) -> l instanceof Dense);
        assertEquals(1, Pruning.wrappers(byPredicate).size());
        assertEquals(List.of("dense/kernel"),
                Pruning.wrappers(byPredicate).get(0).prunedParameters().stream().map(Parameter::name).toList());

        ScheduleTest.assertMessage("layer index 9 is out of range [0, 5)", () -> Pruning.prune(tinyModel(3), cfg, 9));
        ScheduleTest.assertMessage("model sequential has no layer 'conv9'; layers are [conv2d, max_pooling2d, dropout, flatten, dense]",
                () -> Pruning.prune(tinyModel(3), cfg, "conv9"));
        ScheduleTest.assertMessage("layers [1] of model sequential select no prunable weights",
                () -> Pruning.prune(tinyModel(3), cfg, 1));
        ScheduleTest.assertMessage("model sequential is already wrapped for pruning", () -> Pruning.prune(all, cfg));
    }

    @Test
    void fitPrunesWithoutAnExplicitCallbackButACustomLoopMustStep() {
        Sequential pruned = Pruning.prune(tinyModel(4), PruningConfig.of(new ConstantSparsity(0.5, 0)));
        Dataset data = SyntheticData.bars(32, 4, 1);
        Trainer trainer = new Trainer(pruned, new Adam(), Loss.sparseCategoricalCrossentropy(false));
        // fit adds the pruning callback by itself (TrainingHook): the first batch already trains pruned
        History h = trainer.fit(data, quiet(1));
        assertEquals(1, h.records("pruning_plan").size());
        assertTrue(SparsityReport.of(Pruning.strip(pruned)).prunableSparsity() >= 0.49);
        // inference needs no step
        pruned.predict(data, 8);
        // a custom loop must make the explicit call before each training batch
        Tensor x = Tensor.of(new float[2 * 64], 2, 8, 8, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pruned.forward(x, true));
        assertTrue(e.getMessage().contains("Pruning.step(model, step)"), e.getMessage());
        Pruning.step(pruned, 1);
        pruned.forward(x, true);
        assertThrows(IllegalStateException.class, () -> pruned.forward(x, true));
    }

    @Test
    void weightsStayZeroAcrossOptimizerStepsAndFitRecordsUpdates() throws Exception {
        Sequential pruned = Pruning.prune(tinyModel(5), PruningConfig.of(new PolynomialDecay(0.5, 0.9, 0, 20, 3, 5)));
        Dataset data = SyntheticData.bars(64, 4, 2);
        int[] checked = {0};
        Callback spy = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, long step, double loss, double acc) {
                for (PruneLowMagnitude w : Pruning.wrappers(ctx.model())) {
                    for (int i = 0; i < w.prunedParameters().size(); i++) {
                        boolean[] mask = w.mask(i);
                        float[] v = w.prunedParameters().get(i).data();
                        for (int j = 0; j < v.length; j++) {
                            assertTrue(mask[j] || v[j] == 0f);
                        }
                    }
                    assertEquals(step, w.pruningStep());
                }
                checked[0]++;
            }
        };
        Path csv = dir.resolve("pruning.csv");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PruningCallback cb = Pruning.callback(new PrintStream(err, true, StandardCharsets.UTF_8), csv);
        Trainer trainer = new Trainer(pruned, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        History h = trainer.fit(data, quiet(6, cb, spy)); // 4 steps x 6 epochs = 24
        assertEquals(24, checked[0]);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertArrayEquals(new long[] {0, 5, 10, 15, 20}, cb.plan().updateSteps());
        List<Map<String, Object>> records = h.records("pruning");
        assertEquals(5 * 2, records.size()); // 5 updates x 2 kernels
        Map<String, Object> last = records.get(records.size() - 1);
        assertEquals(20L, last.get("step"));
        assertEquals("dense/kernel", last.get("parameter"));
        assertEquals(0.9, (double) last.get("sparsity"), 0.01);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(11, lines.size());
        assertTrue(lines.get(1).startsWith("0,conv2d,conv2d/kernel,0.500000,0.5"), lines.get(1));
        SparsityReport report = SparsityReport.of(pruned);
        assertEquals(0.9, report.prunableSparsity(), 0.01);
        assertTrue(report.toString().contains("dense/kernel"));
    }

    @Test
    void stripPreservesPredictionsExactly() {
        Sequential pruned = Pruning.prune(tinyModel(6), PruningConfig.of(new ConstantSparsity(0.7, 0)));
        Dataset data = SyntheticData.bars(48, 4, 3);
        new Trainer(pruned, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false))
                .fit(data, quiet(2, Pruning.callback(null, null)));
        Sequential plain = Pruning.strip(pruned);
        assertTrue(Pruning.wrappers(plain).isEmpty());
        assertArrayEquals(pruned.predict(data, 7), plain.predict(data, 7));
        assertEquals(0.7, SparsityReport.of(plain).prunableSparsity(), 0.02);
        // the stripped model is independent of the wrapped one
        plain.parameter("dense/kernel").data()[0] = 42f;
        assertFalse(pruned.parameter("dense/kernel").data()[0] == 42f);
    }

    @Test
    void globalPruningReachesOverallSparsity() {
        Sequential pruned = Pruning.prune(tinyModel(7), PruningConfig.of(new ConstantSparsity(0.75, 0)).withGlobal(true));
        MaskUpdate u = Pruning.step(pruned, 0).orElseThrow();
        long total = 36 + 36 * 4;
        assertEquals(Masks.keepCount(total, 0.75), u.entries().stream().mapToInt(MaskUpdate.Entry::kept).sum());
        assertEquals(u.entries().get(0).threshold(), u.entries().get(1).threshold());
        assertEquals(0.75, SparsityReport.of(pruned).prunableSparsity(), 1.0 / total);
        assertThrows(IllegalArgumentException.class,
                () -> PruningConfig.of(new ConstantSparsity(0.5, 0)).withPattern(new MaskPattern.NOfM(2, 4)).withGlobal(true));
    }

    @Test
    void structuredPatternsApplyToModelWeights() {
        Sequential nm = Pruning.prune(tinyModel(8), PruningConfig.of(new ConstantSparsity(0.5, 0)).withPattern(new MaskPattern.NOfM(2, 4)));
        Pruning.step(nm, 0);
        float[] k = nm.parameter("dense/kernel").data(); // (36, 4)
        for (int c = 0; c < 4; c++) {
            for (int g = 0; g < 36; g += 4) {
                int nnz = 0;
                for (int r = g; r < g + 4; r++) {
                    nnz += k[r * 4 + c] != 0 ? 1 : 0;
                }
                assertEquals(2, nnz);
            }
        }
        Sequential block = Pruning.prune(tinyModel(8), PruningConfig.of(new ConstantSparsity(0.5, 0)).withPattern(new MaskPattern.Block(4, false)));
        Pruning.step(block, 0);
        assertEquals(0.5, SparsityReport.of(block).prunableSparsity(), 0.05);
    }

    @Test
    void biasesArePrunedOnlyWhenAsked() {
        Sequential m = Pruning.prune(tinyModel(9), PruningConfig.of(new ConstantSparsity(0.5, 0)).withWeights(p -> true), "dense");
        assertEquals(2, Pruning.wrappers(m).get(0).prunedParameters().size());
        assertEquals(1, Pruning.wrappers(Pruning.prune(tinyModel(9), PruningConfig.of(new ConstantSparsity(0.5, 0)), "dense"))
                .get(0).prunedParameters().size());
    }
}
