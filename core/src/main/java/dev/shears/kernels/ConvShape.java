package dev.shears.kernels;

/**
 * The geometry of one 2-D convolution over NHWC images, shared by the training op, the inference runtime
 * and the benchmarks: input (h, w, c), kernel (kh, kw), strides, the zero padding before the first row and
 * column, and the output size (oh, ow). Padding after the last row or column is implied by the output size.
 *
 * <pre>{@code ConvShape s = new ConvShape(12, 12, 16, 5, 5, 1, 1, 0, 0, 8, 8); // the tutorial's second conv}</pre>
 *
 * @param h        input height
 * @param w        input width
 * @param c        input channels
 * @param kh       kernel height
 * @param kw       kernel width
 * @param strideH  vertical stride
 * @param strideW  horizontal stride
 * @param padTop   zero rows above the input
 * @param padLeft  zero columns left of the input
 * @param oh       output height
 * @param ow       output width
 */
public record ConvShape(int h, int w, int c, int kh, int kw, int strideH, int strideW, int padTop, int padLeft, int oh,
                        int ow) {
    /** @throws IllegalArgumentException for a non-positive size or stride, or a negative pad */
    public ConvShape {
        if (h < 1 || w < 1 || c < 1 || kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || oh < 1 || ow < 1
                || padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("convolution needs positive sizes and strides and pads >= 0, got " + this);
        }
    }

    /** Output positions of {@code n} images: the rows of the unfolded input and of the output. */
    public int rows(int n) {
        return n * oh * ow;
    }

    /** Values of one unfolded patch, kh * kw * c: the kernel's rows. */
    public int patch() {
        return kh * kw * c;
    }

    /** Values of one input image. */
    public int inSize() {
        return h * w * c;
    }

    /** A 1x1 kernel at stride 1 without padding: the NHWC input already is the unfolded matrix. */
    public boolean pointwise() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0;
    }

    /**
     * One input channel and a larger kernel: unfolded transposed, (patch, rows), whose rows are contiguous
     * runs of the input, rather than rows of kh * kw scattered single values (5 floats per copy for a 5x5
     * kernel, which cost more than the multiply).
     */
    public boolean unfoldsTransposed() {
        return c == 1 && kh * kw > 1;
    }
}
