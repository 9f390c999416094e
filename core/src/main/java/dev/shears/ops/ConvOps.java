package dev.shears.ops;

import dev.shears.kernels.ConvShape;
import dev.shears.kernels.DenseConv;
import dev.shears.kernels.Depthwise;
import dev.shears.kernels.Elementwise;
import dev.shears.kernels.Im2col;
import dev.shears.kernels.Kernels;
import dev.shears.kernels.MaskedConv;
import dev.shears.kernels.Padding2D;
import dev.shears.kernels.Pool;
import dev.shears.nn.Padding;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * Differentiable image ops over NHWC tensors {@code (n, h, w, c)}: convolution as im2col + GEMM,
 * max and average pooling, global average and max pooling, and explicit zero padding.
 *
 * <pre>{@code Tensor y = ConvOps.conv2d(x, kernel, bias, 1, 1, Padding.VALID);}</pre>
 */
public final class ConvOps {
    private ConvOps() {
    }

    /**
     * Output size along one axis: ceil(in / stride) for SAME; for VALID floor((in - k) / stride) + 1, or 0
     * when the window does not fit (k > in). Java's division truncates toward zero, so the bare formula would
     * give 1 for e.g. in 2, k 3, stride 2, and a larger kernel would give a negative size.
     */
    public static int outputSize(int in, int k, int stride, Padding padding) {
        if (padding == Padding.SAME) {
            return (int) (((long) in + stride - 1) / stride);
        }
        return in < k ? 0 : (in - k) / stride + 1;
    }

    /** Padding before (top or left) along one axis, TensorFlow's rule. */
    public static int padBefore(int in, int k, int stride, Padding padding) {
        if (padding == Padding.VALID) {
            return 0;
        }
        int out = outputSize(in, k, stride, padding);
        long total = Math.max(((long) out - 1) * stride + k - in, 0);
        return (int) (total / 2);
    }

    /**
     * 2-D convolution (cross-correlation, like Keras). x (n,h,w,c), kernel (kh,kw,c,oc) [Keras layout],
     * bias (oc) or null -> y (n,oh,ow,oc).
     */
    public static Tensor conv2d(Tensor x, Tensor kernel, Tensor bias, int strideH, int strideW, Padding padding) {
        return conv2d(x, kernel, bias, strideH, strideW, padding, false);
    }

    /**
     * As {@link #conv2d(Tensor, Tensor, Tensor, int, int, Padding)}, with ReLU fused in when {@code relu}:
     * y = max(conv + bias, 0) in one buffer, which saves the separate activation tensor and its gradient
     * (the largest buffers of a training step).
     */
    public static Tensor conv2d(Tensor x, Tensor kernel, Tensor bias, int strideH, int strideW, Padding padding,
                                boolean relu) {
        return conv2d(x, kernel, bias, strideH, strideW, padding, relu, null);
    }

