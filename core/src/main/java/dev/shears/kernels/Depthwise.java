package dev.shears.kernels;

import java.util.Arrays;

/**
 * Depthwise 2-D convolution over NHWC images, Keras's DepthwiseConv2D: input channel ch has its own
 * {@code dm} (depth multiplier) filters, and output channel {@code ch*dm + m} is
 * <pre>
 * y[b, oy, ox, ch*dm+m] = bias[ch*dm+m] + Σ_{ky,kx} x[b, oy*sh - padTop + ky, ox*sw - padLeft + kx, ch] · k[ky, kx, ch, m]
 * </pre>
 * with taps outside the image counting as zero. The kernel is Keras's (kh, kw, c, dm): one tap's weights
 * for all channels are contiguous, as are one pixel's channels in NHWC, so with depth multiplier 1 every
 * tap is one multiply-add over contiguous channels ({@link #multiplyAdd}, on the Vector API when
 * {@link Kernels#vectorEnabled()}); no unfolding, no GEMM: each output reads only kh*kw inputs. Other depth
 * multipliers run scalar loops.
 *
 * <pre>{@code Depthwise.forward(y, x, kernel, bias, n, new Depthwise.Shape(h, w, c, 1, 3, 3, 1, 1, 1, 1, h, w));}</pre>
 */
public final class Depthwise {
    /** Multiply-adds per parallel chunk below which splitting costs more than it saves. */
    private static final int GRAIN_FLOPS = 1 << 15;

    private Depthwise() {
    }

    /**
     * One example's geometry: input (h, w, c), depth multiplier dm, kernel (kh, kw), strides, the padding
     * before the first row and column (TensorFlow's rule, see {@code ConvOps.padBefore}) and output (oh, ow).
     */
    public record Shape(int h, int w, int c, int dm, int kh, int kw, int strideH, int strideW, int padTop, int padLeft,
                        int oh, int ow) {
        /** @throws IllegalArgumentException for a non-positive size or stride, or a negative pad */
        public Shape {
            if (h <= 0 || w <= 0 || c <= 0 || dm <= 0 || kh <= 0 || kw <= 0 || strideH <= 0 || strideW <= 0 || oh <= 0 || ow <= 0
                    || padTop < 0 || padLeft < 0) {
                throw new IllegalArgumentException("bad depthwise shape " + this);
            }
        }

        /** Output channels, c * dm. */
        public int oc() {
            return c * dm;
        }

        /** Values of one input example. */
        public int inSize() {
            return h * w * c;
        }

        /** Values of one output example. */
        public int outSize() {
            return oh * ow * c * dm;
        }
    }

    /** y (n, oh, ow, c*dm) = depthwise(x (n, h, w, c), kernel (kh, kw, c, dm)) + bias (c*dm, or null); overwrites y. */
    public static void forward(float[] y, float[] x, float[] kernel, float[] bias, int n, Shape s) {
        int oc = s.oc();
        int grain = Math.max(1, GRAIN_FLOPS / Math.max(1, s.ow() * s.kh() * s.kw() * oc));
        Parallel.common().forRange(n * s.oh(), grain, (from, to) -> {
            for (int row = from; row < to; row++) {
                forwardRow(y, x, kernel, bias, row / s.oh(), row % s.oh(), s);
            }
        });
    }

