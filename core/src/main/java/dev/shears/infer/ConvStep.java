package dev.shears.infer;

import dev.shears.kernels.Gemm;
import dev.shears.kernels.Im2col;
import dev.shears.kernels.PlanarConv;
import dev.shears.kernels.SparseKernels;
import dev.shears.nn.Activation;

/**
 * A fused Conv2D + bias + activation. Dense, over NHWC: {@code cols (n*oh*ow, k) = im2col(x)}, then
 * {@code y = cols · W (k, oc)}. CSR with stride 1 (and no softmax), "planar": channel-major in and out,
 * per image {@code xs = shifted copies of x}, then each output channel's plane is its non-zeros' contiguous
 * runs of xs summed in vector registers, started at the bias and stored once through the ReLU (see
 * {@link SparseKernels#shiftRows}); the input may be NHWC or channel-major, the output is (n, oc, oh, ow)
 * and {@link InferenceModel} converts back to NHWC where a later step needs it. Other sparse convs:
 * {@code colsT (k, n*oh*ow)}, then {@code t (oc, n*oh*ow) = W^T · colsT}, transposed back to NHWC.
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
    /** Planar CSR convs: the regrouped weights, else null. */
    private final PlanarConv planar;
    /** Whether a planar conv's input is channel-major (else NHWC). */
    private final boolean inChw;
    private final int hp;
    private final int wp;

    /**
     * geometry = {h, w, c, kh, kw, strideH, strideW, padTop, padLeft, oh, ow}; {@code inChw}: the input arrives
     * channel-major (only valid when {@link #acceptsChannelsFirst()}).
     */
    ConvStep(String name, Weights w, Activation act, int[] geometry, int colsSlot, boolean inChw) {
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
        boolean isPlanar = w instanceof CsrWeights && sh == 1 && sw == 1 && act != Activation.SOFTMAX;
        this.planar = isPlanar ? ((CsrWeights) w).planar(c, hp, wp, kh, kw) : null;
        this.inChw = isPlanar && inChw;
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return planar != null;
    }

    @Override
    public boolean channelsFirstOut() {
        return planar != null;
    }

    @Override
    public int outSize() {
        return oh * ow * w.oc;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        int p = n * oh * ow;
        if (w instanceof DenseWeights d) {
            if (c == 1 && kh * kw > 1) {
                // One input channel: unfold transposed (contiguous runs) and multiply colsT^T · W.
                float[] colsT = arena.get(colsSlot, p * w.k);
                SparseKernels.im2colT(colsT, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
                Gemm.gemmTransA(y, 0, colsT, 0, d.values, 0, p, w.k, w.oc, false);
                Epilogue.rows(y, w.bias, p, w.oc, act);
                return;
            }
            // A 1x1 stride-1 unpadded conv needs no unfolding: NHWC x already is the cols matrix.
            boolean direct = kh == 1 && kw == 1 && sh == 1 && sw == 1;
            float[] cols = direct ? x : arena.get(colsSlot, p * w.k);
            if (!direct) {
                Im2col.im2col(cols, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
            }
            Gemm.gemm(y, 0, cols, 0, d.values, 0, p, w.k, w.oc, false);
            Epilogue.rows(y, w.bias, p, w.oc, act);
            return;
        }
        if (planar != null) {
            runPlanar(y, x, n, arena);
            return;
        }
        float[] colsT = arena.get(colsSlot, p * w.k);
        SparseKernels.im2colT(colsT, x, n, h, wd, c, kh, kw, sh, sw, padTop, padLeft, oh, ow);
        float[] t = arena.get(colsSlot + 1, p * w.oc);
        ((SparseWeights) w).multiplyTransposed(t, colsT, p);
        Epilogue.transposed(y, t, w.bias, p, w.oc, act);
    }

    /**
     * Per image: the input as zero-padded channel-major planes (c, hp, wp) (copied only when padding or an
     * NHWC layout with several channels asks for it), then {@link PlanarConv#run} into y's (oc, oh*ow)
     * planes. The shifted copies and the padded planes live in the calling thread's arena (the model shares
     * whole chunks of examples out over the threads, so a step runs on one thread).
     */
    private void runPlanar(float[] y, float[] x, int n, Arena arena) {
        boolean copy = hp != h || wp != wd || (!inChw && c > 1);
        float[] shifted = arena.get(colsSlot, planar.scratchSize());
        float[] padded = copy ? arena.get(colsSlot + 1, c * hp * wp) : null;
        for (int b = 0; b < n; b++) {
            float[] src = x;
            int srcOff = b * h * wd * c;
            if (copy) {
                SparseKernels.padPlanes(padded, x, b, h, wd, c, padTop, padLeft, hp, wp, inChw);
                src = padded;
                srcOff = 0;
            }
            planar.run(y, b * w.oc * oh * ow, src, srcOff, shifted, act == Activation.RELU);
        }
        if (act != Activation.RELU) {
            // Element-wise (softmax never runs planar), so the channel-major layout does not matter.
            Epilogue.activate(y, y, n, outSize(), act);
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