    /**
     * As {@link #conv2d(Tensor, Tensor, Tensor, int, int, Padding, boolean)} for a kernel under a pruning
     * mask (null: none). Pruned weights must already be zero; they get no gradient. With the Vector API the
     * products run through {@link MaskedConv}, over the kept weights only once the mask is sparse enough,
     * with results bit-identical to its dense-masked path; with the scalar kernels the ordinary convolution
     * runs and the pruned weights' gradient is dropped.
     */
    public static Tensor conv2d(Tensor x, Tensor kernel, Tensor bias, int strideH, int strideW, Padding padding,
                                boolean relu, MaskedConv.Mask mask) {
        if (x.rank() != 4 || kernel.rank() != 4 || kernel.shape(2) != x.shape(3)) {
            throw new ShapeMismatchException("conv2d needs x (n,h,w,c) and kernel (kh,kw,c,oc) with matching c, got x "
                    + Arrays.toString(x.shape()) + " and kernel " + Arrays.toString(kernel.shape()));
        }
        int n = x.shape(0), h = x.shape(1), w = x.shape(2), c = x.shape(3);
        int kh = kernel.shape(0), kw = kernel.shape(1), oc = kernel.shape(3);
        if (bias != null && (bias.rank() != 1 || bias.shape(0) != oc)) {
            throw new ShapeMismatchException("conv2d bias", new int[] {oc}, bias.shape());
        }
        int oh = outputSize(h, kh, strideH, padding);
        int ow = outputSize(w, kw, strideW, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("conv2d: kernel " + kh + "x" + kw + " does not fit input "
                    + Arrays.toString(x.shape()) + " with " + padding + " padding");
        }
        ConvShape s = new ConvShape(h, w, c, kh, kw, strideH, strideW, padBefore(h, kh, strideH, padding),
                padBefore(w, kw, strideW, padding), oh, ow);
        if (mask != null && (mask.patch() != s.patch() || mask.oc() != oc)) {
            throw new ShapeMismatchException("conv2d mask", new int[] {s.patch(), oc}, new int[] {mask.patch(), mask.oc()});
        }
        if (mask != null && Kernels.vectorEnabled()) {
            return masked(x, kernel, bias, relu, mask, n, s, oc);
        }
        // The unfolded input comes from a per-thread pool (it is the largest buffer of a step and its contents
        // are fully overwritten) and goes back once the backward has read it, or at once without a graph.
        int scratch = DenseConv.scratchSize(n, s);
        float[] unfolded = scratch == 0 ? null : takeUnfolded(scratch);
        float[] y = BufferPool.floats(s.rows(n) * oc);
        // y is freshly zeroed, so accumulating into it equals overwriting and skips the GEMM's zero fill.
        DenseConv.forward(y, x.data(), kernel.data(), oc, n, s, unfolded, true);
        Tensor out = output(y, bias, relu, x, kernel, new int[] {n, oh, ow, oc});
        if (!out.requiresGrad()) {
            // No backward will read the unfolded input (evaluation, predict): back to the pool now, instead of
            // a new one per batch (one of G1's humongous objects in a small heap).
            giveUnfolded(unfolded);
            return out;
        }
        out.setBackward(() -> {
            float[] dY = activationAndBiasBackward(out, bias, relu);
            if (kernel.requiresGrad()) {
                if (mask == null) {
                    DenseConv.backwardKernel(kernel.grad(), dY, x.data(), unfolded, oc, n, s);
                } else {
                    float[] dKernel = BufferPool.floats(s.patch() * oc);
                    DenseConv.backwardKernel(dKernel, dY, x.data(), unfolded, oc, n, s);
                    float[] grad = kernel.grad();
                    for (int i = 0; i < dKernel.length; i++) {
                        grad[i] += mask.kept(i) ? dKernel[i] : 0f;
                    }
                }
            }
            if (x.requiresGrad()) {
                float[] dUnfolded = scratch == 0 ? null : takeUnfolded(scratch);
                DenseConv.backwardInput(x.grad(), dY, kernel.data(), oc, n, s, dUnfolded);
                giveUnfolded(dUnfolded);
            }
            giveUnfolded(unfolded);
        });
        return out;
    }

    /**
     * The masked convolution ({@link MaskedConv}): the input unfolded transposed, (patch, rows); the output
     * gradient transposed to (oc, rows) for the backward.
     */
    private static Tensor masked(Tensor x, Tensor kernel, Tensor bias, boolean relu, MaskedConv.Mask mask, int n,
                                 ConvShape s, int oc) {
        int rows = s.rows(n);
        int patch = s.patch();
        float[] unfoldedT = takeUnfolded(MaskedConv.blockedSize(patch, rows));
        Im2col.im2colBlocked(unfoldedT, x.data(), n, s);
        float[] y = BufferPool.floats(rows * oc);
        MaskedConv.forward(y, unfoldedT, kernel.data(), rows, mask);
        Tensor out = output(y, bias, relu, x, kernel, new int[] {n, s.oh(), s.ow(), oc});
        if (!out.requiresGrad()) {
            giveUnfolded(unfoldedT);
            return out;
        }
        out.setBackward(() -> {
            float[] dY = activationAndBiasBackward(out, bias, relu);
            float[] dYT = takeUnfolded(MaskedConv.blockedSize(oc, rows));
            MaskedConv.toBlocked(dYT, dY, rows, oc);
            if (kernel.requiresGrad()) {
                MaskedConv.backwardKernel(kernel.grad(), unfoldedT, dYT, rows, mask);
            }
            if (x.requiresGrad()) {
                float[] dUnfoldedT = takeUnfolded(MaskedConv.blockedSize(patch, rows));
                MaskedConv.backwardInput(dUnfoldedT, dYT, kernel.data(), rows, mask);
                Im2col.col2imTransposed(x.grad(), dUnfoldedT, n, s, true);
                giveUnfolded(dUnfoldedT);
            }
            giveUnfolded(dYT);
            giveUnfolded(unfoldedT);
        });
        return out;
    }

