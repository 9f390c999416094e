package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.ops.GradCheck;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Activation layer (class ActivationLayer, Keras type "Activation") and the new activations as the
 * {@code activation} of Conv2D and Dense: shapes, names, config, values and gradients through a model.
 */
class ActivationLayerTest {
    @Test
    void typeConfigNameAndShape() {
        ActivationLayer a = new ActivationLayer(Activation.GELU);
        assertEquals("Activation", a.type());
        assertEquals(Map.of("activation", "gelu"), a.config());
        assertSame(Activation.GELU, a.activation());
        assertEquals("silu", new ActivationLayer(Activation.fromKerasName("swish")).config().get("activation"));
        assertThrows(NullPointerException.class, () -> new ActivationLayer(null));
        Sequential m = Sequential.builder(4, 3, 2).add(new ActivationLayer(Activation.TANH))
                .add(new Flatten()).add(new ActivationLayer(Activation.SOFTMAX)).build();
        assertEquals("activation", m.layers().get(0).name());
        assertEquals("activation_1", m.layers().get(2).name());
        assertArrayEquals(new int[] {4, 3, 2}, m.layers().get(0).outputShape());
        assertArrayEquals(new int[] {24}, m.layers().get(2).outputShape());
        assertTrue(a.parameters().isEmpty());
        assertEquals(0, m.trainableCount());
        String s = m.summary();
        assertTrue(s.contains("activation (Activation)") && s.contains("(None, 4, 3, 2)"), s);
    }

    @Test
    void appliesItsFunctionElementwiseAndSoftmaxOverChannels() {
        float[] v = {-1f, 2f, 0.5f, -3f, 4f, 0f};
        for (Activation act : Activation.values()) {
            Sequential m = Sequential.builder(1, 2, 3).add(new ActivationLayer(act)).build();
            float[] y = m.forward(Tensor.of(v.clone(), 1, 1, 2, 3), false).data();
            assertArrayEquals(act.apply(Tensor.of(v.clone(), 2, 3)).data(), y, 0f, act.kerasName());
        }
        // softmax over the last dimension: each pixel's three channels sum to 1
        float[] y = Sequential.builder(1, 2, 3).add(new ActivationLayer(Activation.SOFTMAX)).build()
                .forward(Tensor.of(v.clone(), 1, 1, 2, 3), false).data();
        assertEquals(1f, y[0] + y[1] + y[2], 1e-6f);
        assertEquals(1f, y[3] + y[4] + y[5], 1e-6f);
    }

    /** Every activation as a layer, as a Conv2D's and as a Dense's: gradients through the whole model. */
    @Test
    void gradientsFlowThroughEachActivation() {
        for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.LEAKY_RELU, Activation.ELU,
            Activation.GELU, Activation.SILU, Activation.RELU6}) {
            Sequential m = Sequential.builder(4, 4, 2).seed(3)
                    .add(Conv2D.builder(3, 2).activation(act).build())
                    .add(new ActivationLayer(act))
                    .add(new Flatten()).add(new Dense(3, act)).build();
            Random rng = new Random(8);
            for (Parameter p : m.parameters()) {
                if (!p.prunable()) {
                    for (int i = 0; i < p.size(); i++) {
                        p.data()[i] = (float) (rng.nextGaussian() * 0.3);
                    }
                }
            }
            List<Tensor> inputs = new ArrayList<>();
            // inputs in [-4, 4] so that relu6 and the saturating functions see both sides
            inputs.add(GradCheck.param(rng, 4, 2, 4, 4, 2));
            for (Parameter p : m.parameters()) {
                inputs.add(p.value());
            }
            GradCheck.check(in -> m.forward(in[0], true), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void convAndDenseApplyTheirActivationAfterTheBias() {
        Sequential m = Sequential.builder(3, 3, 1).seed(4)
                .add(Conv2D.builder(2, 2).activation(Activation.GELU).build())
                .add(new Flatten()).add(new Dense(2, Activation.SIGMOID)).build();
        Sequential linear = Sequential.builder(3, 3, 1).seed(4)
                .add(Conv2D.builder(2, 2).build())
                .add(new ActivationLayer(Activation.GELU))
                .add(new Flatten()).add(new Dense(2, Activation.LINEAR)).add(new ActivationLayer(Activation.SIGMOID)).build();
        Tensor x = GradCheck.param(new Random(1), 1, 2, 3, 3, 1);
        assertArrayEquals(linear.forward(x, false).data(), m.forward(x, false).data(), 0f);
        assertEquals("gelu", m.layers().get(0).config().get("activation"));
    }
}
