package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import dev.shears.kernels.Depthwise;
import dev.shears.kernels.ReferenceKernels;
import dev.shears.ops.GradCheck;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The DepthwiseConv2D layer: shapes, parameters, initializer fans, forward against the naive kernel and
 * against Keras 3.15's own outputs (from {@code core/src/test/python/make_layer_reference.py}), gradients
 * through a model, config round trips and rejected inputs.
 */
class DepthwiseConv2DTest {
    private static final float KERAS_TOL = 1e-6f;

    @Test
    void shapesParametersAndConfig() {
        DepthwiseConv2D d = DepthwiseConv2D.builder(3, 2).strides(2, 1).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU).depthwiseInitializer(Initializer.HE_NORMAL).build();
        Sequential m = Sequential.builder(7, 5, 3).add(d).build();
        assertEquals("depthwise_conv2d", d.name());
        assertArrayEquals(new int[] {4, 5, 6}, d.outputShape());
        assertArrayEquals(new int[] {3, 2, 3, 2}, d.kernel().value().shape());
        assertArrayEquals(new int[] {6}, d.bias().value().shape());
        assertTrue(d.kernel().prunable());
        assertFalse(d.bias().prunable());
        assertEquals(List.of("depthwise_conv2d/kernel", "depthwise_conv2d/bias"), m.parameters().stream().map(Parameter::name).toList());
        assertEquals(3 * 2 * 3 * 2 + 6, m.trainableCount());
        assertEquals(0, m.nonTrainableCount());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("kernel_size", List.of(3, 2));
        expected.put("strides", List.of(2, 1));
        expected.put("padding", "same");
        expected.put("depth_multiplier", 2);
        expected.put("activation", "relu");
        expected.put("use_bias", true);
        expected.put("depthwise_initializer", "he_normal");
        assertEquals(expected, d.config());
        assertTrue(m.summary().contains("depthwise_conv2d (DepthwiseConv2D)"), m.summary());