    /** Adds the bias and applies the fused ReLU to y (rows, oc) in place, and wraps it as the op's output. */
    private static Tensor output(float[] y, Tensor bias, boolean relu, Tensor x, Tensor kernel, int[] shape) {
        int oc = shape[3];
        Elementwise.biasRelu(y, bias == null ? null : bias.data(), y.length / oc, oc, relu);
        return bias == null ? Tensor.derived(y, shape, x, kernel) : Tensor.derived(y, shape, x, kernel, bias);
    }

    /**
     * The output's gradient with the fused ReLU's mask applied, after adding the bias gradient. The mask is
     * applied in place: nobody reads this tensor's gradient after its own backward.
     */
    private static float[] activationAndBiasBackward(Tensor out, Tensor bias, boolean relu) {
        float[] dY = out.grad();
        if (relu) {
            Elementwise.reluMaskInPlace(dY, out.data(), dY.length);
        }
        if (bias != null && bias.requiresGrad()) {
            int oc = out.shape(-1);
            Elementwise.biasBackward(bias.grad(), dY, dY.length / oc, oc);
        }
        return dY;
    }

    /**
     * Depthwise 2-D convolution (Keras's DepthwiseConv2D): x (n,h,w,c), kernel (kh,kw,c,dm) [Keras layout],
     * bias (c*dm) or null -> y (n,oh,ow,c*dm), where output channel ch*dm+m convolves input channel ch alone
     * with kernel[:, :, ch, m] (see {@link Depthwise}); stride and padding as {@link #conv2d}.
     */
    public static Tensor depthwiseConv2d(Tensor x, Tensor kernel, Tensor bias, int strideH, int strideW, Padding padding) {
        if (x.rank() != 4 || kernel.rank() != 4 || kernel.shape(2) != x.shape(3)) {
            throw new ShapeMismatchException("depthwiseConv2d needs x (n,h,w,c) and kernel (kh,kw,c,dm) with matching c, got x "
                    + Arrays.toString(x.shape()) + " and kernel " + Arrays.toString(kernel.shape()));
        }
        int n = x.shape(0), h = x.shape(1), w = x.shape(2), c = x.shape(3);
        int kh = kernel.shape(0), kw = kernel.shape(1), dm = kernel.shape(3);
        if (bias != null && (bias.rank() != 1 || bias.shape(0) != c * dm)) {
            throw new ShapeMismatchException("depthwiseConv2d bias", new int[] {c * dm}, bias.shape());
        }
        int oh = outputSize(h, kh, strideH, padding);
        int ow = outputSize(w, kw, strideW, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("depthwiseConv2d: kernel " + kh + "x" + kw + " does not fit input "
                    + Arrays.toString(x.shape()) + " with " + padding + " padding");
        }
        Depthwise.Shape s = new Depthwise.Shape(h, w, c, dm, kh, kw, strideH, strideW,
                padBefore(h, kh, strideH, padding), padBefore(w, kw, strideW, padding), oh, ow);
        float[] y = BufferPool.floats(n * s.outSize());
        Depthwise.forward(y, x.data(), kernel.data(), bias == null ? null : bias.data(), n, s);
        int[] shape = {n, oh, ow, c * dm};
        Tensor out = bias == null ? Tensor.derived(y, shape, x, kernel) : Tensor.derived(y, shape, x, kernel, bias);
        out.setBackward(() -> {
            float[] dY = out.grad();
            if (bias != null && bias.requiresGrad()) {
                // dBias (c*dm) += column sums of dY (n*oh*ow, c*dm)
                Elementwise.biasBackward(bias.grad(), dY, n * oh * ow, c * dm);
            }
            if (kernel.requiresGrad()) {
                // dK (kh,kw,c,dm) += Σ over outputs of x · dY
                Depthwise.backwardKernel(kernel.grad(), dY, x.data(), n, s);
            }
            if (x.requiresGrad()) {
                // dX (n,h,w,c) += Σ over the outputs each input feeds of dY · K
                Depthwise.backwardInput(x.grad(), dY, kernel.data(), n, s);
            }
        });
        return out;
    }

