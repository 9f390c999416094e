package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.kernels.Parallel;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.Loss;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.tensor.ShapeMismatchException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    static Sequential smallCnn(long seed) {
        return Sequential.builder(8, 8, 1).seed(seed)
                .add(new Conv2D(8, 3, Activation.RELU)).add(new MaxPooling2D(2)).add(new Dropout(0.1))
                .add(new Flatten())
                .add(new Dense(16, Activation.RELU)).add(new Dense(4, Activation.SOFTMAX)).build();
    }

    private FitOptions options(int epochs, Dataset validation) {
        return FitOptions.defaults().withEpochs(epochs).withBatchSize(32).withValidation(validation).withShuffleSeed(9).withOut(out);
    }

    @Test
    void learnsSeparableDataEndToEnd() {
        Dataset train = SyntheticData.bars(1200, 4, 1);
        Dataset test = SyntheticData.bars(400, 4, 2);
        Trainer t = new Trainer(smallCnn(5), new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        History h = t.fit(train, options(6, test));
        assertEquals(6, h.get("loss").size());
        assertTrue(h.get("loss").get(5) < h.get("loss").get(0), "loss decreases");
        Evaluation e = t.evaluate(test, 100);
        assertTrue(e.accuracy() > 0.95, "test accuracy " + e.accuracy());
        assertEquals(e.accuracy(), h.last("val_accuracy"), 1e-9);
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Epoch 6/6") && printed.contains("38/38") && printed.contains("val_accuracy"), printed);
    }

    @Test
    void oneThreadRunsAreBitIdentical() {
        Parallel.setCommonThreads(1);
        float[][] first = trainAndGetWeights();
        float[][] second = trainAndGetWeights();
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], second[i]);
        }
    }

    private float[][] trainAndGetWeights() {
        Sequential m = smallCnn(7);
        Trainer t = new Trainer(m, new Adam(), Loss.sparseCategoricalCrossentropy(false));
        History h = t.fit(SyntheticData.bars(256, 4, 3), FitOptions.defaults().withEpochs(2).withBatchSize(32).withShuffleSeed(1).withVerbose(false));
        List<float[]> ws = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            ws.add(p.data().clone());
        }
        ws.add(new float[] {(float) h.last("loss")});
        return ws.toArray(new float[0][]);
    }

    @Test
    void callbacksSeeStepsInOrder() {
        List<String> events = new ArrayList<>();
        Callback cb = new Callback() {
            @Override
            public void onTrainBegin(TrainingContext ctx) {
                events.add("train " + ctx.stepsPerEpoch() + "x" + ctx.epochs());
            }

            @Override
            public void onEpochBegin(TrainingContext ctx, int epoch) {
                events.add("epoch " + epoch);
            }

            @Override
            public void onBatchBegin(TrainingContext ctx, long step) {
                events.add("b" + step);
            }

            @Override
            public void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
                events.add("e" + step);
            }
        };
        new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false))
                .fit(SyntheticData.bars(70, 4, 3), FitOptions.defaults().withEpochs(2).withBatchSize(32).withVerbose(false).withCallback(cb));
        assertEquals(List.of("train 3x2", "epoch 0", "b0", "e0", "b1", "e1", "b2", "e2", "epoch 1", "b3", "e3", "b4", "e4", "b5", "e5"), events);
    }

    @Test
    void nanLossStopsWithEpochAndStep() {
        Dataset good = SyntheticData.bars(64, 4, 3);
        float[] x = good.features();
        x[40 * 64 + 5] = Float.NaN;
        Dataset bad = new Dataset(x, new int[] {8, 8, 1}, good.labels(), 4);
        Trainer t = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> t.fit(bad, FitOptions.defaults().withEpochs(1).withBatchSize(64).withVerbose(false)));
        assertTrue(e.getMessage().contains("epoch 1, step 1"), e.getMessage());
        assertEquals(64, e.exampleIndices().length);
    }

    @Test
    void divergedBatchIsNamedByItsShuffledExampleIndices() {
        Dataset good = SyntheticData.bars(64, 4, 3);
        float[] x = good.features();
        x[40 * 64 + 5] = Float.NaN;
        Dataset bad = new Dataset(x, new int[] {8, 8, 1}, good.labels(), 4);
        // oracle: where the NaN example lands in epoch 0's order, found by looking at the shuffled values
        float[] shuffled = bad.shuffle(Trainer.epochSeed(5, 0)).features();
        int position = -1;
        for (int i = 0; i < 64 && position < 0; i++) {
            position = Float.isNaN(shuffled[i * 64 + 5]) ? i : -1;
        }
        Trainer t = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> t.fit(bad, FitOptions.defaults().withEpochs(1).withBatchSize(10).withShuffleSeed(5).withVerbose(false)));
        int batch = position / 10;
        assertEquals(batch, e.step());
        assertEquals(0, e.epoch());
        int[] idx = e.exampleIndices();
        assertEquals(Math.min(10, 64 - batch * 10), idx.length);
        assertEquals(40, idx[position % 10], "the NaN example sits where the shuffle put it");
        assertTrue(e.getMessage().contains("step " + (batch + 1) + " (global step " + batch + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("first 8 of " + idx.length), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void nonFiniteValidationLossWarnsAndIsRecorded() {
        Dataset train = SyntheticData.bars(64, 4, 3);
        Dataset good = SyntheticData.bars(16, 4, 4);
        float[] x = good.features();
        x[7] = Float.POSITIVE_INFINITY;
        Dataset validation = new Dataset(x, new int[] {8, 8, 1}, good.labels(), 4);
        Trainer t = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        History h = t.fit(train, FitOptions.defaults().withEpochs(2).withBatchSize(32).withValidation(validation).withOut(out));
        assertEquals(List.of(0, 1), h.nonFiniteValidationEpochs());
        assertEquals(2, h.get("loss").size());
        String printed = log.toString(StandardCharsets.UTF_8);
        assertEquals(2, printed.lines().filter(l -> l.startsWith("WARNING: val_loss is NaN after epoch")).count(), printed);

        log.reset();
        History quiet = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false)).fit(train,
                FitOptions.defaults().withEpochs(1).withBatchSize(32).withValidation(validation).withOut(out).withVerbose(false));
        assertEquals(List.of(0), quiet.nonFiniteValidationEpochs());
        assertEquals("", log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mismatchedDataIsRejectedBeforeTraining() {
        Trainer t = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        Dataset wrongShape = new Dataset(new float[10 * 49], new int[] {7, 7, 1}, new int[10], 4);
        assertThrows(ShapeMismatchException.class, () -> t.fit(wrongShape, options(1, null)));
        Dataset tooManyClasses = new Dataset(new float[10 * 64], new int[] {8, 8, 1}, new int[10], 12);
        assertThrows(ShapeMismatchException.class, () -> t.fit(tooManyClasses, options(1, null)));
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[64], new int[] {8, 8, 1}, new int[] {4}, 4));
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().withEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().withBatchSize(-1));
    }

    @Test
    void categoricalAndSparseLossesAgree() {
        Dataset d = SyntheticData.bars(50, 4, 8);
        Sequential m = smallCnn(2);
        double sparse = new Trainer(m, new Adam(), Loss.sparseCategoricalCrossentropy(false)).evaluate(d, 16).loss();
        double categorical = new Trainer(m, new Adam(), Loss.categoricalCrossentropy(false)).evaluate(d, 16).loss();
        assertEquals(sparse, categorical, 1e-6);
    }

    @Test
    void validationSplitHoldsOutExactlyTheLastExamplesBeforeShuffling() {
        Dataset d = SyntheticData.bars(10, 4, 12);
        Dataset[] parts = Trainer.holdOut(d, 0.25);
        // Keras: split at floor(10 * 0.75) = 7, so 3 validation examples (rounding would give 2)
        assertEquals(7, parts[0].size());
        assertArrayEquals(java.util.Arrays.copyOfRange(d.labels(), 7, 10), parts[1].labels());
        assertArrayEquals(java.util.Arrays.copyOfRange(d.features(), 7 * 64, 10 * 64), parts[1].features());
        assertArrayEquals(java.util.Arrays.copyOfRange(d.features(), 0, 7 * 64), parts[0].features());
    }

    @Test
    void fitWithValidationSplitTrainsOnTheFirstPartAndValidatesOnTheRest() {
        Dataset d = SyntheticData.bars(100, 4, 13);
        List<Integer> trainSizes = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onTrainBegin(TrainingContext ctx) {
                trainSizes.add(ctx.trainSize());
                trainSizes.add(ctx.stepsPerEpoch());
            }
        };
        Trainer t = new Trainer(smallCnn(3), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        History h = t.fit(d, FitOptions.defaults().withEpochs(2).withBatchSize(32).withValidationSplit(0.3).withVerbose(false).withCallback(probe));
        assertEquals(List.of(70, 3), trainSizes);
        assertEquals(t.evaluate(d.slice(70, 100), 256).loss(), h.last("val_loss"), 1e-12);
        assertEquals(t.evaluate(d.slice(70, 100), 256).accuracy(), h.last("val_accuracy"), 1e-12);
    }

    @Test
    void badValidationSplitsAreRejected() {
        Dataset d = SyntheticData.bars(10, 4, 14);
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().withValidationSplit(1.0));
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().withValidationSplit(-0.1));
        // Values that only clash together are refused when fit starts, so with-copies may come in any order.
        FitOptions both = FitOptions.defaults().withValidationSplit(0.2).withValidation(d).withVerbose(false);
        assertThrows(IllegalArgumentException.class, both::validate);
        Trainer t = new Trainer(smallCnn(1), new Adam(), Loss.sparseCategoricalCrossentropy(false));
        assertThrows(IllegalArgumentException.class, () -> t.fit(d, both));
        assertThrows(IllegalArgumentException.class, () -> t.fit(d, FitOptions.defaults().withInitialEpoch(2).withEpochs(2)));
        FitOptions.defaults().withInitialEpoch(2).withEpochs(3).validate(); // the order of the copies does not matter
        Dataset one = SyntheticData.bars(1, 4, 15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(one,
                FitOptions.defaults().withValidationSplit(0.5).withVerbose(false)));
        assertTrue(e.getMessage().contains("1 examples"), e.getMessage());
        // 1 - 1e-20 is 1.0 in double: Keras's split point is then 10, and nothing is left to validate on
        assertThrows(IllegalArgumentException.class, () -> t.fit(d, FitOptions.defaults().withValidationSplit(1e-20).withVerbose(false)));
    }
}