        DepthwiseConv2D noBias = DepthwiseConv2D.builder(3).useBias(false).build();
        Sequential m2 = Sequential.builder(5, 5, 4).add(noBias).build();
        assertNull(noBias.bias());
        assertEquals(List.of("depthwise_conv2d/kernel"), m2.parameters().stream().map(Parameter::name).toList());
        assertArrayEquals(new int[] {3, 3, 4}, noBias.outputShape());
        assertTrue(m2.summary().contains("Total params: 36"), m2.summary());
    }

    /** glorot_uniform with Keras's fans for (kh, kw, c, dm): limit sqrt(6 / (kh*kw*c + kh*kw*dm)). */
    @Test
    void glorotUsesKerasFans() {
        DepthwiseConv2D d = new DepthwiseConv2D(3, Activation.LINEAR);
        Sequential.builder(6, 6, 8).seed(3).add(d).build();
        double limit = Math.sqrt(6.0 / (9 * 8 + 9 * 1));
        float max = 0;
        for (float v : d.kernel().data()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= limit && max > 0.8 * limit, max + " vs limit " + limit);
    }

    @Test
    void forwardMatchesReferenceKernel() {
        DepthwiseConv2D d = DepthwiseConv2D.builder(3).strides(2).padding(Padding.SAME).depthMultiplier(3).build();
        Sequential m = Sequential.builder(7, 6, 4).seed(8).add(d).build();
        Random rng = new Random(9);
        for (int i = 0; i < d.bias().size(); i++) {
            d.bias().data()[i] = rng.nextFloat() - 0.5f;
        }
        Tensor x = GradCheck.param(rng, 1, 2, 7, 6, 4);
        float[] y = m.forward(x, false).data();
        float[] expected = new float[y.length];
        // SAME stride 2 on 7x6 with a 3x3 kernel: output 4x3, pads (1 top, 0 left)
        ReferenceKernels.depthwiseConv(expected, x.data(), d.kernel().data(), d.bias().data(), 2,
                new Depthwise.Shape(7, 6, 4, 3, 3, 3, 2, 2, 1, 0, 4, 3));
        assertArrayEquals(expected, y, 1e-6f);
    }

    /** Keras 3.15, DepthwiseConv2D(3, strides=2, padding='same', depth_multiplier=2) on x (2, 5, 4, 3). */
    @Test
    void matchesKerasSameStridedWithDepthMultiplier() {
        float[] expected = {
            -0.59999996f, 0.58000004f, 0.057999954f, 0.3499999f, 1.246f, -0.9120001f, -1.24f, -0.46000004f,
            0.796f, 1.388f, 1.4739999f, 0.74799997f, -1.486f, -1.6340001f, -1.1359999f, -0.78400004f,
            0.25000003f, -2.7859998f, 0.4220001f, 1.6340001f, 0.15600006f, 0.66799986f, 0.364f, -1.6360002f,
            -0.1559999f, -1.354f, -0.566f, 0.07799998f, 0.108000025f, -0.023999989f, 0.38200003f,
            0.17599995f, 0.18400003f, 0.876f, -0.48799995f, -0.67999995f, 1.582f, 2.406f, -0.010000065f,
            0.32999998f, 1.274f, -0.96000004f, -1.28f, -0.468f, 0.82f, 1.444f, 1.5619999f, 0.744f,
            -1.4499999f, -1.6499999f, -1.204f, -0.78f, 0.20199984f, -2.886f, 0.426f, 1.562f, 0.13200007f,
            0.692f, 0.43600008f, -1.6400001f, -0.06800008f, -1.342f, -0.63000005f, 0.061999917f,
            0.015999936f, -0.06799996f, 0.38600004f, 0.088f, 0.12800004f, 0.852f, -0.48000005f, -0.64000005f};
        DepthwiseConv2D d = DepthwiseConv2D.builder(3).strides(2).padding(Padding.SAME).depthMultiplier(2).build();
        Sequential m = Sequential.builder(5, 4, 3).add(d).build();
        System.arraycopy(BatchNormalizationTest.pattern(54, 29, 31, 15, 20), 0, d.kernel().data(), 0, 54);
        System.arraycopy(BatchNormalizationTest.pattern(6, 7, 11, 5, 10), 0, d.bias().data(), 0, 6);
        float[] y = m.predict(BatchNormalizationTest.pattern(120, 37, 101, 50, 25), 2, 2);
        assertArrayEquals(expected, y, KERAS_TOL);
    }

    /** Keras 3.15, DepthwiseConv2D(3, activation='relu', use_bias=False) on x (1, 4, 4, 2). */
    @Test
    void matchesKerasValidReluWithoutBias() {
        float[] expected = {
            1.1179998f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.118f, 0.0f};
        DepthwiseConv2D d = DepthwiseConv2D.builder(3).activation(Activation.RELU).useBias(false).build();
        Sequential m = Sequential.builder(4, 4, 2).add(d).build();
        System.arraycopy(BatchNormalizationTest.pattern(18, 29, 31, 15, 20), 0, d.kernel().data(), 0, 18);
        assertArrayEquals(expected, m.predict(BatchNormalizationTest.pattern(32, 37, 101, 50, 25), 1, 1), KERAS_TOL);
    }

    @Test
    void gradientsFlowThroughTheModel() {
        Sequential m = Sequential.builder(6, 5, 2).seed(6)
                .add(DepthwiseConv2D.builder(3).strides(2, 1).padding(Padding.SAME).depthMultiplier(2).build())
                .add(DepthwiseConv2D.builder(2).useBias(false).depthwiseInitializer(Initializer.HE_NORMAL).build())
                .add(new Flatten()).add(new Dense(2, Activation.SOFTMAX)).build();
        Random rng = new Random(12);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(GradCheck.param(rng, 1, 2, 6, 5, 2));
        for (Parameter p : m.parameters()) {
            inputs.add(p.value());
        }
        GradCheck.check(in -> m.forward(in[0], true), inputs.toArray(new Tensor[0]));
    }

    @Test
    void rebuiltFromItsConfigThroughJson() {
        Sequential m = Sequential.builder(9, 7, 3)
                .add(DepthwiseConv2D.builder(3, 2).strides(2, 1).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU).useBias(false).depthwiseInitializer(Initializer.HE_NORMAL).build())
                .add(new DepthwiseConv2D(3, Activation.LINEAR)).build();
        Map<?, ?> config = (Map<?, ?>) Json.parse(Json.write(ModelConfig.toConfig(m)));
        Sequential back = ModelConfig.fromConfig(config);
        assertEquals(m.summary(), back.summary());
        assertEquals(Json.write(ModelConfig.toConfig(m)), Json.write(ModelConfig.toConfig(back)));
        DepthwiseConv2D d = (DepthwiseConv2D) back.layers().get(0);
        assertEquals(2, d.depthMultiplier());
        assertFalse(d.useBias());
        assertEquals(Padding.SAME, d.padding());
        assertArrayEquals(new int[] {3, 2}, d.kernelSize());
        assertArrayEquals(new int[] {2, 1}, d.strides());
        assertEquals(m.summary(), ModelConfig.fromConfig(ModelConfig.toConfig(m)).summary());
    }

    @Test
    void badArgumentsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DepthwiseConv2D.builder(3).depthMultiplier(0).build());
        assertTrue(e.getMessage().contains("depth_multiplier") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DepthwiseConv2D(0, Activation.LINEAR));
        assertThrows(IllegalArgumentException.class,
                () -> DepthwiseConv2D.builder(3).strides(0, 1).build());
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
                () -> Sequential.builder(4, 4, 1).add(new Flatten()).add(new DepthwiseConv2D(3, Activation.LINEAR)).build());
        assertTrue(s.getMessage().contains("DepthwiseConv2D") && s.getMessage().contains("[16]"), s.getMessage());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(2, 5, 1).add(new DepthwiseConv2D(3, Activation.LINEAR)).build());
        Map<String, Object> config = ModelConfig.toConfig(Sequential.builder(4, 4, 1).add(new DepthwiseConv2D(3, Activation.LINEAR)).build());
        @SuppressWarnings("unchecked")
        Map<String, Object> layer = (Map<String, Object>) ((List<?>) config.get("layers")).get(0);
        Map<String, Object> c = new LinkedHashMap<>(new DepthwiseConv2D(3, Activation.LINEAR).config());
        c.put("use_bias", "true");
        layer.put("config", c);
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(config));
        assertTrue(e.getMessage().contains("use_bias"), e.getMessage());
    }
}
