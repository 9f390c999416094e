package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Activation} against Keras 3.15 (TensorFlow 2.21 backend, float32, CPU): values and
 * derivatives at fixed points, looked up by Keras name as a layer's {@code activation} string is. The
 * values come from {@code core/src/test/python/make_activation_reference.py}.
 */
class ActivationKerasReferenceTest {
    /**
     * Relative tolerance: TensorFlow's float32 kernels are themselves up to about 20 ulps from exact at these
     * points (elu(-0.1) by 6.5 ulps through its float expm1, gelu(-6) by 17 through its float erfc), where
     * Shears rounds a double result once (within 1 ulp, see ActivationsTest).
     */
    private static final float REL = 2e-6f;
    /** Derivatives taken from a saturated float output (tanh near ±1) inherit its rounding, about an ulp of 1. */
    private static final float DERIVATIVE_ABS = 2e-7f;

    private static final float[] POINTS = {-20.0f, -6.0f, -3.0f, -1.5f, -1.0f, -0.5f, -0.1f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 20.0f};
    private static final float[] SIGMOID = {2.0611541e-09f, 0.002472623f, 0.047425866f, 0.18242553f, 0.2689414f, 0.37754068f, 0.4750208f, 0.5f, 0.5249792f, 0.62245935f, 0.7310586f, 0.8175745f, 0.95257413f, 0.99752736f, 1.0f};
    private static final float[] D_SIGMOID = {2.0611541e-09f, 0.0024665091f, 0.045176655f, 0.14914647f, 0.19661193f, 0.23500371f, 0.24937606f, 0.25f, 0.24937604f, 0.23500371f, 0.19661193f, 0.14914644f, 0.045176655f, 0.0024665252f, 0.0f};
    private static final float[] TANH = {-1.0f, -0.9999877f, -0.9950547f, -0.9051483f, -0.7615942f, -0.46211714f, -0.099668f, 0.0f, 0.099668f, 0.46211714f, 0.7615942f, 0.9051483f, 0.9950547f, 0.9999877f, 1.0f};
    private static final float[] D_TANH = {0.0f, 2.4557114e-05f, 0.009866118f, 0.1807065f, 0.41997433f, 0.78644776f, 0.9900663f, 1.0f, 0.9900663f, 0.78644776f, 0.41997433f, 0.1807065f, 0.009866118f, 2.4557114e-05f, 0.0f};
    private static final float[] LEAKY_RELU = {-4.0f, -1.2f, -0.6f, -0.3f, -0.2f, -0.1f, -0.020000001f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 20.0f};
    private static final float[] D_LEAKY_RELU = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    private static final float[] ELU = {-1.0f, -0.9975212f, -0.95021296f, -0.77686983f, -0.63212055f, -0.39346933f, -0.09516263f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 20.0f};
    private static final float[] D_ELU = {0.0f, 0.0024787784f, 0.049787045f, 0.22313017f, 0.36787945f, 0.60653067f, 0.90483737f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    private static final float[] GELU = {-0.0f, -5.919535e-09f, -0.0040496965f, -0.1002108f, -0.15865526f, -0.15426877f, -0.04601722f, 0.0f, 0.053982783f, 0.34573123f, 0.8413447f, 1.3997892f, 2.9959502f, 6.0f, 20.0f};
    private static final float[] D_GELU = {0.0f, -3.546878e-08f, -0.011945652f, -0.12746921f, -0.08331549f, 0.13250488f, 0.4204769f, 0.5f, 0.5795231f, 0.8674951f, 1.0833155f, 1.1274692f, 1.0119456f, 1.0f, 1.0f};
    private static final float[] SILU = {-4.1223082e-08f, -0.014835738f, -0.1422776f, -0.2736383f, -0.2689414f, -0.18877034f, -0.04750208f, 0.0f, 0.05249792f, 0.31122968f, 0.7310586f, 1.2263618f, 2.8577223f, 5.985164f, 20.0f};
    private static final float[] D_SILU = {-3.916193e-08f, -0.012326431f, -0.08810409f, -0.04129416f, 0.07232948f, 0.26003882f, 0.4500832f, 0.5f, 0.54991674f, 0.7399612f, 0.92767054f, 1.0412941f, 1.0881041f, 1.0123265f, 1.0f};
    private static final float[] SWISH = {-4.1223082e-08f, -0.014835738f, -0.1422776f, -0.2736383f, -0.2689414f, -0.18877034f, -0.04750208f, 0.0f, 0.05249792f, 0.31122968f, 0.7310586f, 1.2263618f, 2.8577223f, 5.985164f, 20.0f};
    private static final float[] D_SWISH = {-3.916193e-08f, -0.012326431f, -0.08810409f, -0.04129416f, 0.07232948f, 0.26003882f, 0.4500832f, 0.5f, 0.54991674f, 0.7399612f, 0.92767054f, 1.0412941f, 1.0881041f, 1.0123265f, 1.0f};
    private static final float[] RELU6 = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 6.0f};
    private static final float[] D_RELU6 = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f};
    private static final float[] RELU = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 20.0f};
    private static final float[] D_RELU = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    private static final float[] LINEAR = {-20.0f, -6.0f, -3.0f, -1.5f, -1.0f, -0.5f, -0.1f, 0.0f, 0.1f, 0.5f, 1.0f, 1.5f, 3.0f, 6.0f, 20.0f};
    private static final float[] D_LINEAR = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    private static final float[] SOFTMAX = {0.11055374f, 0.0055041467f, 0.067054234f, 0.8168878f};

    private static void assertMatchesKeras(String name, float[] values, float[] derivatives) {
        Activation a = Activation.fromKerasName(name);
        Tensor x = Tensor.parameter(POINTS.clone(), POINTS.length);
        Tensor y = a.apply(x);
        if (a == Activation.LINEAR) {
            assertSame(x, y);
        } else {
            Ops.sum(y).backward();
        }
        for (int i = 0; i < POINTS.length; i++) {
            float v = y.data()[i];
            assertTrue(Math.abs(v - values[i]) <= REL * Math.abs(values[i]),
                    name + "(" + POINTS[i] + ") = " + v + ", Keras " + values[i]);
            float d = a == Activation.LINEAR ? 1f : x.grad()[i];
            assertTrue(Math.abs(d - derivatives[i]) <= REL * Math.abs(derivatives[i]) + DERIVATIVE_ABS,
                    name + "'(" + POINTS[i] + ") = " + d + ", Keras " + derivatives[i]);
        }
    }

    @Test
    void sigmoid() {
        assertMatchesKeras("sigmoid", SIGMOID, D_SIGMOID);
    }

    @Test
    void tanh() {
        assertMatchesKeras("tanh", TANH, D_TANH);
    }

    @Test
    void leakyReluWithKeras3sDefaultSlope() {
        assertMatchesKeras("leaky_relu", LEAKY_RELU, D_LEAKY_RELU);
    }

    @Test
    void elu() {
        assertMatchesKeras("elu", ELU, D_ELU);
    }

    @Test
    void exactGelu() {
        assertMatchesKeras("gelu", GELU, D_GELU);
    }

    @Test
    void siluAndItsAliasSwish() {
        assertMatchesKeras("silu", SILU, D_SILU);
        assertMatchesKeras("swish", SWISH, D_SWISH);
        assertSame(Activation.SILU, Activation.fromKerasName("swish"));
        assertEquals("silu", Activation.fromKerasName("swish").kerasName(), "saved under Keras's own name");
    }

    @Test
    void relu6() {
        assertMatchesKeras("relu6", RELU6, D_RELU6);
    }

    @Test
    void reluAndLinear() {
        assertMatchesKeras("relu", RELU, D_RELU);
        assertMatchesKeras("linear", LINEAR, D_LINEAR);
    }

    @Test
    void softmaxOfOneRow() {
        float[] y = Activation.SOFTMAX.apply(Tensor.of(new float[] {1f, -2f, 0.5f, 3f}, 1, 4)).data();
        for (int i = 0; i < 4; i++) {
            assertTrue(Math.abs(y[i] - SOFTMAX[i]) <= REL * SOFTMAX[i], "softmax[" + i + "] = " + y[i]);
        }
    }

    @Test
    void everyConstantHasItsKerasNameAndUnknownNamesAreListed() {
        for (Activation a : Activation.values()) {
            assertSame(a, Activation.fromKerasName(a.kerasName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.fromKerasName("mish"));
        assertTrue(e.getMessage().contains("'mish'") && e.getMessage().contains("gelu") && e.getMessage().contains("relu6"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Activation.fromKerasName("ReLU"));
        assertThrows(IllegalArgumentException.class, () -> Activation.fromKerasName(null));
    }
}
