package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.optim.Adam;
import dev.shears.train.FitOptions;
import dev.shears.train.SyntheticData;
import dev.shears.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning models with DepthwiseConv2D and BatchNormalization: the depthwise kernel is masked like any kernel,
 * its bias and everything of the batch norms never; moving statistics survive strip and checkpoints.
 */
class PruneDepthwiseBatchNormTest {
    @TempDir
    Path dir;

    /** (8,8,1) -> Conv2D(4,3) -> BN -> DepthwiseConv2D(3, dm 2, same, relu) -> BN -> GAP -> Dense(4). */
    static Sequential model(long seed) {
        return Sequential.builder(8, 8, 1).seed(seed)
                .add(new Conv2D(4, 3, Activation.LINEAR)).add(new BatchNormalization())
                .add(DepthwiseConv2D.builder(3).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU).build())
                .add(new BatchNormalization(0.9, 1e-3, true, true))
                .add(new GlobalAveragePooling2D()).add(new Dense(4, Activation.SOFTMAX)).build();
    }

    private static long zeros(float[] a) {
        long z = 0;
        for (float v : a) {
            z += v == 0f ? 1 : 0;
        }
        return z;
    }

    @Test
    void maskZeroesTheRequestedCountOfTheDepthwiseKernelOnly() {
        Sequential m = model(1);
        Sequential pruned = Pruning.prune(m, PruningConfig.of(new ConstantSparsity(0.6, 0)));
        PruneLowMagnitude dw = Pruning.wrappers(pruned).get(2);
        assertEquals("depthwise_conv2d", dw.unwrap().name());
        assertEquals(List.of("depthwise_conv2d/kernel"), dw.prunedParameters().stream().map(Parameter::name).toList());
        for (int i : new int[] {1, 3}) {
            assertTrue(Pruning.wrappers(pruned).get(i).prunedParameters().isEmpty(), "batch norm " + i + " has nothing to prune");
        }
        float[] bias = m.parameter("depthwise_conv2d/bias").data();
        for (int i = 0; i < bias.length; i++) {
            bias[i] = 0.01f * (i - 4); // small, one exactly zero: a magnitude mask would take them first
        }
        float[] biasBefore = bias.clone();
        float[] gammaBefore = m.parameter("batch_normalization/gamma").data().clone();
        MaskUpdate u = Pruning.step(pruned, 0).orElseThrow();
        float[] k = pruned.parameter("depthwise_conv2d/kernel").data(); // (3, 3, 4, 2): 72 values
        assertEquals(72, k.length);
        assertEquals(72 - Masks.keepCount(72, 0.6), zeros(k));
        MaskUpdate.Entry e = u.entries().stream().filter(x -> x.parameter().equals("depthwise_conv2d/kernel")).findFirst().orElseThrow();
        assertEquals(Masks.keepCount(72, 0.6), e.kept());
        assertArrayEquals(biasBefore, pruned.parameter("depthwise_conv2d/bias").data(), 0f);
        assertArrayEquals(gammaBefore, pruned.parameter("batch_normalization/gamma").data(), 0f);
        // summary: wrappers add their masks, thresholds and step counters to the batch norms' moving statistics
        long expectedNonTrainable = 2 * 4 + 2 * 8                                 // moving statistics
                + 6                                                               // a step counter per wrapper
                + (36 + 1) + (72 + 1) + (32 + 1);                                  // masks and thresholds of the kernels
        assertEquals(expectedNonTrainable, pruned.nonTrainableCount());
        assertEquals(m.state(), pruned.state());
    }

    @Test
    void trainingKeepsSparsityAndStripKeepsTheMovingStatistics() throws Exception {
        Sequential pruned = Pruning.prune(model(2), PruningConfig.of(new ConstantSparsity(0.5, 0)));
        Dataset data = SyntheticData.bars(48, 4, 5);
        new Trainer(pruned, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false))
                .fit(data, FitOptions.defaults().withEpochs(2).withBatchSize(16).withVerbose(false).withCallback(Pruning.callback(null, null)));
        float[] k = pruned.parameter("depthwise_conv2d/kernel").data();
        assertEquals(72 - Masks.keepCount(72, 0.5), zeros(k));
        BatchNormalization bn = (BatchNormalization) pruned.layers().get(1).unwrap();
        assertFalse(bn.movingMean().data()[0] == 0f, "moving mean followed the batches");
        Sequential plain = Pruning.strip(pruned);
        assertEquals(pruned.state().size(), plain.state().size());
        for (int i = 0; i < plain.state().size(); i++) {
            assertEquals(pruned.state().get(i).name(), plain.state().get(i).name());
            assertArrayEquals(pruned.state().get(i).data(), plain.state().get(i).data(), 0f);
        }
        assertArrayEquals(pruned.predict(data, 7), plain.predict(data, 7));

        Path f = dir.resolve("ckpt.safetensors");
        PruningCheckpoint.save(pruned, null, f);
        Sequential restored = PruningCheckpoint.load(f).model();
        for (int i = 0; i < restored.state().size(); i++) {
            assertArrayEquals(pruned.state().get(i).data(), restored.state().get(i).data(), 0f, restored.state().get(i).name());
        }
        assertArrayEquals(pruned.predict(data, 7), restored.predict(data, 7));
    }
}
