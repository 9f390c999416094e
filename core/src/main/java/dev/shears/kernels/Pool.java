package dev.shears.kernels;

/**
 * Pooling kernels over NHWC images.
 *
 * <pre>{@code Pool.maxPool(y, argmax, x, n, h, w, c, 2, 2, 2, 2, oh, ow);}</pre>
 */
public final class Pool {
    private Pool() {
    }

    /**
     * One image's pooling geometry: input (h, w, c), windows of ph x pw moved by (sh, sw), the first one
     * starting at (-padTop, -padLeft), output (oh, ow, c).
     */
    public record Window(int h, int w, int c, int ph, int pw, int sh, int sw, int padTop, int padLeft, int oh, int ow) {
        /** @throws IllegalArgumentException for a non-positive size or a negative pad */
        public Window {
            if (h < 1 || w < 1 || c < 1 || ph < 1 || pw < 1 || sh < 1 || sw < 1 || oh < 1 || ow < 1 || padTop < 0 || padLeft < 0) {
                throw new IllegalArgumentException("pool window needs positive sizes and pads >= 0, got " + this);
            }
        }

        /** The same windows over channel-major data: each of the c planes as an image of one channel. */
        public Window planes() {
            return new Window(h, w, 1, ph, pw, sh, sw, padTop, padLeft, oh, ow);
        }
    }

    /** Below this many window reads per thread, pooling stays on the calling thread. */
    private static final int MIN_READS_PER_THREAD = 1 << 15;

    /** The common 2x2 stride-2 pool over a channel count the Vector API kernels handle. */
    private static boolean isVector2x2(int c, int ph, int pw, int sh, int sw) {
        return Kernels.VECTOR && ph == 2 && pw == 2 && sh == 2 && sw == 2 && VectorPool.supports(c);
    }

