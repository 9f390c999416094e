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
    public static void im2col(float[] cols, float[] x, int n, ConvShape s) {
        im2col(cols, x, n, s.h(), s.w(), s.c(), s.kh(), s.kw(), s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.oh(), s.ow());
    }

    /** Adjoint of {@link #im2col(float[], float[], int, ConvShape)}: dX (n,h,w,c) += fold(dCols (n*oh*ow, kh*kw*c)). */
    public static void col2im(float[] dX, float[] dCols, int n, ConvShape s) {
        col2im(dX, dCols, n, s.h(), s.w(), s.c(), s.kh(), s.kw(), s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.oh(), s.ow());
    }

    private static void im2col(float[] cols, float[] x, int n, int h, int w, int c, int kh, int kw,
                               int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        if (Parallel.common().serial(n * oh, 8)) {
            im2colRows(cols, x, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, oh, ow, 0, n * oh);
        } else {
            Parallel.common().forRange(n * oh, 8, (from, to) ->
                    im2colRows(cols, x, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, oh, ow, from, to));
        }
    }

    /** Output rows [from, to) (image b = r / oh, output row r % oh) of {@link #im2col}. */
    private static void im2colRows(float[] cols, float[] x, int h, int w, int c, int kh, int kw, int strideH, int strideW,
                                   int padTop, int padLeft, int oh, int ow, int from, int to) {
        int rowLen = kh * kw * c;
        for (int r = from; r < to; r++) {
            int b = r / oh;
            int oy = r % oh;
            for (int ox = 0; ox < ow; ox++) {
                int row = (r * ow + ox) * rowLen;
                int ix0 = ox * strideW - padLeft;
                // Columns kx in [kx0, kx1) fall inside the image: for one ky they are kw*c
                // contiguous floats in NHWC, so copy them as one run instead of pixel by pixel.
                int kx0 = Math.max(0, -ix0);
                int kx1 = Math.min(kw, w - ix0);
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * strideH - padTop + ky;
                    int dst = row + ky * kw * c;
                    if (iy < 0 || iy >= h || kx1 <= kx0) {
                        java.util.Arrays.fill(cols, dst, dst + kw * c, 0f);
                        continue;
                    }
                    if (kx0 > 0) {
                        java.util.Arrays.fill(cols, dst, dst + kx0 * c, 0f);
                    }
                    copy(x, ((b * h + iy) * w + ix0 + kx0) * c, cols, dst + kx0 * c, (kx1 - kx0) * c);
                    if (kx1 < kw) {
                        java.util.Arrays.fill(cols, dst + kx1 * c, dst + kw * c, 0f);
                    }
                }
            }
        }
    }

    private static void col2im(float[] dX, float[] dCols, int n, int h, int w, int c, int kh, int kw,
                               int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        int rowLen = kh * kw * c;
        // Parallel over images only: windows of one image overlap, different images never do.
        Parallel.common().forRange(n, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int row = ((b * oh + oy) * ow + ox) * rowLen;
                        int ix0 = ox * strideW - padLeft;
                        int kx0 = Math.max(0, -ix0);
                        int kx1 = Math.min(kw, w - ix0);
                        int run = (kx1 - kx0) * c;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * strideH - padTop + ky;
                            if (iy < 0 || iy >= h || run <= 0) {
                                continue;
                            }
                            // The in-image part of one kernel row is a contiguous run in both arrays.
                            int src = row + (ky * kw + kx0) * c;
                            int dst = ((b * h + iy) * w + ix0 + kx0) * c;
                            for (int t = 0; t < run; t++) {
                                dX[dst + t] += dCols[src + t];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Threshold under which a plain loop beats the fixed cost of a System.arraycopy call. */
    private static final int SHORT_RUN = 32;

    /** Copies a run; short runs (one kernel row of a few-channel image) by hand. */
    private static void copy(float[] src, int from, float[] dst, int to, int len) {
        if (len < SHORT_RUN) {
            for (int i = 0; i < len; i++) {
                dst[to + i] = src[from + i];
            }
        } else {
            System.arraycopy(src, from, dst, to, len);
        }
    }

    /**
     * Transposed patch unfolding: x (n,h,w,c) -> colsT (kh*kw*c, n*oh*ow), the transpose of
     * {@link #im2col}'s cols; zeros over padding.
     */
    public static void im2colTransposed(float[] colsT, float[] x, int n, ConvShape s) {
        int h = s.h(), w = s.w(), c = s.c(), kh = s.kh(), kw = s.kw(), strideH = s.strideH(), strideW = s.strideW();
        int padTop = s.padTop(), padLeft = s.padLeft(), oh = s.oh(), ow = s.ow();
        int p = n * oh * ow;
        if (c == 1 && strideW == 1 && padLeft == 0 && ow + kw - 1 <= w) {
            im2colTRuns(colsT, x, n, h, w, kh, kw, strideH, padTop, oh, ow, p);
            return;
        }
        // Row by row of colsT so the writes are contiguous; the strided reads stay within a small input.
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int ch = 0; ch < c; ch++) {
                    int dst = ((ky * kw + kx) * c + ch) * p;
                    for (int b = 0; b < n; b++) {
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * strideH - padTop + ky;
                            boolean rowInside = iy >= 0 && iy < h;
                            int src = (b * h + iy) * w * c + ch;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * strideW - padLeft + kx;
                                colsT[dst++] = rowInside && ix >= 0 && ix < w ? x[src + ix * c] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One channel, unit horizontal stride, no horizontal padding: each output row of a colsT row is a
     * contiguous run of {@code ow} input values, copied as one block.
     */
    private static void im2colTRuns(float[] colsT, float[] x, int n, int h, int w, int kh, int kw, int strideH,
                                    int padTop, int oh, int ow, int p) {
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int dst = (ky * kw + kx) * p;
                for (int b = 0; b < n; b++) {
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * strideH - padTop + ky;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(colsT, dst, dst + ow, 0f);
                        } else {
                            System.arraycopy(x, (b * h + iy) * w + kx, colsT, dst, ow);
                        }
                        dst += ow;
                    }
                }
            }
        }
    }
}
