package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.ops.GradCheck;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SequentialTest {
    @Test
    void tutorialSummaryMatchesKerasParameterCounts() {
        Sequential m = TutorialModels.tutorialCnn(1);
        String s = m.summary();
        assertTrue(s.contains("Total params: 18,762"), s);
        assertTrue(s.contains("Trainable params: 18,762"), s);
        assertTrue(s.contains("Non-trainable params: 0"), s);
        assertTrue(s.contains("conv2d (Conv2D)") && s.contains("(None, 24, 24, 16)") && s.contains("416"), s);
        assertTrue(s.contains("conv2d_1 (Conv2D)") && s.contains("12,832"), s);
        assertTrue(s.contains("dense_1 (Dense)") && s.contains("1,290"), s);
        assertArrayEquals(new int[] {10}, m.outputShape());
        assertEquals(18_762, m.trainableCount());
    }

    @Test
    void parametersUseKerasNamesAndLayouts() {
        Sequential m = TutorialModels.tutorialCnn(1);
        assertArrayEquals(new int[] {5, 5, 1, 16}, m.parameter("conv2d/kernel").value().shape());
        assertArrayEquals(new int[] {5, 5, 16, 32}, m.parameter("conv2d_1/kernel").value().shape());
        assertArrayEquals(new int[] {32, 128}, m.parameter("dense/kernel").value().shape());
        assertTrue(m.parameter("dense/kernel").prunable());
        assertTrue(!m.parameter("dense/bias").prunable());
    }

    @Test
    void glorotUniformStaysWithinItsLimit() {
        Sequential m = TutorialModels.tutorialCnn(3);
        float[] k = m.parameter("conv2d_1/kernel").data();
        double limit = Math.sqrt(6.0 / (5 * 5 * 16 + 5 * 5 * 32));
        double sumSq = 0;
        for (float v : k) {
            assertTrue(Math.abs(v) <= limit);
            sumSq += v * v;
        }
        // Variance of U(-l, l) is l^2 / 3.
        assertEquals(limit * limit / 3, sumSq / k.length, limit * limit / 3 * 0.1);
        for (float v : m.parameter("conv2d_1/bias").data()) {
            assertEquals(0f, v);
        }
    }

    @Test
    void denseAfterConvWithoutFlattenFailsAtBuildTime() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Sequential.builder(28, 28, 1)
                .add(new Conv2D(4, 3, Activation.RELU)).add(new Dense(10, Activation.SOFTMAX)).build());
        assertTrue(e.getMessage().contains("Flatten") && e.getMessage().contains("[26, 26, 4]"), e.getMessage());
    }

    @Test
    void kernelLargerThanInputFailsAtBuildTime() {
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(4, 4, 1)
                .add(new Conv2D(4, 5, Activation.RELU)).build());
    }

    @Test
    void wrongInputShapeIsReported() {
        Sequential m = TutorialModels.tutorialCnn(1);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> m.forward(Tensor.of(new float[2 * 28 * 28 * 3], 2, 28, 28, 3), false));
        assertTrue(e.getMessage().contains("[2, 28, 28, 1]") && e.getMessage().contains("[2, 28, 28, 3]"), e.getMessage());
    }

    @Test
    void invalidHyperparametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(0, 3, Activation.RELU));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, -1, Activation.RELU));
        assertThrows(IllegalArgumentException.class, () -> new Dense(0, Activation.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new MaxPooling2D(0));
        assertThrows(IllegalArgumentException.class, () -> Activation.fromKerasName("tanhh"));
    }

    @Test
    void duplicateLayerNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sequential.builder(4)
                .add(new Dense(3, Activation.RELU).setName("a")).add(new Dense(2, Activation.LINEAR).setName("a")).build());
    }

    @Test
    void dropoutIsIdentityAtInference() {
        Sequential m = Sequential.builder(6).add(new Dropout(0.5)).build();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 6);
        assertArrayEquals(x.data(), m.forward(x, false).data());
    }

    @Test
    void predictAndClassifyMatchTheRuntimeAndAHandArgmax() {
        Sequential m = TutorialModels.tutorialCnn(3);
        int n = 70; // more than one default batch of 32, and a short last batch
        float[] x = new float[n * 28 * 28];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        float[] p = m.predict(x, n);
        float[] runtime = dev.shears.infer.InferenceModel.compile(m).predict(x, n);
        assertEquals(n * 10, p.length);
        int[] classes = m.classify(x, n);
        for (int e = 0; e < n; e++) {
            int best = 0;
            for (int j = 0; j < 10; j++) {
                assertEquals(runtime[e * 10 + j], p[e * 10 + j], 1e-5f);
                best = p[e * 10 + j] > p[e * 10 + best] ? j : best;
            }
            assertEquals(best, classes[e], "example " + e);
        }
        assertArrayEquals(classes, dev.shears.infer.InferenceModel.compile(m).classify(x, n));
        assertThrows(ShapeMismatchException.class, () -> m.classify(x, n + 1));
    }

    @Test
    void layersPassGradientCheckThroughTheModel() {
        Random rng = new Random(11);
        Sequential m = Sequential.builder(6, 5, 2).seed(4)
                .add(Conv2D.builder(3, 3).padding(Padding.SAME).kernelInitializer(Initializer.HE_NORMAL).build())
                .add(new MaxPooling2D(2)).add(new Conv2D(2, 2, Activation.LINEAR))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
        Tensor x = GradCheck.param(rng, 1, 2, 6, 5, 2);
        List<Parameter> ps = m.parameters();
        Tensor[] inputs = new Tensor[ps.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < ps.size(); i++) {
            inputs[i + 1] = ps.get(i).value();
        }
        GradCheck.check(in -> m.forward(in[0], false), inputs);
    }
}