    /**
     * Max pooling, no padding: x (n,h,w,c) -> y (n,oh,ow,c). {@code argmax} (may be null) receives for
     * each output the flat index into x of the first maximum in (ky,kx) scan order; training uses the
     * cheaper {@link #maxPoolBackward(float[], float[], float[], float[], int, int, int, int, int, int, int, int, int, int)}
     * that finds it again, so the forward pass stays a plain, vectorizable max.
     */
    public static void maxPool(float[] y, int[] argmax, float[] x, int n, int h, int w, int c,
                               int ph, int pw, int sh, int sw, int oh, int ow) {
        int grain = Math.max(1, MIN_READS_PER_THREAD / Math.max(1, ow * c * ph * pw));
        if (argmax == null && isVector2x2(c, ph, pw, sh, sw)) {
            Parallel.common().forRange(n * oh, grain, (from, to) -> VectorPool.forward2x2(y, x, h, w, c, oh, ow, from, to));
            return;
        }
        Parallel.common().forRange(n * oh, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / oh;
                int oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    int o = (r * ow + ox) * c;
                    int base = ((b * h + oy * sh) * w + ox * sw) * c;
                    if (argmax != null) {
                        maxPoolPixelArgmax(y, argmax, x, w, c, ph, pw, o, base);
                    } else {
                        maxPoolPixel(y, x, w, c, ph, pw, o, base);
                    }
                }
            }
        });
    }

    /** Window position outer, channels inner: contiguous Math.max over c channels, which C2 vectorizes. */
    private static void maxPoolPixel(float[] y, float[] x, int w, int c, int ph, int pw, int o, int base) {
        System.arraycopy(x, base, y, o, c);
        for (int ky = 0; ky < ph; ky++) {
            for (int kx = 0; kx < pw; kx++) {
                if (ky == 0 && kx == 0) {
                    continue;
                }
                int in = base + (ky * w + kx) * c;
                for (int ch = 0; ch < c; ch++) {
                    y[o + ch] = Math.max(y[o + ch], x[in + ch]);
                }
            }
        }
    }

    private static void maxPoolPixelArgmax(float[] y, int[] argmax, float[] x, int w, int c, int ph, int pw,
                                           int o, int base) {
        for (int ch = 0; ch < c; ch++) {
            float best = x[base + ch];
            int bestIdx = base + ch;
            for (int ky = 0; ky < ph; ky++) {
                for (int kx = 0; kx < pw; kx++) {
                    int in = base + (ky * w + kx) * c + ch;
                    if (x[in] > best) {
                        best = x[in];
                        bestIdx = in;
                    }
                }
            }
            y[o + ch] = best;
            argmax[o + ch] = bestIdx;
        }
    }

    /**
     * Backward of {@link #maxPool} without stored indices: for each output, dX at the first window
     * position (in (ky,kx) scan order) whose x equals y gets dY. The same rule as the argmax, because y
     * is that maximum bit for bit.
     */
    public static void maxPoolBackward(float[] dX, float[] dY, float[] x, float[] y, int n, int h, int w, int c,
                                       int ph, int pw, int sh, int sw, int oh, int ow) {
        int grain = Math.max(1, MIN_READS_PER_THREAD / Math.max(1, oh * ow * c * ph * pw));
        if (isVector2x2(c, ph, pw, sh, sw)) {
            Parallel.common().forRange(n, grain, (from, to) -> VectorPool.backward2x2(dX, dY, x, y, h, w, c, oh, ow, from, to));
            return;
        }
        // Parallel over images: pooling windows with stride < pool size overlap within an image only.
        Parallel.common().forRange(n, grain, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int o = ((b * oh + oy) * ow + ox) * c;
                        int base = ((b * h + oy * sh) * w + ox * sw) * c;
                        if (ph == 2 && pw == 2) {
                            backward2x2(dX, dY, x, y, o, base, base + w * c, c);
                            continue;
                        }
                        for (int ch = 0; ch < c; ch++) {
                            float target = y[o + ch];
                            search:
                            for (int ky = 0; ky < ph; ky++) {
                                for (int kx = 0; kx < pw; kx++) {
                                    int in = base + (ky * w + kx) * c + ch;
                                    if (x[in] == target) {
                                        dX[in] += dY[o + ch];
                                        break search;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One 2x2 window over c channels without branches on the data: the winner is random, so compare
     * chains would mispredict; conditional selects do not.
     */
    private static void backward2x2(float[] dX, float[] dY, float[] x, float[] y, int o, int row0, int row1, int c) {
        for (int ch = 0; ch < c; ch++) {
            float t = y[o + ch];
            float g = dY[o + ch];
            boolean e0 = x[row0 + ch] == t;
            boolean e1 = !e0 && x[row0 + c + ch] == t;
            boolean e2 = !e0 && !e1 && x[row1 + ch] == t;
            boolean e3 = !e0 && !e1 && !e2 && x[row1 + c + ch] == t;
            dX[row0 + ch] += e0 ? g : 0f;
            dX[row0 + c + ch] += e1 ? g : 0f;
            dX[row1 + ch] += e2 ? g : 0f;
            dX[row1 + c + ch] += e3 ? g : 0f;
        }
    }

    /** Backward of {@link #maxPool}: dX[argmax[i]] += dY[i] for each of the {@code count} outputs. */
    public static void maxPoolBackward(float[] dX, float[] dY, int[] argmax, int count) {
        for (int i = 0; i < count; i++) {
            dX[argmax[i]] += dY[i];
        }
    }

    /**
     * 2x2 stride-2 max pooling of single-channel planes: x (planes, h, w) -> y (planes, oh, ow), what
     * {@link #maxPool} computes with c = 1, but without its per-pixel channel loop, which at one channel
     * costs ten times the pooling itself. For channel-major data, planes = images x channels. {@code tmp}
     * holds planes * oh * w values (the Vector API kernel's row-pair maxima).
     */
    public static void maxPool2x2Planes(float[] y, float[] x, float[] tmp, int planes, int h, int w, int oh, int ow) {
        if (Kernels.VECTOR && h % 2 == 0 && w % 2 == 0) {
            VectorPool.forward2x2Planes(y, x, tmp, planes, h, w);
            return;
        }
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = (p * h + 2 * oy) * w;
                int r1 = r0 + w;
                int o = (p * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    float top = Math.max(x[r0 + 2 * ox], x[r0 + 2 * ox + 1]);
                    float bottom = Math.max(x[r1 + 2 * ox], x[r1 + 2 * ox + 1]);
                    y[o + ox] = Math.max(top, bottom);
                }
            }
        }
    }

    /**
     * Average pooling: y (n,oh,ow,c) = the mean of each window's cells that lie inside x (n,h,w,c), so a
     * window hanging over the padding divides by its count of real cells, as Keras's (TensorFlow's)
     * 'same' average pooling does. Cells are summed in (ky, kx) order, then divided.
     */
    public static void avgPool(float[] y, float[] x, int n, Window g) {
        int grain = Math.max(1, MIN_READS_PER_THREAD / Math.max(1, g.ow() * g.c() * g.ph() * g.pw()));
        Parallel.common().forRange(n * g.oh(), grain, (from, to) -> {
            int h = g.h(), w = g.w(), c = g.c();
            for (int r = from; r < to; r++) {
                int b = r / g.oh();
                int oy = r % g.oh();
                int y0 = Math.max(0, oy * g.sh() - g.padTop());
                int y1 = Math.min(h, oy * g.sh() - g.padTop() + g.ph());
                for (int ox = 0; ox < g.ow(); ox++) {
                    int x0 = Math.max(0, ox * g.sw() - g.padLeft());
                    int x1 = Math.min(w, ox * g.sw() - g.padLeft() + g.pw());
                    int o = (r * g.ow() + ox) * c;
                    java.util.Arrays.fill(y, o, o + c, 0f);
                    // Window position outer, channels inner: contiguous adds over c, which C2 vectorizes.
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            int in = ((b * h + iy) * w + ix) * c;
                            for (int ch = 0; ch < c; ch++) {
                                y[o + ch] += x[in + ch];
                            }
                        }
                    }
                    float count = (y1 - y0) * (x1 - x0);
                    for (int ch = 0; ch < c; ch++) {
                        y[o + ch] /= count;
                    }
                }
            }
        });
    }

    /** Backward of {@link #avgPool}: every real cell of a window gets dX += dY / (the window's count). */
    public static void avgPoolBackward(float[] dX, float[] dY, int n, Window g) {
        int grain = Math.max(1, MIN_READS_PER_THREAD / Math.max(1, g.oh() * g.ow() * g.c() * g.ph() * g.pw()));
        // Parallel over images: windows with stride < pool size overlap within an image only.
        Parallel.common().forRange(n, grain, (from, to) -> {
            int h = g.h(), w = g.w(), c = g.c();
            for (int b = from; b < to; b++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    int y0 = Math.max(0, oy * g.sh() - g.padTop());
                    int y1 = Math.min(h, oy * g.sh() - g.padTop() + g.ph());
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int x0 = Math.max(0, ox * g.sw() - g.padLeft());
                        int x1 = Math.min(w, ox * g.sw() - g.padLeft() + g.pw());
                        int o = ((b * g.oh() + oy) * g.ow() + ox) * c;
                        float count = (y1 - y0) * (x1 - x0);
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                int in = ((b * h + iy) * w + ix) * c;
                                for (int ch = 0; ch < c; ch++) {
                                    dX[in + ch] += dY[o + ch] / count;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** Global max pooling: x (n,hw,c) -> y (n,c), the maximum over the hw positions; NaN wins, as in Math.max. */
    public static void globalMaxPool(float[] y, float[] x, int n, int hw, int c) {
        for (int b = 0; b < n; b++) {
            int yo = b * c;
            System.arraycopy(x, b * hw * c, y, yo, c);
            for (int p = 1; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    y[yo + ch] = Math.max(y[yo + ch], x[xo + ch]);
                }
            }
        }
    }

    /**
     * Backward of {@link #globalMaxPool}: dY is shared equally by the positions whose x equals the maximum,
     * as TensorFlow's (and PyTorch's) reduce-max gradient does; a NaN maximum passes no gradient.
     */
    public static void globalMaxPoolBackward(float[] dX, float[] dY, float[] x, float[] y, int n, int hw, int c) {
        int[] ties = new int[c];
        for (int b = 0; b < n; b++) {
            int yo = b * c;
            java.util.Arrays.fill(ties, 0);
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    ties[ch] += x[xo + ch] == y[yo + ch] ? 1 : 0;
                }
            }
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    if (x[xo + ch] == y[yo + ch]) {
                        dX[xo + ch] += dY[yo + ch] / ties[ch];
                    }
                }
            }
        }
    }

    /** Global average pooling: x (n,hw,c) -> y (n,c), the mean over the hw positions. */
    public static void globalAvgPool(float[] y, float[] x, int n, int hw, int c) {
        float scale = 1f / hw;
        for (int b = 0; b < n; b++) {
            int yo = b * c;
            java.util.Arrays.fill(y, yo, yo + c, 0f);
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    y[yo + ch] += x[xo + ch];
                }
            }
            for (int ch = 0; ch < c; ch++) {
                y[yo + ch] *= scale;
            }
        }
    }

    /** Backward of {@link #globalAvgPool}: dX (n,hw,c) += dY (n,c) / hw. */
    public static void globalAvgPoolBackward(float[] dX, float[] dY, int n, int hw, int c) {
        float scale = 1f / hw;
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    dX[xo + ch] += dY[b * c + ch] * scale;
                }
            }
        }
    }
}
