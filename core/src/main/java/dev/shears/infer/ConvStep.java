package dev.shears.infer;

import dev.shears.kernels.Gemm;
import dev.shears.kernels.Im2col;
import dev.shears.kernels.SparseKernels;
import dev.shears.nn.Activation;

/**
 * A fused Conv2D + bias + activation over NHWC. Dense: {@code cols (n*oh*ow, k) = im2col(x)}, then
 * {@code y = cols · W (k, oc)}. Sparse: {@code colsT (k, n*oh*ow)}, then {@code t (oc, n*oh*ow) = W^T · colsT}
 * with one contiguous axpy per non-zero, and the epilogue transposes back to NHWC.
 */
final class ConvStep implements Step {
    private final String name;
    private final Weights w;
    private final Activation act;
    private final int h;
    private final int wd;
    private final int c;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int padTop;
    private final int padLeft;
    private final int oh;
    private final int ow;
    private final int colsSlot;
    /** CSR stride-1 convs run directly on a padded channel-major copy: each weight's offset into it, else null. */
    private final int[] directOffsets;
    private final int hp;
    private final int wp;

    /** geometry = {h, w, c, kh, kw, strideH, strideW, padTop, padLeft, oh, ow}. */
    ConvStep(String name, Weights w, Activation act, int[] geometry, int colsSlot) {
        this.name = name;
        this.w = w;
        this.act = act;
        this.h = geometry[0];
        this.wd = geometry[1];
        this.c = geometry[2];
        this.kh = geometry[3];
        this.kw = geometry[4];
        this.sh = geometry[5];
        this.sw = geometry[6];
        this.padTop = geometry[7];
        this.padLeft = geometry[8];
        this.oh = geometry[9];
        this.ow = geometry[10];
        this.colsSlot = colsSlot;
        this.hp = oh + kh - 1;
        this.wp = ow + kw - 1;
        this.directOffsets = w.kernel == Kernel.CSR && sh == 1 && sw == 1 ? w.directOffsets(c, kw, hp * wp, wp) : null;
    }

    @Override
    public int outSize() {
        return oh * ow * w.oc;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        int p = n * oh * ow;
        if (!w.kernel.sparse()) {
            if (c == 1 && kh * kw > 1) {
                // One input channel: unfold transposed (contiguous runs) and multiply colsT^T · W.
                float[] colsT = arena.get(colsSlot, p * w.k);
                SparseKernels.im2colT(colsT, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
                Gemm.gemmTransA(y, 0, colsT, 0, w.dense, 0, p, w.k, w.oc, false);
                Epilogue.rows(y, w.bias, p, w.oc, act);
                return;
            }
            // A 1x1 stride-1 unpadded conv needs no unfolding: NHWC x already is the cols matrix.
            boolean direct = kh == 1 && kw == 1 && sh == 1 && sw == 1;
            float[] cols = direct ? x : arena.get(colsSlot, p * w.k);
            if (!direct) {
                Im2col.im2col(cols, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
            }
            Gemm.gemm(y, 0, cols, 0, w.dense, 0, p, w.k, w.oc, false);
            Epilogue.rows(y, w.bias, p, w.oc, act);
            return;
        }
        if (directOffsets != null) {
            runDirect(y, x, n, arena);
            return;
        }
        float[] colsT = arena.get(colsSlot, p * w.k);
        SparseKernels.im2colT(colsT, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
        float[] t = arena.get(colsSlot + 1, p * w.oc);
        w.multiplyTransposed(t, colsT, p);
        Epilogue.transposed(y, t, w.bias, p, w.oc, act);
    }

    /**
     * Stride-1 CSR conv without im2col: per image, xc (c, hp, wp) = padded x, then for each output channel
     * t[oc][oy*wp + ox] = sum over its non-zeros w of w * xc[offset(w) + oy*wp + ox], one contiguous window
     * per weight; columns ox >= ow of these wide rows are computed and dropped by the epilogue. Windows of
     * the last channel run up to kw - 1 values past the image: whatever the scratch holds there only
     * reaches those dropped columns.
     */
    private void runDirect(float[] y, float[] x, int n, Arena arena) {
        float[] xc = arena.get(colsSlot, c * hp * wp + kw);
        float[] t = arena.get(colsSlot + 1, w.oc * oh * wp);
        for (int b = 0; b < n; b++) {
            SparseKernels.padChw(xc, x, b, h, wd, c, padTop, padLeft, hp, wp);
            w.multiplyShifted(t, directOffsets, xc, oh * wp);
            SparseKernels.biasTransposeWide(y, b * oh * ow * w.oc, t, w.bias, w.oc, oh, ow, wp, act == Activation.RELU);
        }
        if (act == Activation.SOFTMAX) {
            dev.shears.kernels.Elementwise.softmaxRows(y, y, n * oh * ow, w.oc);
        }
    }

    @Override
    public String describe() {
        return Epilogue.line(name, "Conv2D", w, kh + "x" + kw + " " + c + "->" + w.oc + " on " + h + "x" + wd + ", " + act.kerasName());
    }

    @Override
    public Weights weights() {
        return w;
    }
}
