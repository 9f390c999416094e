package dev.shears.kernels;

/**
 * Sparse-weight times dense-activation kernels for inference. The weights W (rows = output channels,
 * cols = inputs) are sparse; the activations come transposed, {@code bT (cols, p)}, with {@code p} the
 * number of output pixels (conv) or examples (dense), so each non-zero {@code W[r][k]} is one contiguous
 * axpy {@code out[r][0..p) += W[r][k] * bT[k][0..p)} that HotSpot vectorises. When {@code p == 1} (a dense
 * layer at batch 1) each row is a gathered dot product, kept in four accumulators so the adds do not
 * wait on each other. Every multiply overwrites its rows {@code [rowFrom, rowTo)} of {@code out (rows, p)}.
 *
 * <pre>{@code SparseKernels.im2colT(colsT, x, 1, 12, 12, 16, 5, 5, 1, 1, 0, 0, 8, 8);
 * SparseKernels.csr(out, w, colsT, 64, 0, w.rows());}</pre>
 */
public final class SparseKernels {
    private SparseKernels() {
    }

    /**
     * Whether the Vector API kernels run: the same switch as the dense kernels, {@link Kernels#vectorEnabled()}
     * (the {@code jdk.incubator.vector} module present and {@code -Dshears.vector=false} not set).
     */
    public static final boolean VECTOR = Kernels.vectorEnabled();