    /** dst[d + i] += a[ai + i] · b[bi + i] for i in [0, len): one tap over contiguous channels. */
    static void multiplyAdd(float[] dst, int d, float[] a, int ai, float[] b, int bi, int len) {
        if (Kernels.VECTOR) {
            VectorChannels.multiplyAdd(dst, d, a, ai, b, bi, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            dst[d + i] += a[ai + i] * b[bi + i];
        }
    }

    /** Output row oy of image b. */
    private static void forwardRow(float[] y, float[] x, float[] kernel, float[] bias, int b, int oy, Shape s) {
        int c = s.c();
        int dm = s.dm();
        int oc = c * dm;
        int iy0 = oy * s.strideH() - s.padTop();
        int ky0 = Math.max(0, -iy0);
        int ky1 = Math.min(s.kh(), s.h() - iy0);
        for (int ox = 0; ox < s.ow(); ox++) {
            int yo = ((b * s.oh() + oy) * s.ow() + ox) * oc;
            if (bias != null) {
                System.arraycopy(bias, 0, y, yo, oc);
            } else {
                Arrays.fill(y, yo, yo + oc, 0f);
            }
            int ix0 = ox * s.strideW() - s.padLeft();
            int kx0 = Math.max(0, -ix0);
            int kx1 = Math.min(s.kw(), s.w() - ix0);
            for (int ky = ky0; ky < ky1; ky++) {
                for (int kx = kx0; kx < kx1; kx++) {
                    int xo = ((b * s.h() + iy0 + ky) * s.w() + ix0 + kx) * c;
                    int ko = (ky * s.kw() + kx) * oc;
                    if (dm == 1) {
                        multiplyAdd(y, yo, x, xo, kernel, ko, c);
                    } else {
                        for (int ch = 0; ch < c; ch++) {
                            float xv = x[xo + ch];
                            int o = ch * dm;
                            for (int m = 0; m < dm; m++) {
                                y[yo + o + m] += xv * kernel[ko + o + m];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * dX (n, h, w, c) += Σ over the outputs each input feeds of dY (n, oh, ow, c*dm) · kernel (kh, kw, c, dm),
     * i.e. dX[b, iy, ix, ch] += Σ_{oy,ox,m} dY[b, oy, ox, ch*dm+m] · k[iy - oy*sh + padTop, ix - ox*sw + padLeft, ch, m].
     * Images split across threads (each writes only its own dX).
     */
    public static void backwardInput(float[] dX, float[] dY, float[] kernel, int n, Shape s) {
        Parallel.common().forRange(n, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oy = 0; oy < s.oh(); oy++) {
                    for (int ox = 0; ox < s.ow(); ox++) {
                        inputGradientAt(dX, dY, kernel, b, oy, ox, s);
                    }
                }
            }
        });
    }

    /** The contributions of output pixel (b, oy, ox) to dX. */
    private static void inputGradientAt(float[] dX, float[] dY, float[] kernel, int b, int oy, int ox, Shape s) {
        int c = s.c();
        int dm = s.dm();
        int oc = c * dm;
        int iy0 = oy * s.strideH() - s.padTop();
        int ky0 = Math.max(0, -iy0);
        int ky1 = Math.min(s.kh(), s.h() - iy0);
        int ix0 = ox * s.strideW() - s.padLeft();
        int kx0 = Math.max(0, -ix0);
        int kx1 = Math.min(s.kw(), s.w() - ix0);
        int yo = ((b * s.oh() + oy) * s.ow() + ox) * oc;
        for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
                int xo = ((b * s.h() + iy0 + ky) * s.w() + ix0 + kx) * c;
                int ko = (ky * s.kw() + kx) * oc;
                if (dm == 1) {
                    multiplyAdd(dX, xo, dY, yo, kernel, ko, c);
                } else {
                    for (int ch = 0; ch < c; ch++) {
                        float g = 0f;
                        int o = ch * dm;
                        for (int m = 0; m < dm; m++) {
                            g += dY[yo + o + m] * kernel[ko + o + m];
                        }
                        dX[xo + ch] += g;
                    }
                }
            }
        }
    }

    /**
     * dKernel (kh, kw, c, dm) += Σ_{b,oy,ox} x[b, oy*sh - padTop + ky, ox*sw - padLeft + kx, ch] · dY[b, oy, ox, ch*dm+m].
     * Input channels split across threads: each owns its slice of dKernel, so the sums need no merging and
     * do not depend on the thread count.
     */
    public static void backwardKernel(float[] dKernel, float[] dY, float[] x, int n, Shape s) {
        int perChannel = n * s.oh() * s.ow() * s.kh() * s.kw() * s.dm();
        int grain = Math.max(1, GRAIN_FLOPS / Math.max(1, perChannel));
        Parallel.common().forRange(s.c(), grain, (cFrom, cTo) -> {
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < s.oh(); oy++) {
                    for (int ox = 0; ox < s.ow(); ox++) {
                        kernelGradientAt(dKernel, dY, x, b, oy, ox, cFrom, cTo, s);
                    }
                }
            }
        });
    }

    /** The contributions of output pixel (b, oy, ox) to dKernel's channels [cFrom, cTo). */
    private static void kernelGradientAt(float[] dKernel, float[] dY, float[] x, int b, int oy, int ox, int cFrom, int cTo,
                                         Shape s) {
        int c = s.c();
        int dm = s.dm();
        int oc = c * dm;
        int iy0 = oy * s.strideH() - s.padTop();
        int ky0 = Math.max(0, -iy0);
        int ky1 = Math.min(s.kh(), s.h() - iy0);
        int ix0 = ox * s.strideW() - s.padLeft();
        int kx0 = Math.max(0, -ix0);
        int kx1 = Math.min(s.kw(), s.w() - ix0);
        int yo = ((b * s.oh() + oy) * s.ow() + ox) * oc;
        for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
                int xo = ((b * s.h() + iy0 + ky) * s.w() + ix0 + kx) * c;
                int ko = (ky * s.kw() + kx) * oc;
                if (dm == 1) {
                    multiplyAdd(dKernel, ko + cFrom, x, xo + cFrom, dY, yo + cFrom, cTo - cFrom);
                } else {
                    for (int ch = cFrom; ch < cTo; ch++) {
                        float xv = x[xo + ch];
                        int o = ch * dm;
                        for (int m = 0; m < dm; m++) {
                            dKernel[ko + o + m] += xv * dY[yo + o + m];
                        }
                    }
                }
            }
        }
    }
}
