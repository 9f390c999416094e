package dev.shears.ops;

import static dev.shears.ops.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.kernels.Kernels;
import dev.shears.kernels.MaskedConv;
import dev.shears.nn.Padding;
import dev.shears.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The masked convolution behind sparse training: its sparse kernels against its dense-masked path (bit for
 * bit), both against the ordinary convolution (independent GEMM and im2col, to rounding), and a
 * finite-difference gradient check.
 */
class MaskedConvTest {
    private final Random rng = new Random(11);

    /** (patch, oc) mask with about {@code sparsity} of the entries false. */
    private boolean[] randomMask(int size, double sparsity) {
        boolean[] keep = new boolean[size];
        for (int i = 0; i < size; i++) {
            keep[i] = rng.nextDouble() >= sparsity;
        }
        return keep;
    }

    /** y, dX, dKernel, dBias of conv2d(x, kernel, bias) under {@code mask} (null: the ordinary op) for output gradient g. */
    private static float[][] run(float[] x, int[] xShape, float[] kernel, int[] kShape, float[] bias, int stride, Padding padding,
                                 boolean relu, MaskedConv.Mask mask, float[] g) {
        Tensor tx = Tensor.parameter(x.clone(), xShape);
        Tensor tk = Tensor.parameter(kernel.clone(), kShape);
        Tensor tb = Tensor.parameter(bias.clone(), bias.length);
        Tensor y = ConvOps.conv2d(tx, tk, tb, stride, stride, padding, relu, mask);
        Ops.sum(Ops.mul(y, Tensor.of(g, y.shape()))).backward();
        return new float[][] {y.data().clone(), tx.grad().clone(), tk.grad().clone(), tb.grad().clone()};
    }

    @ParameterizedTest(name = "n{0} {1}x{2}x{3} k{4} oc{5} stride{6} {7} sparsity {8}")
    @CsvSource({
            "3, 9, 8, 3, 3, 5, 1, SAME, 0.7",
            "2, 12, 12, 16, 5, 32, 1, VALID, 0.8",
            "4, 28, 28, 1, 5, 16, 1, VALID, 0.8",
            "2, 7, 9, 6, 3, 37, 2, SAME, 0.5",
            "2, 6, 6, 8, 1, 12, 1, VALID, 0.9",
            "1, 5, 5, 4, 3, 9, 1, SAME, 1.0",
            "3, 8, 8, 5, 3, 24, 1, SAME, 0.0"})
    void sparseEqualsDenseMaskedBitForBitAndOrdinaryToRounding(int n, int h, int w, int c, int k, int oc, int stride,
                                                               Padding padding, double sparsity) {
        assumeTrue(Kernels.vectorEnabled(), "the masked kernels run with the Vector API only");
        int patch = k * k * c;
        float[] x = param(rng, 1, n, h, w, c).data();
        float[] kernel = param(rng, 0.5f, k, k, c, oc).data();
        float[] bias = param(rng, 0.1f, oc).data();
        boolean[] keep = randomMask(patch * oc, sparsity);
        for (int i = 0; i < keep.length; i++) {
            kernel[i] = keep[i] ? kernel[i] : 0f;
        }
        int oh = ConvOps.outputSize(h, k, stride, padding), ow = ConvOps.outputSize(w, k, stride, padding);
        float[] g = param(rng, 1, n * oh * ow * oc).data();
        int[] xShape = {n, h, w, c};
        int[] kShape = {k, k, c, oc};
        for (boolean relu : new boolean[] {false, true}) {
            MaskedConv.Mask sparse = new MaskedConv.Mask(keep, patch, oc, 0.0);
            MaskedConv.Mask denseMasked = new MaskedConv.Mask(keep, patch, oc, 2.0);
            assertTrue(sparse.sparse());
            assertFalse(denseMasked.sparse());
            float[][] a = run(x, xShape, kernel, kShape, bias, stride, padding, relu, sparse, g);
            float[][] b = run(x, xShape, kernel, kShape, bias, stride, padding, relu, denseMasked, g);
            float[][] ordinary = run(x, xShape, kernel, kShape, bias, stride, padding, relu, null, g);
            String[] what = {"y", "dX", "dKernel", "dBias"};
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(b[i], a[i], what[i] + ": sparse vs dense-masked, relu " + relu);
            }
            for (int i = 0; i < 4; i++) {
                float[] expected = ordinary[i].clone();
                if (i == 2) {
                    for (int j = 0; j < expected.length; j++) {
                        expected[j] = keep[j] ? expected[j] : 0f; // pruned weights get no gradient
                    }
                }
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], a[i][j], 1e-4 * Math.max(1, Math.abs(expected[j])),
                            what[i] + "[" + j + "] against the ordinary convolution, relu " + relu);
                }
            }
            for (int j = 0; j < keep.length; j++) {
                if (!keep[j]) {
                    assertEquals(0f, a[2][j], "pruned weight " + j + " got a gradient");
                }
            }
        }
    }

    @Test
    void gradientCheckOfBothPaths() {
        Tensor x = param(rng, 1, 2, 6, 5, 3);
        Tensor kernel = param(rng, 1, 3, 3, 3, 4);
        Tensor bias = param(rng, 1, 4);
        boolean[] keep = randomMask(3 * 3 * 3 * 4, 0.6);
        float[] m = new float[keep.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = keep[i] ? 1f : 0f;
        }
        Tensor maskTensor = Tensor.of(m, 3, 3, 3, 4);
        for (double from : new double[] {0.0, 2.0}) {
            MaskedConv.Mask mask = new MaskedConv.Mask(keep, 27, 4, from);
            // The kernel enters masked (pruned weights zero), as the pruning wrapper hands it over.
            GradCheck.check(in -> ConvOps.conv2d(in[0], Ops.mul(in[1], maskTensor), in[2], 1, 1, Padding.SAME, false, mask),
                    x, kernel, bias);
        }
    }

    @Test
    void maskCountsAndRefreshesInPlace() {
        boolean[] keep = {true, false, false, false, true, true};
        MaskedConv.Mask mask = new MaskedConv.Mask(keep, 3, 2, 0.5);
        assertEquals(3, mask.kept());
        assertEquals(0.5, mask.sparsity(), 1e-12);
        assertTrue(mask.sparse());
        keep[1] = true;
        mask.refresh();
        assertEquals(4, mask.kept());
        assertFalse(mask.sparse());
    }
}
