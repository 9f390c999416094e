package dev.shears.kernels;

/**
 * Patch unfolding for convolution as matrix multiply, NHWC. A conv with kernel (kh,kw,c,oc) becomes
 * {@code cols (n*oh*ow, kh*kw*c) · W (kh*kw*c, oc) = y (n*oh*ow, oc)}, which is y in NHWC order.
 *
 * <pre>{@code Im2col.im2col(cols, x, n, h, w, c, kh, kw, 1, 1, 0, 0, oh, ow);}</pre>
 */
public final class Im2col {
    private Im2col() {
    }

    /** x (n,h,w,c) -> cols (n*oh*ow, kh*kw*c); rows in (ky,kx,c) order; zeros over padding. */
    public static void im2col(float[] cols, float[] x, int n, int h, int w, int c, int kh, int kw,
                              int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        int rowLen = kh * kw * c;
        Parallel.common().forRange(n * oh, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / oh;
                int oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    int row = (r * ow + ox) * rowLen;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * strideH - padTop + ky;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox * strideW - padLeft + kx;
                            int dst = row + (ky * kw + kx) * c;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                java.util.Arrays.fill(cols, dst, dst + c, 0f);
                            } else {
                                System.arraycopy(x, ((b * h + iy) * w + ix) * c, cols, dst, c);
                            }
                        }
                    }
                }
            }
        });
    }

    /** Adjoint of {@link #im2col}: dX (n,h,w,c) += fold(dCols (n*oh*ow, kh*kw*c)). */
    public static void col2im(float[] dX, float[] dCols, int n, int h, int w, int c, int kh, int kw,
                              int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        int rowLen = kh * kw * c;
        // Parallel over images only: windows of one image overlap, different images never do.
        Parallel.common().forRange(n, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int row = ((b * oh + oy) * ow + ox) * rowLen;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * strideH - padTop + ky;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * strideW - padLeft + kx;
                                if (ix < 0 || ix >= w) {
                                    continue;
                                }
                                int src = row + (ky * kw + kx) * c;
                                int dst = ((b * h + iy) * w + ix) * c;
                                for (int ch = 0; ch < c; ch++) {
                                    dX[dst + ch] += dCols[src + ch];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}