    /** Unfolded input and gradient buffers kept for reuse, per thread: a few large arrays instead of new ones per step. */
    private static final ThreadLocal<java.util.ArrayDeque<float[]>> UNFOLDED = ThreadLocal.withInitial(java.util.ArrayDeque::new);
    /** Buffers kept per thread: a step's unfolded inputs and gradient (3 for the tutorial model) plus an evaluation's larger ones. */
    private static final int MAX_POOLED = 8;

    /**
     * A buffer of at least {@code size} floats for an unfolded input (or its gradient), contents undefined:
     * the caller writes every element it uses. It goes back with {@link #giveUnfolded} once the backward has
     * read it, or at once when no graph is recorded; a recorded graph that is never back-propagated simply
     * drops it.
     */
    private static float[] takeUnfolded(int size) {
        java.util.ArrayDeque<float[]> free = UNFOLDED.get();
        for (java.util.Iterator<float[]> it = free.iterator(); it.hasNext(); ) {
            float[] b = it.next();
            if (b.length >= size && b.length <= 2L * size) {
                it.remove();
                return b;
            }
        }
        return new float[size]; // not from BufferPool: this pool hands it back itself
    }

    private static void giveUnfolded(float[] buffer) {
        if (buffer == null) {
            return;
        }
        java.util.ArrayDeque<float[]> free = UNFOLDED.get();
        if (free.size() < MAX_POOLED) {
            free.push(buffer);
        }
    }

