package dev.shears.kernels;

/**
 * Naive, obviously-correct versions of every kernel: the oracle that tests compare the fast kernels
 * against, and the fallback when nothing faster applies. Layouts are row-major; images are NHWC.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {
    }

    /** C(m,n) (+)= A(m,k) · B(k,n). */
    public static void gemm(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                            int m, int k, int n, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * k + p] * b[bOff + p * n + j];
                }
                c[cOff + i * n + j] = s;
            }
        }
    }

    /** C(m,n) (+)= A^T · B with A stored as (k,m) and B as (k,n). */
    public static void gemmTransA(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + p * m + i] * b[bOff + p * n + j];
                }
                c[cOff + i * n + j] = s;
            }
        }
    }

    /** C(m,n) (+)= A · B^T with A stored as (m,k) and B as (n,k). */
    public static void gemmTransB(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * k + p] * b[bOff + j * k + p];
                }
                c[cOff + i * n + j] = s;
            }
        }
    }

    /**
     * Unfolds image patches into rows. x (n,h,w,c) -> cols (n*oh*ow, kh*kw*c); a row holds one output
     * pixel's receptive field in (ky, kx, c) order, zeros where the window hangs over the padding.
     */
    public static void im2col(float[] cols, float[] x, int n, int h, int w, int c, int kh, int kw,
                              int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        int rowLen = kh * kw * c;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int row = ((b * oh + oy) * ow + ox) * rowLen;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * strideH - padTop + ky;
                            int ix = ox * strideW - padLeft + kx;
                            boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                            for (int ch = 0; ch < c; ch++) {
                                cols[row + (ky * kw + kx) * c + ch] = inside ? x[((b * h + iy) * w + ix) * c + ch] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Adjoint of {@link #im2col}: dX (n,h,w,c) += fold(dCols (n*oh*ow, kh*kw*c)). */
    public static void col2im(float[] dX, float[] dCols, int n, int h, int w, int c, int kh, int kw,
                              int strideH, int strideW, int padTop, int padLeft, int oh, int ow) {
        int rowLen = kh * kw * c;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int row = ((b * oh + oy) * ow + ox) * rowLen;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * strideH - padTop + ky;
                            int ix = ox * strideW - padLeft + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            for (int ch = 0; ch < c; ch++) {
                                dX[((b * h + iy) * w + ix) * c + ch] += dCols[row + (ky * kw + kx) * c + ch];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Depthwise convolution, one output value at a time: y[b,oy,ox,ch*dm+m] = bias (or 0) + Σ_{ky,kx} over
     * taps inside the image of x[b, oy*sh-padTop+ky, ox*sw-padLeft+kx, ch] · k[ky,kx,ch,m]; x (n,h,w,c),
     * kernel (kh,kw,c,dm), y (n,oh,ow,c*dm).
     */
    public static void depthwiseConv(float[] y, float[] x, float[] kernel, float[] bias, int n, Depthwise.Shape s) {
        int dm = s.dm();
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < s.oh(); oy++) {
                for (int ox = 0; ox < s.ow(); ox++) {
                    for (int ch = 0; ch < s.c(); ch++) {
                        for (int m = 0; m < dm; m++) {
                            int o = ch * dm + m;
                            float acc = bias == null ? 0f : bias[o];
                            for (int ky = 0; ky < s.kh(); ky++) {
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = oy * s.strideH() - s.padTop() + ky;
                                    int ix = ox * s.strideW() - s.padLeft() + kx;
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        acc += x[((b * s.h() + iy) * s.w() + ix) * s.c() + ch] * kernel[(ky * s.kw() + kx) * s.oc() + o];
                                    }
                                }
                            }
                            y[((b * s.oh() + oy) * s.ow() + ox) * s.oc() + o] = acc;
                        }
                    }
                }
            }
        }
    }

    /**
     * Backward of {@link #depthwiseConv} by the chain rule on each term: dX (n,h,w,c) += dY · k and
     * dKernel (kh,kw,c,dm) += x · dY at every (output, tap) pair inside the image.
     */
    public static void depthwiseConvBackward(float[] dX, float[] dKernel, float[] dY, float[] x, float[] kernel, int n,
                                             Depthwise.Shape s) {
        int dm = s.dm();
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < s.oh(); oy++) {
                for (int ox = 0; ox < s.ow(); ox++) {
                    for (int ch = 0; ch < s.c(); ch++) {
                        for (int m = 0; m < dm; m++) {
                            int o = ch * dm + m;
                            float g = dY[((b * s.oh() + oy) * s.ow() + ox) * s.oc() + o];
                            for (int ky = 0; ky < s.kh(); ky++) {
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = oy * s.strideH() - s.padTop() + ky;
                                    int ix = ox * s.strideW() - s.padLeft() + kx;
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        int xi = ((b * s.h() + iy) * s.w() + ix) * s.c() + ch;
                                        int ki = (ky * s.kw() + kx) * s.oc() + o;
                                        dX[xi] += g * kernel[ki];
                                        dKernel[ki] += g * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Training-mode batch normalization of x (rows, c) in double, straight from the definition: per channel
     * μ = mean, σ² = biased variance, y = (x - μ) / sqrt(σ² + ε) · γ + β (γ, β null: 1, 0); writes μ and σ².
     */
    public static void batchNorm(float[] y, float[] mean, float[] variance, float[] x, float[] gamma, float[] beta,
                                 float epsilon, int rows, int c) {
        for (int ch = 0; ch < c; ch++) {
            double mu = 0;
            for (int r = 0; r < rows; r++) {
                mu += x[r * c + ch];
            }
            mu /= rows;
            double var = 0;
            for (int r = 0; r < rows; r++) {
                var += (x[r * c + ch] - mu) * (x[r * c + ch] - mu);
            }
            var /= rows;
            mean[ch] = (float) mu;
            variance[ch] = (float) var;
            double g = gamma == null ? 1 : gamma[ch];
            double bt = beta == null ? 0 : beta[ch];
            for (int r = 0; r < rows; r++) {
                y[r * c + ch] = (float) ((x[r * c + ch] - mu) / Math.sqrt(var + epsilon) * g + bt);
            }
        }
    }

    /**
     * Backward of {@link #batchNorm} in double, through its intermediate values (x̂, σ², μ) one at a time as
     * the chain rule gives them, not the closed form: dX += ..., dGamma += Σ dY·x̂, dBeta += Σ dY
     * (dGamma, dBeta may be null).
     */
    public static void batchNormBackward(float[] dX, float[] dGamma, float[] dBeta, float[] dY, float[] x, float[] gamma,
                                         float epsilon, int rows, int c) {
        for (int ch = 0; ch < c; ch++) {
            double mu = 0;
            for (int r = 0; r < rows; r++) {
                mu += x[r * c + ch];
            }
            mu /= rows;
            double var = 0;
            for (int r = 0; r < rows; r++) {
                var += (x[r * c + ch] - mu) * (x[r * c + ch] - mu);
            }
            var /= rows;
            double inv = 1 / Math.sqrt(var + epsilon);
            double g = gamma == null ? 1 : gamma[ch];
            double dVar = 0;
            double dMu = 0;
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int r = 0; r < rows; r++) {
                double xc = x[r * c + ch] - mu;
                double dXhat = dY[r * c + ch] * g;
                dVar += dXhat * xc * -0.5 * inv * inv * inv;
                dMu += -dXhat * inv;
                sumDy += dY[r * c + ch];
                sumDyXhat += dY[r * c + ch] * xc * inv;
            }
            for (int r = 0; r < rows; r++) {
                double xc = x[r * c + ch] - mu;
                // dMu's other term, dVar · Σ -2(x - μ)/N, is zero since the deviations sum to zero
                dX[r * c + ch] += (float) (dY[r * c + ch] * g * inv + dVar * 2 * xc / rows + dMu / rows);
            }
            if (dGamma != null) {
                dGamma[ch] += (float) sumDyXhat;
            }
            if (dBeta != null) {
                dBeta[ch] += (float) sumDy;
            }
        }
    }

    /**
     * Max pooling without padding. x (n,h,w,c) -> y (n,oh,ow,c); argmax gets, per output, the flat index
     * into x of the winning input (the first maximum in scan order).
     */
    public static void maxPool(float[] y, int[] argmax, float[] x, int n, int h, int w, int c,
                               int ph, int pw, int sh, int sw, int oh, int ow) {
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIdx = -1;
                        for (int ky = 0; ky < ph; ky++) {
                            for (int kx = 0; kx < pw; kx++) {
                                int idx = ((b * h + oy * sh + ky) * w + ox * sw + kx) * c + ch;
                                if (bestIdx < 0 || x[idx] > best) {
                                    best = x[idx];
                                    bestIdx = idx;
                                }
                            }
                        }
                        int o = ((b * oh + oy) * ow + ox) * c + ch;
                        y[o] = best;
                        argmax[o] = bestIdx;
                    }
                }
            }
        }
    }

    /**
     * Average pooling, element by element: each output is the sum of its window's cells inside x, in
     * (ky, kx) order, divided by how many there are; padding cells are not counted.
     */
    public static void avgPool(float[] y, float[] x, int n, Pool.Window g) {
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int ch = 0; ch < g.c(); ch++) {
                        float sum = 0f;
                        int count = 0;
                        for (int ky = 0; ky < g.ph(); ky++) {
                            for (int kx = 0; kx < g.pw(); kx++) {
                                int iy = oy * g.sh() - g.padTop() + ky;
                                int ix = ox * g.sw() - g.padLeft() + kx;
                                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                    sum += x[((b * g.h() + iy) * g.w() + ix) * g.c() + ch];
                                    count++;
                                }
                            }
                        }
                        y[((b * g.oh() + oy) * g.ow() + ox) * g.c() + ch] = sum / count;
                    }
                }
            }
        }
    }

    /** Backward of {@link #avgPool}: dX += dY / count at every real cell of each window. */
    public static void avgPoolBackward(float[] dX, float[] dY, int n, Pool.Window g) {
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int count = 0;
                    for (int ky = 0; ky < g.ph(); ky++) {
                        for (int kx = 0; kx < g.pw(); kx++) {
                            int iy = oy * g.sh() - g.padTop() + ky;
                            int ix = ox * g.sw() - g.padLeft() + kx;
                            count += iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w() ? 1 : 0;
                        }
                    }
                    for (int ky = 0; ky < g.ph(); ky++) {
                        for (int kx = 0; kx < g.pw(); kx++) {
                            int iy = oy * g.sh() - g.padTop() + ky;
                            int ix = ox * g.sw() - g.padLeft() + kx;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                for (int ch = 0; ch < g.c(); ch++) {
                                    dX[((b * g.h() + iy) * g.w() + ix) * g.c() + ch]
                                            += dY[((b * g.oh() + oy) * g.ow() + ox) * g.c() + ch] / (float) count;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Global max pooling, element by element: y (n,c) = the largest of the hw values of each channel. */
    public static void globalMaxPool(float[] y, float[] x, int n, int hw, int c) {
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                float best = x[b * hw * c + ch];
                for (int p = 1; p < hw; p++) {
                    best = Math.max(best, x[(b * hw + p) * c + ch]);
                }
                y[b * c + ch] = best;
            }
        }
    }

    /**
     * Zero padding, element by element: y (n, h+top+bottom, w+left+right, c) is x (n,h,w,c) where the
     * output position minus (top, left) falls inside x, else 0.
     */
    public static void zeroPad(float[] y, float[] x, int n, int h, int w, int c, int top, int bottom, int left, int right) {
        int oh = h + top + bottom;
        int ow = w + left + right;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int iy = oy - top;
                    int ix = ox - left;
                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                    for (int ch = 0; ch < c; ch++) {
                        y[((b * oh + oy) * ow + ox) * c + ch] = inside ? x[((b * h + iy) * w + ix) * c + ch] : 0f;
                    }
                }
            }
        }
    }

    /** Backward of {@link #zeroPad}: dX (n,h,w,c) += dY at the matching interior position. */
    public static void zeroPadBackward(float[] dX, float[] dY, int n, int h, int w, int c, int top, int bottom, int left, int right) {
        int oh = h + top + bottom;
        int ow = w + left + right;
        for (int b = 0; b < n; b++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int ch = 0; ch < c; ch++) {
                        dX[((b * h + iy) * w + ix) * c + ch] += dY[((b * oh + iy + top) * ow + ix + left) * c + ch];
                    }
                }
            }
        }
    }
}
