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
     * {@link #im2col}'s cols; zeros over padding. Each row of colsT is one kernel tap of one channel over
     * every output position: with several channels the input is first copied into planes (n, c, h, w), so
     * that a row is built from contiguous runs of a plane, and the rows are shared out over the threads.
     */
    public static void im2colTransposed(float[] colsT, float[] x, int n, ConvShape s) {
        int h = s.h(), w = s.w(), c = s.c(), kh = s.kh(), kw = s.kw(), strideH = s.strideH();
        int padTop = s.padTop(), oh = s.oh(), ow = s.ow();
        if (c == 1 && s.strideW() == 1 && s.padLeft() == 0 && ow + kw - 1 <= w) {
            im2colTRuns(colsT, x, n, h, w, kh, kw, strideH, padTop, oh, ow);
            return;
        }
        unfoldRows(colsT, x, n, s, false);
    }

    /**
     * {@link #im2colTransposed}'s colsT (kh*kw*c, n*oh*ow) stored in blocks of {@link MaskedConv#BLOCK}
     * positions, {@link MaskedConv#blockedSize} floats: the layout of the masked convolution's operands.
     * The padding positions of the last block are left alone.
     */
    public static void im2colBlocked(float[] colsT, float[] x, int n, ConvShape s) {
        unfoldRows(colsT, x, n, s, true);
    }

    /** Copies x into planes (n, c, h, w) when it has several channels, then fills the rows of colsT over the threads. */
    private static void unfoldRows(float[] colsT, float[] x, int n, ConvShape s, boolean blocked) {
        int h = s.h(), w = s.w(), c = s.c();
        float[] planes = x;
        if (c > 1) {
            Scratch scratch = Scratch.get();
            planes = scratch.planes = Scratch.atLeast(scratch.planes, n * h * w * c);
            for (int b = 0; b < n; b++) {
                GemmDriver.transpose(planes, b * h * w * c, x, b * h * w * c, h * w, c);
            }
        }
        float[] src = planes;
        int rows = s.patch();
        if (blocked && MaskedConv.BLOCK % s.ow() == 0) {
            // Block by block: each block's rows are one contiguous 1 KiB-per-row region, written in order,
            // from the few images the block covers (row by row over all blocks, the writes jumped 400 KiB
            // every 1 KiB and ran at a fifth of the row-major unfolding's speed).
            int blocks = MaskedConv.blocks(s.rows(n));
            if (Parallel.common().serial(rows * s.rows(n), 1 << 16)) {
                im2colBlocks(colsT, src, n, s, 0, blocks);
            } else {
                Parallel.common().forRange(blocks, 1, (b0, b1) -> im2colBlocks(colsT, src, n, s, b0, b1));
            }
            return;
        }
        if (Parallel.common().serial(rows * s.rows(n), 1 << 16)) {
            im2colTRows(colsT, blocked, src, n, s, 0, rows);
        } else {
            Parallel.common().forRange(rows, 1, (r0, r1) -> im2colTRows(colsT, blocked, src, n, s, r0, r1));
        }
    }

    /** Blocks [b0, b1) of the blocked colsT, when the output width divides the block (whole output rows per block). */
    private static void im2colBlocks(float[] colsT, float[] planes, int n, ConvShape s, int b0, int b1) {
        int h = s.h(), w = s.w(), c = s.c(), kw = s.kw(), strideH = s.strideH(), strideW = s.strideW();
        int padTop = s.padTop(), padLeft = s.padLeft(), oh = s.oh(), ow = s.ow();
        int positions = s.rows(n), patch = s.patch(), block = MaskedConv.BLOCK;
        for (int bb = b0; bb < b1; bb++) {
            int firstRow = bb * block / ow;
            int outputRows = Math.min(block, positions - bb * block) / ow;
            for (int row = 0; row < patch; row++) {
                int ch = row % c;
                int kx = row / c % kw;
                int ky = row / c / kw;
                int oxFrom = oxFrom(kx, s), oxTo = oxTo(kx, s);
                int dst = (bb * patch + row) * block;
                for (int r = firstRow; r < firstRow + outputRows; r++, dst += ow) {
                    int iy = r % oh * strideH - padTop + ky;
                    int plane = ((r / oh * c + ch) * h + iy) * w - padLeft + kx;
                    unfoldRow(colsT, dst, planes, plane, iy >= 0 && iy < h, ow, oxFrom, oxTo, strideW);
                }
            }
        }
    }

    /** First output column whose window puts kernel column {@code kx} inside the input. */
    private static int oxFrom(int kx, ConvShape s) {
        return Math.max(0, -Math.floorDiv(kx - s.padLeft(), s.strideW()));
    }

    /** One past the last output column whose window puts kernel column {@code kx} inside the input (>= oxFrom). */
    private static int oxTo(int kx, ConvShape s) {
        return Math.max(oxFrom(kx, s), Math.min(s.ow(), Math.floorDiv(s.w() - 1 + s.padLeft() - kx, s.strideW()) + 1));
    }

    /**
     * One output row of one kernel tap into colsT[dst, dst + ow): zeros where the window is over padding,
     * else the plane's values from {@code plane} at stride {@code strideW}. Runs are as short as the output
     * row (8 floats for the tutorial's second conv): plain loops for the padding, and the vector copy for the
     * run (a scalar loop of 8 was 80% of the unfolding's time).
     */
    private static void unfoldRow(float[] colsT, int dst, float[] planes, int plane, boolean rowInside, int ow, int oxFrom,
                                  int oxTo, int strideW) {
        if (!rowInside) {
            java.util.Arrays.fill(colsT, dst, dst + ow, 0f);
            return;
        }
        for (int ox = 0; ox < oxFrom; ox++) {
            colsT[dst + ox] = 0f;
        }
        if (strideW == 1 && Kernels.VECTOR) {
            VectorElementwise.copyRun(planes, plane + oxFrom, colsT, dst + oxFrom, oxTo - oxFrom);
        } else if (strideW == 1) {
            copy(planes, plane + oxFrom, colsT, dst + oxFrom, oxTo - oxFrom);
        } else {
            for (int ox = oxFrom; ox < oxTo; ox++) {
                colsT[dst + ox] = planes[plane + ox * strideW];
            }
        }
        for (int ox = oxTo; ox < ow; ox++) {
            colsT[dst + ox] = 0f;
        }
    }

    /** Where position {@code p} of row {@code row} lies in a (patch, positions) matrix, row-major or blocked. */
    private static int at(int row, int p, int positions, int patch, boolean blocked) {
        return blocked ? ((p / MaskedConv.BLOCK) * patch + row) * MaskedConv.BLOCK + p % MaskedConv.BLOCK : row * positions + p;
    }

    /** Rows [r0, r1) of colsT, row (ky*kw + kx)*c + ch, from planes (n, c, h, w). */
    private static void im2colTRows(float[] colsT, boolean blocked, float[] planes, int n, ConvShape s, int r0, int r1) {
        int h = s.h(), w = s.w(), c = s.c(), kw = s.kw(), strideH = s.strideH(), strideW = s.strideW();
        int padTop = s.padTop(), padLeft = s.padLeft(), oh = s.oh(), ow = s.ow();
        int positions = s.rows(n), patch = s.patch();
        for (int row = r0; row < r1; row++) {
            int ch = row % c;
            int kx = row / c % kw;
            int ky = row / c / kw;
            int oxFrom = oxFrom(kx, s), oxTo = oxTo(kx, s);
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    int p = (b * oh + oy) * ow;
                    int iy = oy * strideH - padTop + ky;
                    int plane = ((b * c + ch) * h + iy) * w - padLeft + kx;
                    if (blocked && p % MaskedConv.BLOCK + ow > MaskedConv.BLOCK) {
                        // the output row straddles two blocks: element by element
                        for (int ox = 0; ox < ow; ox++) {
                            boolean inside = iy >= 0 && iy < h && ox >= oxFrom && ox < oxTo;
                            colsT[at(row, p + ox, positions, patch, true)] = inside ? planes[plane + ox * strideW] : 0f;
                        }
                    } else {
                        unfoldRow(colsT, at(row, p, positions, patch, blocked), planes, plane, iy >= 0 && iy < h, ow, oxFrom,
                                oxTo, strideW);
                    }
                }
            }
        }
    }

    /**
     * dX (n,h,w,c) += fold(dColsT): the adjoint of {@link #im2colTransposed}, from dColsT (kh*kw*c,
     * n*oh*ow) row-major or, when {@code blocked}, in {@link #im2colBlocked}'s layout. The rows of dColsT
     * are added in row order into zeroed planes (n, c, h, w), one channel per thread, and the planes are then
     * added to dX; so the sum each input element receives has one fixed order, whatever the thread count.
     */
    public static void col2imTransposed(float[] dX, float[] dColsT, int n, ConvShape s, boolean blocked) {
        int h = s.h(), w = s.w(), c = s.c();
        Scratch scratch = Scratch.get();
        float[] planes = scratch.planes = Scratch.atLeast(scratch.planes, n * h * w * c);
        if (Parallel.common().serial(s.patch() * s.rows(n), 1 << 16)) {
            col2imTChannels(planes, dColsT, blocked, n, s, 0, c);
        } else {
            Parallel.common().forRange(c, 1, (c0, c1) -> col2imTChannels(planes, dColsT, blocked, n, s, c0, c1));
        }
        int hw = h * w;
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int from = (b * c + ch) * hw;
                int to = b * hw * c + ch;
                for (int i = 0; i < hw; i++) {
                    dX[to + i * c] += planes[from + i];
                }
            }
        }
    }

    /** Channels [c0, c1) of col2imTransposed's planes: zeroed, then the rows of those channels added in order. */
    private static void col2imTChannels(float[] planes, float[] dColsT, boolean blocked, int n, ConvShape s, int c0, int c1) {
        int h = s.h(), w = s.w(), c = s.c(), kh = s.kh(), kw = s.kw(), strideH = s.strideH(), strideW = s.strideW();
        int padTop = s.padTop(), padLeft = s.padLeft(), oh = s.oh(), ow = s.ow();
        int positions = s.rows(n), patch = s.patch();
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(planes, (b * c + c0) * h * w, (b * c + c1) * h * w, 0f);
        }
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int oxFrom = oxFrom(kx, s), oxTo = oxTo(kx, s);
                for (int ch = c0; ch < c1; ch++) {
                    int row = (ky * kw + kx) * c + ch;
                    for (int b = 0; b < n; b++) {
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * strideH - padTop + ky;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int p = (b * oh + oy) * ow;
                            int plane = ((b * c + ch) * h + iy) * w - padLeft + kx;
                            if (blocked && p % MaskedConv.BLOCK + ow > MaskedConv.BLOCK) {
                                for (int ox = oxFrom; ox < oxTo; ox++) {
                                    planes[plane + ox * strideW] += dColsT[at(row, p + ox, positions, patch, true)];
                                }
                                continue;
                            }
                            int src = at(row, p, positions, patch, blocked);
                            if (strideW == 1 && Kernels.VECTOR) {
                                VectorElementwise.addRun(planes, plane + oxFrom, dColsT, src + oxFrom, oxTo - oxFrom);
                            } else if (strideW == 1) {
                                for (int ox = oxFrom; ox < oxTo; ox++) {
                                    planes[plane + ox] += dColsT[src + ox];
                                }
                            } else {
                                for (int ox = oxFrom; ox < oxTo; ox++) {
                                    planes[plane + ox * strideW] += dColsT[src + ox];
                                }
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
                                    int padTop, int oh, int ow) {
        int ld = n * oh * ow;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int dst = (ky * kw + kx) * ld;
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
