package dev.shears.ops;

import static dev.shears.ops.GradCheck.check;
import static dev.shears.ops.GradCheck.param;

import dev.shears.nn.Padding;
import dev.shears.tensor.Tensor;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks for every differentiable op, on tiny shapes. */
class OpsGradientTest {
    private final Random rng = new Random(42);

    @Test
    void matmul() {
        check(in -> Ops.matmul(in[0], in[1]), param(rng, 1, 3, 4), param(rng, 1, 4, 5));
    }

    @Test
    void matmulWithVectorShapes() {
        check(in -> Ops.matmul(in[0], in[1]), param(rng, 1, 1, 1), param(rng, 1, 1, 3));
    }

    @Test
    void addBias() {
        check(in -> Ops.addBias(in[0], in[1]), param(rng, 1, 2, 3, 4), param(rng, 1, 4));
    }

    @Test
    void elementwise() {
        check(in -> Ops.add(in[0], in[1]), param(rng, 1, 2, 3), param(rng, 1, 2, 3));
        check(in -> Ops.sub(in[0], in[1]), param(rng, 1, 2, 3), param(rng, 1, 2, 3));
        check(in -> Ops.mul(in[0], in[1]), param(rng, 1, 2, 3), param(rng, 1, 2, 3));
        check(in -> Ops.scale(in[0], -2.5f), param(rng, 1, 5));
        check(in -> Ops.mean(in[0]), param(rng, 1, 3, 2));
    }

    @Test
    void relu() {
        // Values kept away from the kink at 0, where the derivative is undefined.
        Tensor x = param(rng, 1, 4, 5);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] += Math.signum(x.data()[i]) * 0.1f;
        }
        check(in -> Ops.relu(in[0]), x);
    }

    @Test
    void softmax() {
        check(in -> Ops.softmax(in[0]), param(rng, 2, 3, 4));
    }

    @Test
    void reshapeAndFlatten() {
        check(in -> Ops.reshape(in[0], 6, 2), param(rng, 1, 3, 4));
        check(in -> Ops.flatten(in[0]), param(rng, 1, 2, 2, 3));
    }

    @Test
    void dropoutWithFixedMask() {
        check(in -> Ops.dropout(in[0], 0.4f, true, new SplittableRandom(3)), param(rng, 1, 4, 6));
    }

    @Test
    void conv2dValid() {
        check(in -> ConvOps.conv2d(in[0], in[1], in[2], 1, 1, Padding.VALID),
                param(rng, 1, 2, 5, 4, 3), param(rng, 1, 3, 2, 3, 2), param(rng, 1, 2));
    }

    @Test
    void conv2dSameStrided() {
        check(in -> ConvOps.conv2d(in[0], in[1], in[2], 2, 2, Padding.SAME),
                param(rng, 1, 1, 5, 6, 2), param(rng, 1, 3, 3, 2, 3), param(rng, 1, 3));
    }

    @Test
    void conv2dWithFusedRelu() {
        Tensor x = param(rng, 1, 2, 5, 4, 3);
        Tensor k = param(rng, 1, 3, 2, 3, 2);
        Tensor b = param(rng, 0.3f, 2);
        // Keep pre-activations away from 0 so the finite difference does not straddle the kink.
        Tensor pre = ConvOps.conv2d(x, k, b, 1, 1, Padding.VALID);
        for (int i = 0; i < pre.size(); i++) {
            if (Math.abs(pre.data()[i]) < 0.05f) {
                b.data()[i % 2] += 0.2f;
                i = -1;
                pre = ConvOps.conv2d(x, k, b, 1, 1, Padding.VALID);
            }
        }
        check(in -> ConvOps.conv2d(in[0], in[1], in[2], 1, 1, Padding.VALID, true), x, k, b);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Ops.relu(pre).data(),
                ConvOps.conv2d(x, k, b, 1, 1, Padding.VALID, true).data());
    }

    @Test
    void conv2dOneChannelUnfoldedTransposedWithInputGradient() {
        // One input channel: the transposed unfolding, here with a gradient into x as well (a conv after a
        // one-channel layer), and SAME padding on both sides.
        check(in -> ConvOps.conv2d(in[0], in[1], in[2], 1, 2, Padding.SAME),
                param(rng, 1, 2, 6, 5, 1), param(rng, 1, 3, 3, 1, 2), param(rng, 1, 2));
    }

    @Test
    void conv2dPointwiseWithoutBias() {
        check(in -> ConvOps.conv2d(in[0], in[1], null, 1, 1, Padding.VALID),
                param(rng, 1, 2, 3, 3, 2), param(rng, 1, 1, 1, 2, 4));
    }

    @Test
    void maxPool() {
        // Distinct values so that the argmax is stable under the finite-difference step.
        Tensor x = Tensor.parameter(new float[2 * 4 * 5 * 3], 2, 4, 5, 3);
        int[] perm = shuffled(x.size());
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = perm[i] * 0.1f;
        }
        check(in -> ConvOps.maxPool2d(in[0], 2, 2, 2, 2), x);
        check(in -> ConvOps.maxPool2d(in[0], 3, 2, 1, 1), x);
    }

    @Test
    void globalAveragePool() {
        check(in -> ConvOps.globalAvgPool2d(in[0]), param(rng, 1, 2, 3, 4, 5));
    }

    @Test
    void zeroPad2d() {
        // Odd sizes, asymmetric pads, one side not padded at all; and all pads zero (a copy).
        check(in -> ConvOps.zeroPad2d(in[0], 2, 0, 1, 3), param(rng, 1, 2, 3, 5, 3));
        check(in -> ConvOps.zeroPad2d(in[0], 0, 1, 0, 0), param(rng, 1, 1, 1, 3, 1));
        check(in -> ConvOps.zeroPad2d(in[0], 0, 0, 0, 0), param(rng, 1, 1, 3, 1, 2));
    }

    @Test
    void zeroPadThenValidConv() {
        // The ONNX explicit-pad pattern: pads 1 on every side, then a strided valid conv.
        check(in -> ConvOps.conv2d(ConvOps.zeroPad2d(in[0], 1, 1, 1, 1), in[1], in[2], 2, 2, Padding.VALID),
                param(rng, 1, 1, 5, 4, 2), param(rng, 1, 3, 3, 2, 3), param(rng, 1, 3));
    }

    @Test
    void fusedSoftmaxCrossEntropy() {
        int[] labels = {0, 2, 1};
        check(in -> LossOps.softmaxCrossEntropy(in[0], labels), param(rng, 2, 3, 3));
    }

    @Test
    void crossEntropyFromProbabilities() {
        int[] labels = {1, 0};
        Tensor p = Tensor.parameter(new float[] {0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f}, 2, 3);
        check(in -> LossOps.crossEntropyFromProbabilities(in[0], labels), p);
    }

    @Test
    void categoricalCrossEntropy() {
        Tensor p = Tensor.parameter(new float[] {0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f}, 2, 3);
        Tensor t = Tensor.of(new float[] {0, 1, 0, 0.5f, 0, 0.5f}, 2, 3);
        check(in -> LossOps.categoricalCrossEntropy(in[0], t), p);
    }

    @Test
    void softmaxThenCrossEntropyUsesTheFusedPath() {
        int[] labels = {2, 0};
        check(in -> LossOps.crossEntropyFromProbabilities(Ops.softmax(in[0]), labels), param(rng, 3, 2, 3));
    }

    private int[] shuffled(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
