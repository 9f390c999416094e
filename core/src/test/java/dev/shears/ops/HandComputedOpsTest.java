package dev.shears.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.nn.Padding;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each op on an input small enough to work out by hand. */
class HandComputedOpsTest {
    private static final float EXACT = 0f;
    private static final float CLOSE = 1e-5f;

    @Test
    void conv2dValidMatchesHandComputation() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], kernel [[1,2],[3,4]], bias 0.5
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        Tensor k = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1, 1);
        Tensor b = Tensor.of(new float[] {0.5f}, 1);
        Tensor y = ConvOps.conv2d(x, k, b, 1, 1, Padding.VALID);
        assertArrayEquals(new int[] {1, 2, 2, 1}, y.shape());
        assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, y.data(), EXACT);
    }

    @Test
    void conv2dSamePaddingSumsNeighbourhoods() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1f);
        Tensor y = ConvOps.conv2d(x, Tensor.of(ones, 3, 3, 1, 1), null, 1, 1, Padding.SAME);
        assertArrayEquals(new float[] {12, 21, 16, 27, 45, 33, 24, 39, 28}, y.data(), EXACT);
    }

    @Test
    void samePaddingFollowsTensorFlowsRule() {
        // in 6, k 3, stride 2: out 3, total padding 1, all of it after (TF puts the odd pixel at the end).
        assertEquals(3, ConvOps.outputSize(6, 3, 2, Padding.SAME));
        assertEquals(0, ConvOps.padBefore(6, 3, 2, Padding.SAME));
        assertEquals(1, ConvOps.padBefore(5, 3, 1, Padding.SAME));
        assertEquals(2, ConvOps.outputSize(6, 3, 2, Padding.VALID));
    }

    @Test
    void conv2dMixesChannels() {
        // one pixel, two input channels (1, 2), two filters: [[1, 10], [100, 1000]] -> (201, 2010)
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 1, 1, 2);
        Tensor k = Tensor.of(new float[] {1, 10, 100, 1000}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {201, 2010}, ConvOps.conv2d(x, k, null, 1, 1, Padding.VALID).data(), EXACT);
    }

    @Test
    void maxPoolPicksWindowMaxima() {
        Tensor x = Tensor.of(new float[] {1, 3, 2, 0, 2, 4, 1, 1, 5, 6, 7, 8, -1, -2, -3, -4}, 1, 4, 4, 1);
        assertArrayEquals(new float[] {4, 2, 6, 8}, ConvOps.maxPool2d(x, 2, 2, 2, 2).data(), EXACT);
    }

    @Test
    void globalAveragePoolAveragesPerChannel() {
        Tensor x = Tensor.of(new float[] {1, 10, 2, 20, 3, 30, 4, 40}, 1, 2, 2, 2);
        assertArrayEquals(new float[] {2.5f, 25f}, ConvOps.globalAvgPool2d(x).data(), EXACT);
    }

    @Test
    void zeroPad2dSurroundsWithZeros() {
        // x = [[1,2],[3,4]] (one channel), pads top 1, bottom 0, left 2, right 1 -> 3x5
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1);
        Tensor y = ConvOps.zeroPad2d(x, 1, 0, 2, 1);
        assertArrayEquals(new int[] {1, 3, 5, 1}, y.shape());
        assertArrayEquals(new float[] {
            0, 0, 0, 0, 0,
            0, 0, 1, 2, 0,
            0, 0, 3, 4, 0}, y.data(), EXACT);
        assertThrows(IllegalArgumentException.class, () -> ConvOps.zeroPad2d(x, 0, -1, 0, 0));
        assertThrows(ShapeMismatchException.class, () -> ConvOps.zeroPad2d(Tensor.of(new float[4], 1, 4), 1, 1, 1, 1));
    }

    @Test
    void zeroPadThenValidConvEqualsSameWhenTheSamePadIsSymmetric() {
        // k 3, stride 1: TensorFlow's 'same' pads 1 on every side, so ZeroPadding2D(1) + 'valid' is the same conv.
        java.util.Random rng = new java.util.Random(4);
        Tensor x = GradCheck.param(rng, 1, 2, 5, 6, 3);
        Tensor k = GradCheck.param(rng, 1, 3, 3, 3, 4);
        Tensor viaPad = ConvOps.conv2d(ConvOps.zeroPad2d(x, 1, 1, 1, 1), k, null, 1, 1, Padding.VALID);
        Tensor same = ConvOps.conv2d(x, k, null, 1, 1, Padding.SAME);
        assertArrayEquals(same.shape(), viaPad.shape());
        assertArrayEquals(same.data(), viaPad.data(), CLOSE);
    }

    @Test
    void matmulMatchesHandComputation() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, Ops.matmul(a, b).data(), EXACT);
    }

    @Test
    void softmaxAndCrossEntropy() {
        float ln2 = (float) Math.log(2);
        float ln3 = (float) Math.log(3);
        Tensor logits = Tensor.of(new float[] {0, ln2, ln3}, 1, 3);
        assertArrayEquals(new float[] {1f / 6, 2f / 6, 3f / 6}, Ops.softmax(logits).data(), CLOSE);
        assertEquals(Math.log(2), LossOps.softmaxCrossEntropy(logits, new int[] {2}).item(), CLOSE);
        assertEquals(Math.log(6), LossOps.softmaxCrossEntropy(logits, new int[] {0}).item(), CLOSE);
    }

    @Test
    void fusedCrossEntropyStaysFiniteForHugeLogits() {
        Tensor logits = Tensor.of(new float[] {1000f, -1000f}, 1, 2);
        assertEquals(2000f, LossOps.softmaxCrossEntropy(logits, new int[] {1}).item(), 1e-3f);
        // Through softmax probabilities too: the loss uses the logits instead of log(0).
        assertEquals(2000f, LossOps.crossEntropyFromProbabilities(Ops.softmax(logits), new int[] {1}).item(), 1e-3f);
    }

    @Test
    void probabilitiesAreClippedLikeKeras() {
        Tensor p = Tensor.of(new float[] {1f, 0f}, 1, 2);
        assertEquals(-Math.log(LossOps.PROBABILITY_EPSILON), LossOps.crossEntropyFromProbabilities(p, new int[] {1}).item(), 1e-3);
    }

    @Test
    void dropoutIsIdentityAtInferenceAndScalesInTraining() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        assertSame(x, Ops.dropout(x, 0.5f, false, new SplittableRandom(1)));
        Tensor y = Ops.dropout(x, 0.5f, true, new SplittableRandom(1));
        for (int i = 0; i < 8; i++) {
            float v = y.data()[i];
            if (v != 0f) {
                assertEquals(2 * x.data()[i], v, EXACT);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Ops.dropout(x, 1f, true, new SplittableRandom(1)));
    }

    @Test
    void dropoutKeepsAboutOneMinusRate() {
        Tensor x = Tensor.of(new float[100_000], 100_000);
        java.util.Arrays.fill(x.data(), 1f);
        Tensor y = Ops.dropout(x, 0.2f, true, new SplittableRandom(5));
        int kept = 0;
        for (float v : y.data()) {
            kept += v != 0f ? 1 : 0;
        }
        assertEquals(0.8, kept / 100_000.0, 0.01);
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Tensor a = Tensor.of(new float[6], 2, 3);
        Tensor b = Tensor.of(new float[8], 4, 2);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Ops.matmul(a, b));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> Ops.add(a, Tensor.of(new float[6], 3, 2)));
        assertThrows(ShapeMismatchException.class, () -> ConvOps.conv2d(Tensor.of(new float[9], 1, 3, 3, 1),
                Tensor.of(new float[8], 2, 2, 2, 1), null, 1, 1, Padding.VALID));
        assertThrows(IllegalArgumentException.class, () -> LossOps.softmaxCrossEntropy(a, new int[] {0, 3}));
    }
}
