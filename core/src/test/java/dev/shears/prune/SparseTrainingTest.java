package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.data.Dataset;
import dev.shears.kernels.Kernels;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Loss;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Padding;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.train.FitOptions;
import dev.shears.train.SyntheticData;
import dev.shears.train.Trainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sparse training: a pruned model trained with the sparse kernels ends with exactly the weights of the same
 * run on the dense-masked path, and pruned weights stay zero.
 */
class SparseTrainingTest {
    private static Sequential model() {
        return Sequential.builder(8, 8, 1).seed(5)
                .add(Conv2D.builder(8, 3).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(new MaxPooling2D(2))
                .add(Conv2D.builder(12, 3).activation(Activation.RELU).build())
                .add(new GlobalAveragePooling2D())
                .add(new Dense(4, Activation.SOFTMAX))
                .build();
    }

    /** Weights after training a pruned copy of {@link #model()} for three epochs, the masks rising 50% -> 85%. */
    private static List<float[]> train(double sparseFrom) {
        Sequential pruned = Pruning.prune(model(), PruningConfig.of(new PolynomialDecay(0.5, 0.85, 0, 12, 3, 2)));
        Pruning.sparseTraining(pruned, sparseFrom);
        Dataset data = SyntheticData.bars(48, 4, 3);
        Trainer trainer = new Trainer(pruned, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        trainer.fit(data, FitOptions.defaults().withEpochs(3).withBatchSize(12).withVerbose(false).withShuffleSeed(9));
        Sequential stripped = Pruning.strip(pruned);
        return stripped.parameters().stream().map(p -> p.data().clone()).toList();
    }

    @Test
    void sparseKernelsGiveTheDenseMaskedWeightsBitForBit() {
        assumeTrue(Kernels.vectorEnabled(), "sparse training runs with the Vector API kernels only");
        List<float[]> denseMasked = train(2.0);
        List<float[]> sparse = train(0.0);
        List<Parameter> names = model().parameters();
        for (int i = 0; i < sparse.size(); i++) {
            assertArrayEquals(denseMasked.get(i), sparse.get(i), names.get(i).name());
        }
        // the run did prune: the convolution kernels end at the schedule's 85%
        for (int i : new int[] {0, 2}) {
            float[] k = sparse.get(i);
            int zeros = 0;
            for (float v : k) {
                zeros += v == 0f ? 1 : 0;
            }
            assertEquals(0.85, zeros / (double) k.length, 0.02, names.get(i).name());
        }
        // and the training moved the kept weights
        assertTrue(!java.util.Arrays.equals(sparse.get(2), model().parameters().get(2).data()));
    }

    @Test
    void thresholdMustBeANonNegativeNumber() {
        Sequential pruned = Pruning.prune(model(), PruningConfig.of(new ConstantSparsity(0.5, 0)));
        assertThrows(IllegalArgumentException.class, () -> Pruning.sparseTraining(pruned, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Pruning.sparseTraining(pruned, -0.1));
    }
}
