package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.io.Json;
import dev.shears.kernels.ReferenceKernels;
import dev.shears.ops.GradCheck;
import dev.shears.ops.Ops;
import dev.shears.optim.Adam;
import dev.shears.tensor.Tensor;
import dev.shears.train.FitOptions;
import dev.shears.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The BatchNormalization layer: Keras defaults, parameters and state, training and inference forward against
 * the naive kernel and against Keras 3.15's own numbers (printed by {@code core/src/test/python/make_layer_reference.py}),
 * moving statistics, optimizers leaving them alone, summary counts, config round trips.
 */
class BatchNormalizationTest {
    /**
     * Keras's float32 results against ours: both round a handful of operations on values up to ~3, in other
     * orders (they agree to within 5e-7 on these inputs).
     */
    private static final float KERAS_TOL = 1e-6f;

    /** float32(((i * mul) % mod - sub) / div), the inputs the Python script builds. */
    static float[] pattern(int n, int mul, int mod, int sub, int div) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (((i * mul) % mod - sub) / (double) div);
        }
        return v;
    }

    private static Sequential single(BatchNormalization bn, int... inputShape) {
        return Sequential.builder(inputShape).add(bn).build();
    }

    @Test
    void defaultsAreKeras() {
        BatchNormalization bn = new BatchNormalization();
        assertEquals(0.99, bn.momentum());
        assertEquals(1e-3, bn.epsilon());
        assertTrue(bn.center() && bn.scale());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("axis", -1);
        expected.put("momentum", 0.99);
        expected.put("epsilon", 1e-3);
        expected.put("center", true);
        expected.put("scale", true);
        assertEquals(expected, bn.config());
        assertEquals("BatchNormalization", bn.type());
        Sequential m = single(bn, 4, 4, 3);
        assertEquals("batch_normalization", bn.name());
        assertArrayEquals(new int[] {4, 4, 3}, bn.outputShape());
        assertArrayEquals(new float[] {1, 1, 1}, bn.gamma().data());
        assertArrayEquals(new float[] {0, 0, 0}, bn.beta().data());
        assertArrayEquals(new float[] {0, 0, 0}, bn.movingMean().data());
        assertArrayEquals(new float[] {1, 1, 1}, bn.movingVariance().data());
        assertEquals(List.of("batch_normalization/gamma", "batch_normalization/beta"),
                m.parameters().stream().map(Parameter::name).toList());
        assertEquals(List.of("batch_normalization/moving_mean", "batch_normalization/moving_variance"),
                m.state().stream().map(Parameter::name).toList());
        for (Parameter p : m.parameters()) {
            assertFalse(p.prunable(), p.name());
            assertTrue(p.value().requiresGrad(), p.name());
        }
        for (Parameter p : m.state()) {
            assertFalse(p.prunable(), p.name());
            assertFalse(p.value().requiresGrad(), p.name());
        }
        assertEquals(6, m.trainableCount());
        assertEquals(6, m.nonTrainableCount());
    }

    @Test
    void centerAndScaleDecideWhichParametersExist() {
        BatchNormalization noBeta = new BatchNormalization(0.9, 1e-2, false, true);
        Sequential m = single(noBeta, 5);
        assertNull(noBeta.beta());
        assertEquals(List.of("batch_normalization/gamma"), m.parameters().stream().map(Parameter::name).toList());
        BatchNormalization neither = new BatchNormalization(0.9, 1e-2, false, false);
        Sequential m2 = single(neither, 5);
        assertTrue(m2.parameters().isEmpty());
        assertEquals(10, m2.nonTrainableCount());
        assertEquals(2, m2.state().size());
    }

    @Test
    void badHyperparametersAreRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(1.5, 1e-3, true, true));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(0.9, 0, true, true));
        assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(Double.NaN, 1e-3, true, true));
        assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(0.9, Double.NaN, true, true));
    }

    /** Training forward against the naive kernel; moving statistics after two steps against the closed form. */
    @Test
    void trainingForwardAndMovingStatisticsMatchTheClosedForm() {
        BatchNormalization bn = new BatchNormalization(0.8, 1e-3, true, true);
        Sequential m = single(bn, 3, 2, 5);
        Random rng = new Random(3);
        for (int i = 0; i < 5; i++) {
            bn.gamma().data()[i] = 0.5f + rng.nextFloat();
            bn.beta().data()[i] = rng.nextFloat() - 0.5f;
        }
        float[] expectedMean = new float[5];
        float[] expectedVar = {1, 1, 1, 1, 1};
        for (int step = 0; step < 2; step++) {
            Tensor x = GradCheck.param(rng, 3, 4, 3, 2, 5);
            Tensor y = m.forward(x, true);
            float[] yRef = new float[x.size()];
            float[] batchMean = new float[5];
            float[] batchVar = new float[5];
            ReferenceKernels.batchNorm(yRef, batchMean, batchVar, x.data(), bn.gamma().data(), bn.beta().data(), 1e-3f, 24, 5);
            assertArrayEquals(yRef, y.data(), 1e-5f, "step " + step);
            for (int ch = 0; ch < 5; ch++) {
                expectedMean[ch] = expectedMean[ch] * 0.8f + batchMean[ch] * (float) (1 - 0.8);
                expectedVar[ch] = expectedVar[ch] * 0.8f + batchVar[ch] * (float) (1 - 0.8);
            }
            assertArrayEquals(expectedMean, bn.movingMean().data(), 1e-6f, "step " + step);
            assertArrayEquals(expectedVar, bn.movingVariance().data(), 1e-6f, "step " + step);
        }
    }

    /** Inference uses the moving statistics, y = (x - mean) / sqrt(var + eps) · gamma + beta, and updates nothing. */
    @Test
    void inferenceUsesTheMovingStatistics() {
        BatchNormalization bn = new BatchNormalization();
        Sequential m = single(bn, 2);
        bn.gamma().data()[0] = 2f;
        bn.beta().data()[1] = 0.5f;
        bn.movingMean().data()[0] = 1f;
        bn.movingMean().data()[1] = -1f;
        bn.movingVariance().data()[0] = 4f;
        bn.movingVariance().data()[1] = 0.25f;
        float[] y = m.predict(new float[] {3f, 0f, -1f, 1f}, 2, 2);
        double s0 = 2 / Math.sqrt(4.001);
        double s1 = 1 / Math.sqrt(0.251);
        assertArrayEquals(new float[] {(float) (2 * s0), (float) (s1 + 0.5), (float) (-2 * s0), (float) (2 * s1 + 0.5)}, y, 1e-6f);
        assertArrayEquals(new float[] {1f, -1f}, bn.movingMean().data(), 0f);
        assertArrayEquals(new float[] {4f, 0.25f}, bn.movingVariance().data(), 0f);
    }

    /** Keras 3.15 on x (4, 2, 3, 3): training output, moving statistics after that call, inference output, gradients. */
    @Test
    void matchesKerasWithDefaults() {
        float[] training = {
            -2.2317455f, 0.059608176f, 1.8521575f, -1.7425681f, -0.12582622f, 2.5022757f, -1.2533908f,
            -0.31126064f, 3.152394f, -0.7642134f, -0.49669504f, -2.7636826f, -0.275036f, -0.6821295f,
            -2.1135643f, 0.21414137f, -0.8675639f, -1.4634459f, 0.7033187f, -1.0529983f, -0.81332755f,
            1.1924961f, 0.63445485f, -0.16320926f, 1.6816735f, 0.44902045f, 0.48690903f, 2.1708508f,
            0.26358604f, 1.1370273f, 2.6600282f, 0.07815163f, 1.7871457f, -1.7914858f, -0.10728279f,
            2.437264f, -1.3023084f, -0.2927172f, 3.0873823f, -0.8131311f, -0.47815162f, -2.8286943f,
            -0.32395375f, -0.663586f, -2.178576f, 0.16522363f, -0.8490205f, -1.5284576f, 0.65440106f,
            -1.0344548f, -0.8783394f, 1.1435783f, 0.65299827f, -0.22822109f, 1.6327558f, 0.46756387f,
            0.4218972f, 2.121933f, 0.28212947f, 1.0720155f, 2.6111104f, 0.09669508f, 1.7221339f, -1.8404036f,
            -0.08873934f, 2.372252f, -1.3512262f, -0.27417377f, 3.0223703f, -0.86204886f, -0.4596082f,
            -2.8937063f};
        float[] movingMean = {
            0.048566666f, -0.0986f, 0.19804999f};
        float[] movingVariance = {
            0.8070342f, 1.1996228f, 1.9951324f};
        float[] inference = {
            -3.3184283f, -0.007707998f, 1.3786035f, -2.6509511f, -0.19023483f, 1.9448367f, -1.9834743f,
            -0.37276167f, 2.5110698f, -1.315997f, -0.5552885f, -2.6416523f, -0.64851993f, -0.7378153f,
            -2.0754192f, 0.01895716f, -0.92034215f, -1.5091859f, 0.6864342f, -1.1028689f, -0.94295263f,
            1.3539113f, 0.5581252f, -0.37671944f, 2.0213885f, 0.37559837f, 0.18951377f, 2.6888654f,
            0.1930715f, 0.75574696f, 3.3563426f, 0.010544702f, 1.3219802f, -2.7176988f, -0.17198214f,
            1.8882134f, -2.050222f, -0.35450897f, 2.4544466f, -1.3827447f, -0.53703576f, -2.6982756f,
            -0.71526766f, -0.7195626f, -2.1320424f, -0.04779055f, -0.9020895f, -1.5658092f, 0.61968654f,
            -1.0846163f, -0.999576f, 1.2871636f, 0.57637787f, -0.43334275f, 1.9546406f, 0.39385104f,
            0.13289046f, 2.6221178f, 0.2113242f, 0.6991236f, 3.289595f, 0.028797373f, 1.2653568f,
            -2.7844465f, -0.15372945f, 1.83159f, -2.1169696f, -0.33625627f, 2.397823f, -1.4494925f,
            -0.5187831f, -2.754899f};
        float[] dX = {
            -0.9168068f, -0.07700507f, -1.2486702f, 0.555302f, 0.2600134f, 0.761632f, -0.3450993f,
            -0.30232504f, -0.3811394f, 1.1270096f, 0.03469341f, -1.4727607f, 0.22660828f, 0.37171188f,
            0.53754175f, -0.6737931f, -0.19062656f, -0.6052297f, 0.7983159f, 0.1463919f, 1.4050727f,
            -0.10208544f, 0.35707715f, 0.2623013f, -1.0024868f, -0.2052613f, -0.8804701f, 0.46962214f,
            0.13175716f, 1.1298323f, -0.43077916f, -0.43058127f, -0.012939158f, -0.883337f, -0.09356282f,
            -1.1557106f, 0.5887718f, 0.24345565f, 0.8545918f, -0.31162953f, -0.3188828f, -0.23702945f,
            1.1604794f, 0.01813566f, -1.3798008f, 0.26007807f, 0.35515413f, 0.63050157f, -0.6403232f,
            -0.20718431f, -0.51226985f, 0.8317857f, 0.0035009347f, 1.4980325f, -0.068615675f, 0.3405194f,
            0.3552611f, -0.969017f, -0.22181904f, -0.7875103f, 0.5030919f, 0.1151994f, 1.222792f,
            0.050533965f, -0.44713902f, 0.08002065f, -0.84986734f, -0.110120565f, -1.0627508f, 0.6222416f,
            0.22689788f, 0.9987018f};
        float[] dGamma = {
            2.6682994f, 1.7460502f, 0.2300605f};
        float[] dBeta = {
            -0.89999974f, -0.6799999f, -0.4600001f};
        checkAgainstKeras(new BatchNormalization(), training, movingMean, movingVariance, inference, dX, dGamma, dBeta);
    }

    /** The same with momentum 0.9, epsilon 0.01 and center=False (no beta). */
    @Test
    void matchesKerasWithoutCenter() {
        float[] training = {
            -2.3248022f, 0.2586097f, 1.5475651f, -1.8370814f, 0.073888496f, 2.19576f, -1.3493607f,
            -0.11083273f, 2.8439548f, -0.86164f, -0.29555395f, -3.0546181f, -0.37391925f, -0.48027518f,
            -2.4064233f, 0.113801494f, -0.6649964f, -1.7582285f, 0.6015222f, -0.8497176f, -1.1100336f,
            1.0892429f, 0.8312455f, -0.4618388f, 1.5769637f, 0.6465243f, 0.18635601f, 2.0646844f,
            0.46180305f, 0.83455086f, 2.552405f, 0.27708185f, 1.4827458f, -1.8858535f, 0.092360616f,
            2.1309407f, -1.3981328f, -0.0923606f, 2.7791355f, -0.9104121f, -0.27708182f, -3.1194375f,
            -0.42269135f, -0.46180302f, -2.4712427f, 0.06502943f, -0.6465243f, -1.823048f, 0.5527502f,
            -0.8312455f, -1.1748532f, 1.0404708f, 0.8497176f, -0.5266583f, 1.5281916f, 0.6649964f,
            0.12153654f, 2.0159123f, 0.48027518f, 0.76973134f, 2.503633f, 0.29555398f, 1.4179262f,
            -1.9346256f, 0.110832736f, 2.066121f, -1.4469048f, -0.07388848f, 2.714316f, -0.95918417f,
            -0.2586097f, -3.1842573f};
        float[] movingMean = {
            0.035666667f, -0.085999995f, 0.18049999f};
        float[] movingVariance = {
            0.8703422f, 1.1962267f, 1.9513241f};
        float[] inference = {
            -3.2544093f, 0.19758102f, 1.1131955f, -2.6149316f, 0.0154787f, 1.6844312f, -1.9754536f,
            -0.16662364f, 2.2556667f, -1.3359758f, -0.34872597f, -2.9425776f, -0.696498f, -0.53082836f,
            -2.371342f, -0.057020105f, -0.7129307f, -1.8001064f, 0.5824577f, -0.895033f, -1.2288706f,
            1.2219356f, 0.76209825f, -0.65763503f, 1.8614135f, 0.57999593f, -0.08639936f, 2.5008912f,
            0.3978936f, 0.48483628f, 3.140369f, 0.21579129f, 1.056072f, -2.6788793f, 0.03368893f, 1.6273077f,
            -2.0394013f, -0.1484134f, 2.1985433f, -1.3999234f, -0.3305157f, -2.9997013f, -0.7604457f,
            -0.51261806f, -2.4284656f, -0.12096789f, -0.69472045f, -1.85723f, 0.5185099f, -0.87682277f,
            -1.2859943f, 1.1579878f, 0.7803085f, -0.7147586f, 1.7974656f, 0.59820616f, -0.14352293f,
            2.4369433f, 0.41610384f, 0.42771274f, 3.0764213f, 0.23400152f, 0.99894834f, -2.742827f,
            0.05189917f, 1.570184f, -2.1033492f, -0.13020317f, 2.1414196f, -1.4638712f, -0.3123055f,
            -3.056825f};
        float[] dX = {
            -0.91533f, -0.07657498f, -1.2449048f, 0.5526582f, 0.25905165f, 0.7594797f, -0.34479904f,
            -0.30121967f, -0.37988082f, 1.1231892f, 0.034406915f, -1.4685438f, 0.22573197f, 0.3700335f,
            0.5358406f, -0.67172533f, -0.19023778f, -0.60352f, 0.796263f, 0.14538881f, 1.4008645f,
            -0.10119433f, 0.3561343f, 0.26150396f, -0.9986516f, -0.20413703f, -0.8778566f, 0.46933663f,
            0.13148956f, 1.1265279f, -0.4281206f, -0.42878175f, -0.012832631f, -0.8817233f, -0.093155146f,
            -1.1521932f, 0.58626497f, 0.24247149f, 0.85219127f, -0.31119233f, -0.31779984f, -0.23647174f,
            1.156796f, 0.017826755f, -1.3758322f, 0.25933868f, 0.35345337f, 0.6285522f, -0.63811857f,
            -0.20681797f, -0.51080835f, 0.8298696f, 0.00392751f, 1.4935762f, -0.06758763f, 0.33955413f,
            0.35421562f, -0.9650449f, -0.22071718f, -0.7851449f, 0.50294334f, 0.11490941f, 1.2192396f,
            0.049340695f, -0.4453619f, 0.07987899f, -0.84811664f, -0.1097353f, -1.0594815f, 0.6198717f,
            0.2258913f, 0.9956004f};
        float[] dGamma = {
            2.660354f, 1.7393348f, 0.22937983f};
        checkAgainstKeras(new BatchNormalization(0.9, 0.01, false, true), training, movingMean, movingVariance, inference, dX, dGamma, null);
    }

    private static BatchNormalization kerasSetup(BatchNormalization bn) {
        single(bn, 2, 3, 3);
        System.arraycopy(new float[] {1.5f, -0.5f, 2.0f}, 0, bn.gamma().data(), 0, 3);
        if (bn.beta() != null) {
            System.arraycopy(new float[] {0.1f, -0.2f, 0.3f}, 0, bn.beta().data(), 0, 3);
        }
        System.arraycopy(new float[] {0.05f, -0.1f, 0.2f}, 0, bn.movingMean().data(), 0, 3);
        System.arraycopy(new float[] {0.8f, 1.2f, 2.0f}, 0, bn.movingVariance().data(), 0, 3);
        return bn;
    }

    private static void checkAgainstKeras(BatchNormalization bn, float[] training, float[] movingMean, float[] movingVariance,
                                          float[] inference, float[] dX, float[] dGamma, float[] dBeta) {
        kerasSetup(bn);
        float[] x = pattern(72, 37, 101, 50, 25);
        assertArrayEquals(training, bn.forward(Tensor.of(x.clone(), 4, 2, 3, 3), true).data(), KERAS_TOL, "training");
        assertArrayEquals(movingMean, bn.movingMean().data(), 1e-7f, "moving mean");
        assertArrayEquals(movingVariance, bn.movingVariance().data(), 1e-6f, "moving variance");
        assertArrayEquals(inference, bn.forward(Tensor.of(x.clone(), 4, 2, 3, 3), false).data(), KERAS_TOL, "inference");

        BatchNormalization fresh = kerasSetup(new BatchNormalization(bn.momentum(), bn.epsilon(), bn.center(), bn.scale()));
        Tensor xt = Tensor.parameter(x.clone(), 4, 2, 3, 3);
        Tensor r = Tensor.of(pattern(72, 53, 97, 48, 50), 4, 2, 3, 3);
        Ops.sum(Ops.mul(fresh.forward(xt, true), r)).backward();
        assertArrayEquals(dX, xt.grad(), KERAS_TOL, "dX");
        assertArrayEquals(dGamma, fresh.gamma().value().grad(), KERAS_TOL, "dGamma");
        if (dBeta != null) {
            assertArrayEquals(dBeta, fresh.beta().value().grad(), KERAS_TOL, "dBeta");
        }
    }

    /** Keras's summary of the same model: conv2d 112, batch_normalization 16, depthwise 80, BN without beta 24, dense 45. */
    @Test
    void summaryCountsMatchKeras() {
        Sequential m = Sequential.builder(8, 8, 3)
                .add(new Conv2D(4, 3, Activation.LINEAR))
                .add(new BatchNormalization())
                .add(DepthwiseConv2D.builder(3).depthMultiplier(2).activation(Activation.RELU).build())
                .add(new BatchNormalization(0.99, 1e-3, false, true))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(5, Activation.LINEAR)).build();
        // Keras 3.15: total 277, trainable 253, non-trainable 24
        assertEquals(253, m.trainableCount());
        assertEquals(24, m.nonTrainableCount());
        String s = m.summary();
        assertTrue(s.contains("Total params: 277"), s);
        assertTrue(s.contains("Trainable params: 253"), s);
        assertTrue(s.contains("Non-trainable params: 24"), s);
        assertTrue(s.contains("batch_normalization (BatchNormalization)") && s.contains("batch_normalization_1 (BatchNormalization)"), s);
        String bnRow = s.lines().filter(l -> l.contains("batch_normalization (")).findFirst().orElseThrow();
        String bn1Row = s.lines().filter(l -> l.contains("batch_normalization_1 (")).findFirst().orElseThrow();
        String dwRow = s.lines().filter(l -> l.contains("(DepthwiseConv2D)")).findFirst().orElseThrow();
        assertTrue(bnRow.trim().endsWith(" 16"), bnRow);
        assertTrue(bn1Row.trim().endsWith(" 24"), bn1Row);
        assertTrue(dwRow.trim().endsWith(" 80") && dwRow.contains("(None, 4, 4, 8)"), dwRow);
    }

    /**
     * Trainer.fit with Adam: gamma and beta train, the moving statistics follow only the forward passes
     * (BN first, so its input is the raw batch and the expected averages are known in closed form).
     */
    @Test
    void optimizersLeaveTheMovingStatisticsAlone() {
        BatchNormalization bn = new BatchNormalization(0.5, 1e-3, true, true);
        Sequential m = Sequential.builder(3).seed(4).add(bn).add(new Dense(2, Activation.SOFTMAX)).build();
        int n = 8;
        float[] x = pattern(n * 3, 37, 101, 50, 25);
        int[] labels = {0, 1, 1, 0, 1, 0, 0, 1};
        Dataset data = new Dataset(x, new int[] {3}, labels, 2);
        Trainer trainer = new Trainer(m, new Adam(), Loss.sparseCategoricalCrossentropy(false));
        trainer.fit(data, FitOptions.defaults().withEpochs(2).withBatchSize(n).withVerbose(false));
        float[] mean = new float[3];
        float[] var = new float[3];
        ReferenceKernels.batchNorm(new float[n * 3], mean, var, x, null, null, 1e-3f, n, 3);
        float[] expectedMean = new float[3];
        float[] expectedVar = {1, 1, 1};
        for (int step = 0; step < 2; step++) {
            for (int ch = 0; ch < 3; ch++) {
                expectedMean[ch] = expectedMean[ch] * 0.5f + mean[ch] * 0.5f;
                expectedVar[ch] = expectedVar[ch] * 0.5f + var[ch] * 0.5f;
            }
        }
        assertArrayEquals(expectedMean, bn.movingMean().data(), 1e-6f);
        assertArrayEquals(expectedVar, bn.movingVariance().data(), 1e-6f);
        assertFalse(bn.gamma().data()[0] == 1f && bn.gamma().data()[1] == 1f, "gamma was trained");
        assertFalse(bn.beta().data()[0] == 0f, "beta was trained");
    }

    @Test
    void gradientsFlowThroughAModel() {
        Sequential m = Sequential.builder(5, 4, 2).seed(6)
                .add(Conv2D.builder(3, 3).padding(Padding.SAME).build())
                .add(new BatchNormalization())
                .add(new Flatten()).add(new Dense(4, Activation.LINEAR))
                .add(new BatchNormalization(0.9, 1e-2, true, false))
                .add(new Dense(2, Activation.SOFTMAX)).build();
        Random rng = new Random(12);
        for (boolean training : new boolean[] {true, false}) {
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(GradCheck.param(rng, 1, 3, 5, 4, 2));
            for (Parameter p : m.parameters()) {
                inputs.add(p.value());
            }
            GradCheck.check(in -> m.forward(in[0], training), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void rebuiltFromItsConfigThroughJson() {
        Sequential m = Sequential.builder(6).add(new Dense(4, Activation.LINEAR)).add(new BatchNormalization(0.9, 0.01, false, true))
                .add(new BatchNormalization()).build();
        Map<?, ?> config = (Map<?, ?>) Json.parse(Json.write(ModelConfig.toConfig(m)));
        Sequential back = ModelConfig.fromConfig(config);
        assertEquals(m.summary(), back.summary());
        assertEquals(Json.write(ModelConfig.toConfig(m)), Json.write(ModelConfig.toConfig(back)));
        BatchNormalization bn = (BatchNormalization) back.layers().get(1);
        assertEquals(0.9, bn.momentum());
        assertEquals(0.01, bn.epsilon());
        assertFalse(bn.center());
        assertEquals(m.summary(), ModelConfig.fromConfig(ModelConfig.toConfig(m)).summary());
    }

    @Test
    void badConfigIsRejectedNamingTheField() {
        Object[][] bad = {{"axis", 1L}, {"axis", "channels"}, {"center", "yes"}, {"scale", null}, {"momentum", "0.9"}, {"momentum", 2.0}};
        for (Object[] kv : bad) {
            Map<String, Object> config = ModelConfig.toConfig(single(new BatchNormalization(), 3));
            @SuppressWarnings("unchecked")
            Map<String, Object> layer = (Map<String, Object>) ((List<?>) config.get("layers")).get(0);
            Map<String, Object> c = new LinkedHashMap<>(new BatchNormalization().config());
            c.put((String) kv[0], kv[1]);
            layer.put("config", c);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(config), kv[0] + "=" + kv[1]);
            assertTrue(e.getMessage().contains((String) kv[0]), e.getMessage());
        }
    }
}
