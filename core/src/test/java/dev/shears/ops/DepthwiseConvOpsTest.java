package dev.shears.ops;

import static dev.shears.ops.GradCheck.check;
import static dev.shears.ops.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.kernels.Depthwise;
import dev.shears.kernels.ReferenceKernels;
import dev.shears.nn.Padding;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The depthwise convolution op: gradient checks (dx, dkernel, dbias), the reference kernel, shape errors. */
class DepthwiseConvOpsTest {
    private final Random rng = new Random(44);

    @Test
    void gradientsValid() {
        check(in -> ConvOps.depthwiseConv2d(in[0], in[1], in[2], 1, 1, Padding.VALID),
                param(rng, 1, 2, 5, 4, 3), param(rng, 1, 3, 2, 3, 1), param(rng, 1, 3));
    }

    @Test
    void gradientsSameStrided() {
        check(in -> ConvOps.depthwiseConv2d(in[0], in[1], in[2], 2, 2, Padding.SAME),
                param(rng, 1, 2, 5, 6, 2), param(rng, 1, 3, 3, 2, 1), param(rng, 1, 2));
    }

    @Test
    void gradientsDepthMultiplierAndNoBias() {
        check(in -> ConvOps.depthwiseConv2d(in[0], in[1], in[2], 1, 2, Padding.SAME),
                param(rng, 1, 1, 4, 5, 2), param(rng, 1, 2, 3, 2, 3), param(rng, 1, 6));
        check(in -> ConvOps.depthwiseConv2d(in[0], in[1], null, 2, 1, Padding.VALID),
                param(rng, 1, 2, 5, 4, 3), param(rng, 1, 2, 2, 3, 2));
    }

    @Test
    void forwardMatchesReference() {
        Tensor x = param(rng, 1, 3, 7, 6, 5);
        Tensor k = param(rng, 1, 3, 3, 5, 2);
        Tensor b = param(rng, 1, 10);
        Tensor y = ConvOps.depthwiseConv2d(x, k, b, 2, 2, Padding.SAME);
        assertArrayEquals(new int[] {3, 4, 3, 10}, y.shape());
        // SAME, stride 2: 7 rows need (4-1)*2+3-7 = 2 rows of padding, 1 on top; 6 columns need 1, 0 on the left
        Depthwise.Shape s = new Depthwise.Shape(7, 6, 5, 2, 3, 3, 2, 2, 1, 0, 4, 3);
        float[] expected = new float[y.size()];
        ReferenceKernels.depthwiseConv(expected, x.data(), k.data(), b.data(), 3, s);
        assertArrayEquals(expected, y.data(), 1e-5f);
    }

    @Test
    void shapeMismatchesAreReported() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> ConvOps.depthwiseConv2d(Tensor.zeros(1, 4, 4, 3), Tensor.zeros(3, 3, 2, 1), null, 1, 1, Padding.VALID));
        assertTrue(e.getMessage().contains("[1, 4, 4, 3]") && e.getMessage().contains("[3, 3, 2, 1]"), e.getMessage());
        assertThrows(ShapeMismatchException.class,
                () -> ConvOps.depthwiseConv2d(Tensor.zeros(1, 4, 4, 3), Tensor.zeros(3, 3, 3, 2), Tensor.zeros(3), 1, 1, Padding.VALID));
        assertThrows(ShapeMismatchException.class,
                () -> ConvOps.depthwiseConv2d(Tensor.zeros(1, 2, 4, 3), Tensor.zeros(3, 3, 3, 1), null, 1, 1, Padding.VALID));
    }
}