    /** Max pooling without padding: x (n,h,w,c) -> (n,oh,ow,c), oh = (h - ph) / sh + 1. */
    public static Tensor maxPool2d(Tensor x, int ph, int pw, int sh, int sw) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("maxPool2d needs x (n,h,w,c), got " + Arrays.toString(x.shape()));
        }
        int n = x.shape(0), h = x.shape(1), w = x.shape(2), c = x.shape(3);
        int oh = (h - ph) / sh + 1;
        int ow = (w - pw) / sw + 1;
        if (h < ph || w < pw) {
            throw new ShapeMismatchException("maxPool2d: pool " + ph + "x" + pw + " larger than input " + Arrays.toString(x.shape()));
        }
        float[] y = BufferPool.floats(n * oh * ow * c);
        Pool.maxPool(y, null, x.data(), n, h, w, c, ph, pw, sh, sw, oh, ow);
        Tensor out = Tensor.derived(y, new int[] {n, oh, ow, c}, x);
        out.setBackward(() -> Pool.maxPoolBackward(x.grad(), out.grad(), x.data(), y, n, h, w, c, ph, pw, sh, sw, oh, ow));
        return out;
    }

    /** Global average pooling: x (n,h,w,c) -> (n,c). */
    public static Tensor globalAvgPool2d(Tensor x) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("globalAvgPool2d needs x (n,h,w,c), got " + Arrays.toString(x.shape()));
        }
        int n = x.shape(0), hw = x.shape(1) * x.shape(2), c = x.shape(3);
        float[] y = BufferPool.floats(n * c);
        Pool.globalAvgPool(y, x.data(), n, hw, c);
        Tensor out = Tensor.derived(y, new int[] {n, c}, x);
        out.setBackward(() -> Pool.globalAvgPoolBackward(x.grad(), out.grad(), n, hw, c));
        return out;
    }

    /**
     * Average pooling as Keras's AveragePooling2D: x (n,h,w,c) -> (n,oh,ow,c), oh = {@link #outputSize};
     * 'same' pads by TensorFlow's rule and averages only the cells of each window that lie inside x.
     *
     * @throws IllegalArgumentException for non-positive pool sizes or strides
     */
    public static Tensor avgPool2d(Tensor x, int ph, int pw, int sh, int sw, Padding padding) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("avgPool2d needs x (n,h,w,c), got " + Arrays.toString(x.shape()));
        }
        if (ph < 1 || pw < 1 || sh < 1 || sw < 1) {
            throw new IllegalArgumentException("avgPool2d pool size and strides must be positive, got pool " + ph + "x" + pw
                    + " strides " + sh + "x" + sw);
        }
        int n = x.shape(0), h = x.shape(1), w = x.shape(2), c = x.shape(3);
        int oh = outputSize(h, ph, sh, padding);
        int ow = outputSize(w, pw, sw, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("avgPool2d: pool " + ph + "x" + pw + " larger than input " + Arrays.toString(x.shape())
                    + " with " + padding + " padding");
        }
        Pool.Window g = new Pool.Window(h, w, c, ph, pw, sh, sw, padBefore(h, ph, sh, padding), padBefore(w, pw, sw, padding), oh, ow);
        float[] y = BufferPool.floats(n * oh * ow * c);
        Pool.avgPool(y, x.data(), n, g);
        Tensor out = Tensor.derived(y, new int[] {n, oh, ow, c}, x);
        // dX (n,h,w,c) += dY (n,oh,ow,c) / count, spread over each window's real cells
        out.setBackward(() -> Pool.avgPoolBackward(x.grad(), out.grad(), n, g));
        return out;
    }

    /** Global max pooling: x (n,h,w,c) -> (n,c), the largest value of each channel. */
    public static Tensor globalMaxPool2d(Tensor x) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("globalMaxPool2d needs x (n,h,w,c), got " + Arrays.toString(x.shape()));
        }
        int n = x.shape(0), hw = x.shape(1) * x.shape(2), c = x.shape(3);
        float[] y = BufferPool.floats(n * c);
        Pool.globalMaxPool(y, x.data(), n, hw, c);
        Tensor out = Tensor.derived(y, new int[] {n, c}, x);
        // dX (n,hw,c) += dY (n,c) / ties where x equals the maximum
        out.setBackward(() -> Pool.globalMaxPoolBackward(x.grad(), out.grad(), x.data(), y, n, hw, c));
        return out;
    }

    /**
     * Explicit zero padding (Keras's ZeroPadding2D): x (n,h,w,c) -> y (n, h+top+bottom, w+left+right, c),
     * y[b, top+i, left+j, ch] = x[b, i, j, ch] and 0 elsewhere.
     *
     * @throws IllegalArgumentException for a negative pad
     */
    public static Tensor zeroPad2d(Tensor x, int top, int bottom, int left, int right) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("zeroPad2d needs x (n,h,w,c), got " + Arrays.toString(x.shape()));
        }
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("zeroPad2d pads must be >= 0, got top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right);
        }
        int n = x.shape(0), h = x.shape(1), w = x.shape(2), c = x.shape(3);
        int oh = h + top + bottom, ow = w + left + right;
        float[] y = BufferPool.floats(n * oh * ow * c);
        Padding2D.zeroPad(y, x.data(), n, h, w, c, top, bottom, left, right);
        Tensor out = Tensor.derived(y, new int[] {n, oh, ow, c}, x);
        // dX (n,h,w,c) += dY[:, top:top+h, left:left+w, :]
        out.setBackward(() -> Padding2D.zeroPadBackward(x.grad(), out.grad(), n, h, w, c, top, bottom, left, right));
        return out;
    }
}
