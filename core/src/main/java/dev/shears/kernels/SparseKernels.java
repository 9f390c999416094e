package dev.shears.kernels;

/**
 * Sparse-weight times dense-activation kernels for inference. The weights W (rows = output channels,
 * cols = inputs) are sparse. Two families:
 * <ul>
 * <li>Transposed activations {@code bT (cols, p)}, with {@code p} the number of output pixels (conv) or
 * examples (dense): each non-zero {@code W[r][k]} is one contiguous axpy
 * {@code out[r][0..p) += W[r][k] * bT[k][0..p)} ({@link #csr}, {@link #bsr4}, {@link #twoFour}). When
 * {@code p == 1} each row is a gathered dot product in four accumulators. Every multiply overwrites its rows
 * {@code [rowFrom, rowTo)} of {@code out (rows, p)}.</li>
 * <li>The planar direct convolution over channel-major planes ({@link #planarConv}, weights laid out by
 * {@link PlanarConv}): {@link #shiftRows} makes the input's shifted copies, then {@link #csrShifted} adds
 * one contiguous run per non-zero, bias and ReLU fused.</li>
 * </ul>
 * Dense layers at small batches use {@link Sell} instead.
 *
 * <pre>{@code Im2col.im2colTransposed(colsT, x, 1, new ConvShape(12, 12, 16, 5, 5, 1, 1, 0, 0, 8, 8));
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
        java.util.Arrays.fill(out, rowFrom * p, rowTo * p, 0f);
        csrShifted(out, 0, p, v, col, p, ptr, 0, bT, p, rowFrom, rowTo, false, null);
    }

    /**
     * The CSR multiply-add over shifted windows, with an optional fused ReLU: out[outOff + r*outStride + j] =
     * act(s + sum over i in [ptr[ptrBase + r], ptr[ptrBase + r + 1]) of v[i] * x[off[i]*scale + j]), for j in
     * [0, width) and rows [rowFrom, rowTo), where s is out's old value or, with {@code start} (from
     * {@link #startLanes}), row r's bias; act is ReLU when {@code relu} else the identity. With off = column
     * indices and scale = p it is {@link #csr}; with off = each weight's offset into {@link #shiftRows}'
     * buffer and scale = 1 it is a direct stride-1 convolution over channel-major planes (ptrBase picks one
     * channel group's rows, see {@link #planarConv}).
     */
    public static void csrShifted(float[] out, int outOff, int outStride, float[] v, int[] off, int scale, int[] ptr,
                                  int ptrBase, float[] x, int width, int rowFrom, int rowTo, boolean relu, float[] start) {
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        if (!VECTOR) {
            csrShiftedScalar(out, outOff, outStride, v, off, scale, ptr, ptrBase, x, width, rowFrom, rowTo, floor, start);
            return;
        }
        int j0 = SparseVector.csr(out, outOff, outStride, v, off, scale, ptr, ptrBase, x, width, rowFrom, rowTo, floor, start);
        if (j0 == width) {
            return;
        }
        int lanes = SparseVector.lanes();
        for (int r = rowFrom; r < rowTo; r++) {
            int o = outOff + r * outStride;
            if (start != null) {
                java.util.Arrays.fill(out, o + j0, o + width, start[r * lanes]);
            }
            for (int i = ptr[ptrBase + r]; i < ptr[ptrBase + r + 1]; i++) {
                axpy(out, o + j0, v[i], x, off[i] * scale + j0, width - j0);
            }
            for (int j = j0; j < width; j++) {
                out[o + j] = Math.max(floor, out[o + j]); // Math.max keeps NaN, as the engine's ReLU does
            }
        }
    }

    /**
     * {@link #csrShifted} without the Vector API, shaped for C2's auto-vectorizer, which vectorizes a loop
     * over separate arrays indexed from 0 but not one over runs of a single array at computed offsets: the
     * output row is summed in a scratch row, four non-zeros per pass, each one's input run first copied
     * (by the {@code System.arraycopy} intrinsic) into its own scratch row, and the sum is the scalar GEMM's
     * {@link ScalarGemm#accumulateRows}. Measured 3-4x the plain axpy over the flat arrays.
     */
    private static void csrShiftedScalar(float[] out, int outOff, int outStride, float[] v, int[] off, int scale,
                                         int[] ptr, int ptrBase, float[] x, int width, int rowFrom, int rowTo,
                                         float floor, float[] start) {
        Scratch s = Scratch.get();
        float[][] sum = s.sparseSum = Scratch.atLeast(s.sparseSum, 1, width);
        float[][] runs = s.sparseRuns = Scratch.atLeast(s.sparseRuns, 4, width);
        float[] row = sum[0];
        for (int r = rowFrom; r < rowTo; r++) {
            int o = outOff + r * outStride;
            if (start != null) {
                java.util.Arrays.fill(row, 0, width, start[r]);
            } else {
                System.arraycopy(out, o, row, 0, width);
            }
            int end = ptr[ptrBase + r + 1];
            for (int i = ptr[ptrBase + r]; i < end; i += 4) {
                int count = Math.min(4, end - i);
                for (int q = 0; q < count; q++) {
                    System.arraycopy(x, off[i + q] * scale, runs[q], 0, width);
                }
                // row += sum over q of v[i + q] * runs[q]: one output row, coefficients v[i ..], input rows runs
                ScalarGemm.accumulateRows(sum, 1, v, i, 0, 1, runs, count, width);
            }
            for (int j = 0; j < width; j++) {
                out[o + j] = Math.max(floor, row[j]); // Math.max keeps NaN, as the engine's ReLU does
            }
        }
    }
    /**
     * The {@code start} rows of {@link #csrShifted} for these biases: bias[r] repeated over one vector's
     * lanes (one value per row without the Vector API).
     */
    public static float[] startLanes(float[] bias) {
        int lanes = VECTOR ? SparseVector.lanes() : 1;
        float[] start = new float[bias.length * lanes];
        for (int r = 0; r < bias.length; r++) {
            java.util.Arrays.fill(start, r * lanes, (r + 1) * lanes, bias[r]);
        }
        return start;
    }

    /**
     * A direct stride-1 convolution of one image over channel-major planes, fused with bias and ReLU:
     * out[outOff ..] (oc, oh*ow) from src[srcOff ..] (c, hp, wp) (already padded). The weights come in channel
     * groups of {@code groupChannels} input channels: group g's non-zeros for output r are
     * [ptr[g*oc + r], ptr[g*oc + r + 1]), each with its offset into the group's {@link #shiftRows} copies.
     * Group by group, the copies are made and every output plane gets the group's sum, so the copies a group
     * reads stay in the L1 cache (all of them at once measured 1.6x slower on the tutorial's second conv:
     * the kw-fold copies of 16 channels outgrow L1). The first group starts from the bias ({@code start},
     * from {@link #startLanes}), the last applies the ReLU. {@code xs} holds one group's copies plus slack.
     */
    public static void planarConv(float[] out, int outOff, float[] xs, float[] src, int srcOff, int c, int hp, int wp,
                                  int kw, int oh, int ow, int groupChannels, float[] v, int[] off, int[] ptr, int oc,
                                  float[] start, boolean relu) {
        int width = oh * ow;
        int groups = (c + groupChannels - 1) / groupChannels;
        for (int g = 0; g < groups; g++) {
            int ch0 = g * groupChannels;
            shiftRows(xs, src, srcOff + ch0 * hp * wp, Math.min(groupChannels, c - ch0), hp, wp, kw, ow);
            csrShifted(out, outOff, width, v, off, 1, ptr, g * oc, xs, width, 0, oc, relu && g == groups - 1,
                    g == 0 ? start : null);
        }
    }

    /**
     * The shifted copies a direct stride-1 convolution reads: from channel-major planes
     * {@code src[srcOff ..] (c, hp, wp)}, xs (c, kw, hp, ow) with xs[ch][kx][r][j] = src[ch][r][kx + j]. Then
     * the inputs under kernel tap (ky, kx, ch) for all oh*ow outputs are one contiguous run,
     * xs[ch][kx][ky .. ky + oh)[0 .. ow), so a CSR row's non-zeros each cost one run of whole vectors.
     * Give xs one vector's length of slack past c*kw*hp*ow values (narrow rows are copied as whole vectors).
     */
    public static void shiftRows(float[] xs, float[] src, int srcOff, int c, int hp, int wp, int kw, int ow) {
        if (VECTOR) {
            SparseVector.shiftRows(xs, src, srcOff, c, hp, wp, kw, ow);
            return;
        }
        int d = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int r = 0; r < hp; r++, d += ow) {
                    System.arraycopy(src, srcOff + (ch * hp + r) * wp + kx, xs, d, ow);
                }
            }
        }
    }

    /**
     * Image {@code b} of x into xc (c, hp, wp) channel-major with zero padding: pixel (y, x) lands at
     * (y + padTop, x + padLeft), the padding zeroed. x is (n, h, w, c), or (n, c, h, w) when {@code srcChw}.
     */
    public static void padPlanes(float[] xc, float[] x, int b, int h, int w, int c, int padTop, int padLeft, int hp, int wp,
                                 boolean srcChw) {
        if (hp != h || wp != w) {
            java.util.Arrays.fill(xc, 0, c * hp * wp, 0f);
        }
        if (srcChw) {
            for (int ch = 0; ch < c; ch++) {
                for (int iy = 0; iy < h; iy++) {
                    System.arraycopy(x, ((b * c + ch) * h + iy) * w, xc, (ch * hp + iy + padTop) * wp + padLeft, w);
                }
            }
            return;
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

    /** dst (cols, rows) = src (rows, cols) transposed. */
    public static void transpose(float[] dst, float[] src, int rows, int cols) {
        transpose(dst, 0, src, 0, rows, cols);
    }

    /** dst[dOff ..] (cols, rows) = src[sOff ..] (rows, cols) transposed. */
    public static void transpose(float[] dst, int dOff, float[] src, int sOff, int rows, int cols) {
        GemmDriver.transpose(dst, dOff, src, sOff, rows, cols);
    }

    /**
     * The epilogue of a transposed multiply: y (p, rows) = act(t (rows, p)^T + bias (rows)), act = ReLU when
     * {@code relu} else the identity.
     */
    public static void biasTranspose(float[] y, float[] t, float[] bias, int rows, int p, boolean relu) {
        // Output-major so the writes are contiguous; the reads walk `rows` streams, which prefetch well.
        for (int j = 0; j < p; j++) {
            int yo = j * rows;
            for (int r = 0; r < rows; r++) {
                float v = t[r * p + j] + bias[r];
                y[yo + r] = relu && v < 0f ? 0f : v;
            }
        }
    }
}