    /** out (rows, p) = W (rows, cols) · bT (cols, p), W in CSR; rows [rowFrom, rowTo) only. */
    public static void csr(float[] out, Csr w, float[] bT, int p, int rowFrom, int rowTo) {
        float[] v = w.values();
        int[] col = w.colIdx();
        int[] ptr = w.rowPtr();
        if (p == 1) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[r] = gatherDot(v, col, bT, ptr[r], ptr[r + 1]);
            }
            return;
        }
        csrShifted(out, p, v, col, p, ptr, bT, p, rowFrom, rowTo);
    }

    /**
     * The CSR multiply over shifted windows: out[r*outStride + j] = sum over i in [ptr[r], ptr[r+1]) of
     * v[i] * x[off[i]*scale + j], for j in [0, width) and rows [rowFrom, rowTo). With off = column indices
     * and scale = p it is {@link #csr}; with off = each weight's offset into a padded (c, hp, wp) image and
     * scale = 1 it is a direct stride-1 convolution whose output rows are wp wide (see {@link #padChw}).
     */
    public static void csrShifted(float[] out, int outStride, float[] v, int[] off, int scale, int[] ptr, float[] x,
                                  int width, int rowFrom, int rowTo) {
        int j0 = VECTOR ? SparseVector.csr(out, outStride, v, off, scale, ptr, x, width, rowFrom, rowTo) : 0;
        if (j0 == width) {
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            int o = r * outStride + j0;
            java.util.Arrays.fill(out, o, r * outStride + width, 0f);
            for (int i = ptr[r]; i < ptr[r + 1]; i++) {
                axpy(out, o, v[i], x, off[i] * scale + j0, width - j0);
            }
        }
    }

    /**
     * Image {@code b} of x (n,h,w,c) into xc (c, hp, wp) channel-major with zero padding: pixel (y, x) lands at
     * (y + padTop, x + padLeft), the padding zeroed. Values of xc past c*hp*wp are left as they are.
     */
    public static void padChw(float[] xc, float[] x, int b, int h, int w, int c, int padTop, int padLeft, int hp, int wp) {
        if (hp != h || wp != w) {
            java.util.Arrays.fill(xc, 0, c * hp * wp, 0f);
        }
        for (int iy = 0; iy < h; iy++) {
            for (int ix = 0; ix < w; ix++) {
                int src = ((b * h + iy) * w + ix) * c;
                int dst = (iy + padTop) * wp + ix + padLeft;
                for (int ch = 0; ch < c; ch++) {
                    xc[ch * hp * wp + dst] = x[src + ch];
                }
            }
        }
    }

    /**
     * sum over i in [from, to) of v[i] * x[idx[i]]. Scalar on purpose: the Vector API gather measured no
     * faster here, and it is very slow whenever C2 has not (or no longer) compiled it.
     */
    static float gatherDot(float[] v, int[] idx, float[] x, int from, int to) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += v[i] * x[idx[i]];
            s1 += v[i + 1] * x[idx[i + 1]];
            s2 += v[i + 2] * x[idx[i + 2]];
            s3 += v[i + 3] * x[idx[i + 3]];
        }
        for (; i < to; i++) {
            s0 += v[i] * x[idx[i]];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** y[yo .. yo+len) += a * x[xo .. xo+len). */
    static void axpy(float[] y, int yo, float a, float[] x, int xo, int len) {
        for (int j = 0; j < len; j++) {
            y[yo + j] += a * x[xo + j];
        }
    }

    /** out (rows, p) = W (rows, cols) · bT (cols, p), W in 1x4 blocks; rows [rowFrom, rowTo) only. */
    public static void bsr4(float[] out, Bsr4 w, float[] bT, int p, int rowFrom, int rowTo) {
        float[] v = w.values();
        int[] start = w.blockCol();
        int[] ptr = w.blockPtr();
        if (p == 1) {
            for (int r = rowFrom; r < rowTo; r++) {
                float s = 0f;
                for (int b = ptr[r]; b < ptr[r + 1]; b++) {
                    int k = start[b];
                    int q = 4 * b;
                    s += (v[q] * bT[k] + v[q + 1] * bT[k + 1]) + (v[q + 2] * bT[k + 2] + v[q + 3] * bT[k + 3]);
                }
                out[r] = s;
            }
            return;
        }
        int j0 = VECTOR ? SparseVector.bsr4(out, v, start, ptr, bT, p, rowFrom, rowTo) : 0;
        int len = p - j0;
        for (int r = rowFrom; r < rowTo && len > 0; r++) {
            int o = r * p + j0;
            java.util.Arrays.fill(out, o, o + len, 0f);
            for (int b = ptr[r]; b < ptr[r + 1]; b++) {
                int x0 = start[b] * p + j0;
                int q = 4 * b;
                float w0 = v[q];
                float w1 = v[q + 1];
                float w2 = v[q + 2];
                float w3 = v[q + 3];
                for (int j = 0; j < len; j++) {
                    out[o + j] += (w0 * bT[x0 + j] + w1 * bT[x0 + p + j]) + (w2 * bT[x0 + 2 * p + j] + w3 * bT[x0 + 3 * p + j]);
                }
            }
        }
    }

    /** out (rows, p) = W (rows, cols) · bT (cols, p), W in 2:4 form; rows [rowFrom, rowTo) only. */
    public static void twoFour(float[] out, TwoFour w, float[] bT, int p, int rowFrom, int rowTo) {
        float[] v = w.values();
        byte[] meta = w.meta();
        int groups = w.cols() / 4;
        if (p == 1) {
            for (int r = rowFrom; r < rowTo; r++) {
                float s0 = 0f;
                float s1 = 0f;
                for (int g = 0; g < groups; g++) {
                    int q = r * groups + g;
                    int m = meta[q];
                    s0 += v[2 * q] * bT[4 * g + (m & 3)];
                    s1 += v[2 * q + 1] * bT[4 * g + ((m >> 2) & 3)];
                }
                out[r] = s0 + s1;
            }
            return;
        }
        int j0 = VECTOR ? SparseVector.twoFour(out, v, meta, groups, bT, p, rowFrom, rowTo) : 0;
        int len = p - j0;
        for (int r = rowFrom; r < rowTo && len > 0; r++) {
            int o = r * p + j0;
            java.util.Arrays.fill(out, o, o + len, 0f);
            for (int g = 0; g < groups; g++) {
                int q = r * groups + g;
                int m = meta[q];
                int xa = (4 * g + (m & 3)) * p + j0;
                int xb = (4 * g + ((m >> 2) & 3)) * p + j0;
                float wa = v[2 * q];
                float wb = v[2 * q + 1];
                for (int j = 0; j < len; j++) {
                    out[o + j] += wa * bT[xa + j] + wb * bT[xb + j];
                }
            }
        }
    }

    /**
     * Transposed patch unfolding: x (n,h,w,c) -> colsT (kh*kw*c, n*oh*ow), the transpose of
     * {@link Im2col#im2col}'s cols; zeros over padding.
     */
    public static void im2colT(float[] colsT, float[] x, int n, int h, int w, int c, int kh, int kw,
                               int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
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

    /** dst (cols, rows) = src (rows, cols) transposed. */
    public static void transpose(float[] dst, float[] src, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            int so = i * cols;
            for (int j = 0; j < cols; j++) {
                dst[j * rows + i] = src[so + j];
            }
        }
    }

    /**
     * The epilogue of a transposed multiply: y (p, rows) = act(t (rows, p)^T + bias (rows)), act = ReLU when
     * {@code relu} else the identity.
     */
    public static void biasTranspose(float[] y, float[] t, float[] bias, int rows, int p, boolean relu) {
        biasTransposeWide(y, 0, t, bias, rows, 1, p, p, relu);
    }

    /**
     * As {@link #biasTranspose} from wide rows: t (rows, oh, wp) whose first ow columns of each of the oh
     * rows are valid, into y[yOff ..] as (oh, ow, rows).
     */
    public static void biasTransposeWide(float[] y, int yOff, float[] t, float[] bias, int rows, int oh, int ow, int wp,
                                         boolean relu) {
        // Output-major so the writes are contiguous; the reads walk `rows` streams, which prefetch well.
        int plane = oh * wp;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int yo = yOff + (oy * ow + ox) * rows;
                int to = oy * wp + ox;
                for (int r = 0; r < rows; r++) {
                    float v = t[r * plane + to] + bias[r];
                    y[yo + r] = relu && v < 0f ? 0f : v;
                }
            }
        }
    }
}
