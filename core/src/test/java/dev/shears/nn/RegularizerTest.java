package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.ops.GradCheck;
import dev.shears.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L1, L2 and L1L2 penalties by hand, their gradients, layer options and model files. */
class RegularizerTest {
    private static final double TOLERANCE = 1e-6;

    @TempDir
    Path dir;

    private static Tensor weights() {
        // away from 0, where |w| has its kink, so that central differences are valid
        return Tensor.parameter(new float[] {0.5f, -1.5f, 2f, -0.25f, 0.75f, -1f}, 2, 3);
    }

    @Test
    void penaltiesByHand() {
        // Σ|w| = 6, Σw² = 0.25 + 2.25 + 4 + 0.0625 + 0.5625 + 1 = 8.125
        assertEquals(0.01 * 6, Regularizer.l1().penalty(weights()).item(), TOLERANCE);
        assertEquals(0.01 * 8.125, Regularizer.l2().penalty(weights()).item(), TOLERANCE);
        assertEquals(0.2 * 6 + 0.03 * 8.125, Regularizer.l1l2(0.2, 0.03).penalty(weights()).item(), TOLERANCE);
        assertEquals(0.0, Regularizer.l1l2(0, 0).penalty(weights()).item());
        assertArrayEquals(new int[] {1}, Regularizer.l2().penalty(weights()).shape());
    }

    @Test
    void gradientsAreL1SignPlusTwiceL2W() {
        Tensor w = weights();
        Regularizer.l1l2(0.2, 0.03).penalty(w).backward();
        for (int i = 0; i < w.size(); i++) {
            double expected = 0.2 * Math.signum(w.data()[i]) + 2 * 0.03 * w.data()[i];
            assertEquals(expected, w.grad()[i], TOLERANCE, "element " + i);
        }
        Tensor zero = Tensor.parameter(new float[] {0f}, 1);
        Regularizer.l1(1).penalty(zero).backward();
        assertEquals(0f, zero.grad()[0], "sign(0) = 0, as TensorFlow's abs gradient");
    }

    @Test
    void gradientCheck() {
        GradCheck.check(in -> Regularizer.l1(0.3).penalty(in[0]), weights());
        GradCheck.check(in -> Regularizer.l2(0.3).penalty(in[0]), weights());
        GradCheck.check(in -> Regularizer.l1l2(0.1, 0.2).penalty(in[0]), weights());
    }

    @Test
    void configRoundTripAndBadConfigs() {
        for (Regularizer r : List.of(Regularizer.l1(), Regularizer.l2(0.5), Regularizer.l1l2(0.01, 0.02))) {
            assertEquals(r, Regularizer.fromConfig(r.toConfig()));
        }
        assertEquals(Map.of("class_name", "L2", "config", Map.of("l2", 0.01)), Regularizer.l2().toConfig());
        assertEquals(new Regularizer.L1L2(0, 0.3), Regularizer.fromConfig(Map.of("class_name", "L1L2", "config", Map.of("l2", 0.3))));
        assertThrows(IllegalArgumentException.class, () -> Regularizer.fromConfig(Map.of("class_name", "Orthogonal")));
        assertThrows(IllegalArgumentException.class, () -> Regularizer.fromConfig(Map.of("class_name", "L1", "config", Map.of())));
        assertThrows(IllegalArgumentException.class, () -> Regularizer.l1(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Regularizer.l2(Double.NaN));
    }

    private static Sequential regularizedModel() {
        return Sequential.builder(6, 6, 1).seed(4)
                .add(Conv2D.builder(2, 3).activation(Activation.RELU).kernelRegularizer(Regularizer.l1(0.02)).build())
                .add(new Flatten())
                .add(new Dense(3, Activation.SOFTMAX).withKernelRegularizer(Regularizer.l1l2(0.01, 0.03)))
                .build();
    }

    @Test
    void modelPenaltyIsTheSumOverLayers() {
        Sequential m = regularizedModel();
        double expected = Regularizer.l1(0.02).penalty(m.parameter("conv2d/kernel").value()).item()
                + Regularizer.l1l2(0.01, 0.03).penalty(m.parameter("dense/kernel").value()).item();
        double got = 0;
        for (Tensor t : m.regularizationLosses()) {
            got += t.item();
        }
        assertEquals(2, m.regularizationLosses().size());
        assertEquals(expected, got, TOLERANCE);
        assertTrue(Sequential.builder(4).add(new Dense(2, Activation.SOFTMAX)).build().regularizationLosses().isEmpty());
    }

    @Test
    void saveAndLoadKeepTheRegularizers() throws Exception {
        Sequential m = regularizedModel();
        Path file = dir.resolve("reg.safetensors");
        ModelFiles.save(m, file);
        Sequential back = ModelFiles.load(file);
        assertEquals(Regularizer.l1(0.02), ((Conv2D) back.layers().get(0)).kernelRegularizer().orElseThrow());
        assertEquals(Regularizer.l1l2(0.01, 0.03), ((Dense) back.layers().get(2)).kernelRegularizer().orElseThrow());
        assertEquals(Json.write(ModelConfig.toConfig(m)), Json.write(ModelConfig.toConfig(back)));
        assertEquals(m.regularizationLosses().get(1).item(), back.regularizationLosses().get(1).item());
        // layers without a regularizer write no key, so files from before regularizers read the same
        assertFalse(new Dense(2, Activation.RELU).config().containsKey("kernel_regularizer"));
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(Map.of("class_name", "Sequential",
                "input_shape", List.of(4), "seed", 0, "layers", List.of(Map.of("class_name", "Dense", "config",
                        Map.of("units", 2, "activation", "relu", "kernel_initializer", "glorot_uniform",
                                "kernel_regularizer", "l2"))))));
    }

    @Test
    void withKernelRegularizerCopiesAnUnbuiltLayer() {
        Dense named = (Dense) new Dense(5, Activation.RELU).setName("head");
        Dense copy = named.withKernelRegularizer(Regularizer.l2());
        assertEquals("head", copy.name());
        assertEquals(5, copy.units());
        assertTrue(named.kernelRegularizer().isEmpty());
        Sequential m = regularizedModel();
        assertThrows(IllegalStateException.class, () -> ((Dense) m.layers().get(2)).withKernelRegularizer(Regularizer.l1()));
    }
}
