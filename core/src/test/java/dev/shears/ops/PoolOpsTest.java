package dev.shears.ops;

import static dev.shears.ops.GradCheck.check;
import static dev.shears.ops.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.nn.Padding;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Average pooling and global max pooling ops: gradient checks, hand-computed values, rejected inputs. */
class PoolOpsTest {
    private final Random rng = new Random(23);

    @Test
    void avgPoolGradients() {
        // valid; same with padding on both sides; overlapping windows; windows that skip cells
        check(in -> ConvOps.avgPool2d(in[0], 2, 2, 2, 2, Padding.VALID), param(rng, 1, 2, 4, 5, 3));
        check(in -> ConvOps.avgPool2d(in[0], 3, 3, 2, 2, Padding.SAME), param(rng, 1, 2, 5, 6, 2));
        check(in -> ConvOps.avgPool2d(in[0], 3, 2, 1, 1, Padding.SAME), param(rng, 1, 1, 4, 3, 3));
        check(in -> ConvOps.avgPool2d(in[0], 1, 2, 3, 2, Padding.VALID), param(rng, 1, 1, 7, 5, 2));
    }

    @Test
    void globalMaxPoolGradient() {
        // distinct values: the maximum does not move under the finite-difference step
        Tensor x = Tensor.parameter(new float[2 * 3 * 4 * 3], 2, 3, 4, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = ((i * 37) % x.size()) * 0.1f;
        }
        check(in -> ConvOps.globalMaxPool2d(in[0]), x);
    }

    @Test
    void handComputed() {
        // x = [[1,2,3],[4,5,6]] (one channel); 2x2 same, stride 1 -> windows clipped at the right and bottom
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3, 1);
        Tensor y = ConvOps.avgPool2d(x, 2, 2, 1, 1, Padding.SAME);
        assertArrayEquals(new int[] {1, 2, 3, 1}, y.shape());
        assertArrayEquals(new float[] {3f, 4f, 4.5f, 4.5f, 5.5f, 6f}, y.data(), 0f);
        Tensor v = ConvOps.avgPool2d(x, 2, 2, 1, 1, Padding.VALID);
        assertArrayEquals(new float[] {3f, 4f}, v.data(), 0f);
        Tensor g = ConvOps.globalMaxPool2d(Tensor.of(new float[] {1, -1, 7, -5, 3, -2}, 1, 3, 1, 2));
        assertArrayEquals(new int[] {1, 2}, g.shape());
        assertArrayEquals(new float[] {7f, -1f}, g.data(), 0f);
    }

    @Test
    void badInputsAreRejected() {
        Tensor flat = Tensor.of(new float[6], 2, 3);
        assertThrows(ShapeMismatchException.class, () -> ConvOps.avgPool2d(flat, 2, 2, 2, 2, Padding.VALID));
        assertThrows(ShapeMismatchException.class, () -> ConvOps.globalMaxPool2d(flat));
        Tensor x = Tensor.of(new float[9], 1, 3, 3, 1);
        assertThrows(ShapeMismatchException.class, () -> ConvOps.avgPool2d(x, 4, 2, 1, 1, Padding.VALID));
        assertThrows(IllegalArgumentException.class, () -> ConvOps.avgPool2d(x, 2, 2, 0, 1, Padding.SAME));
    }

    /** A 'valid' window larger than the input has no output, whatever the stride (it used to get one at stride 2). */
    @Test
    void validWindowLargerThanTheInputDoesNotFit() {
        assertEquals(0, ConvOps.outputSize(3, 4, 2, Padding.VALID));
        assertEquals(0, ConvOps.outputSize(3, 5, 4, Padding.VALID));
        assertEquals(1, ConvOps.outputSize(3, 3, 2, Padding.VALID));
        assertEquals(2, ConvOps.outputSize(3, 4, 2, Padding.SAME));
        Tensor x = Tensor.of(new float[9], 1, 3, 3, 1);
        assertThrows(ShapeMismatchException.class, () -> ConvOps.avgPool2d(x, 4, 4, 4, 4, Padding.VALID));
        assertThrows(ShapeMismatchException.class,
                () -> ConvOps.conv2d(x, Tensor.of(new float[16], 4, 4, 1, 1), null, 2, 2, Padding.VALID));
    }
}
