package dev.shears.infer;

import dev.shears.kernels.ConvShape;
import dev.shears.kernels.DenseConv;
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
    private final ConvShape shape;
    private static final int UNFOLDED = 0;
    private static final int PRODUCT = 1;
    /** Planar CSR convs: the regrouped weights, else null. */
    private final PlanarConv planar;
    /** Whether a planar conv's input is channel-major (else NHWC). */
    private final boolean inChw;
    /** The planar conv's zero-padded plane size. */
    private final int hp;
    private final int wp;

    /**
     * {@code inChw}: the input arrives channel-major (only valid when {@link #acceptsChannelsFirst()}).
     */
    ConvStep(String name, Weights w, Activation act, ConvShape shape, boolean inChw) {
        this.name = name;
        this.w = w;
        this.act = act;
        this.shape = shape;
        this.hp = shape.oh() + shape.kh() - 1;
        this.wp = shape.ow() + shape.kw() - 1;
        boolean isPlanar = w instanceof CsrWeights && shape.strideH() == 1 && shape.strideW() == 1 && act != Activation.SOFTMAX;
        this.planar = isPlanar ? ((CsrWeights) w).planar(shape.c(), hp, wp, shape.kh(), shape.kw()) : null;
        this.inChw = isPlanar && inChw;
    }

    /**
     * Scratch buffer 0 holds the unfolded input (or the planar conv's shifted copies), buffer 1 the sparse
     * product before its transpose (or the planar conv's padded planes).
     */
    @Override
    public int scratchBuffers() {
        return 2;
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
        return shape.oh() * shape.ow() * w.oc;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        int p = shape.rows(n);
        if (w instanceof DenseWeights d) {
            DenseConv.forward(y, x, d.values, w.oc, n, shape, arena.scratch(UNFOLDED, DenseConv.scratchSize(n, shape)), false);
            Epilogue.rows(y, w.bias, p, w.oc, act);
            return;
        }
        if (planar != null) {
            runPlanar(y, x, n, arena);
            return;
        }
        float[] colsT = arena.scratch(UNFOLDED, p * w.k);
        Im2col.im2colTransposed(colsT, x, n, shape);
        float[] t = arena.scratch(PRODUCT, p * w.oc);
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
        int h = shape.h(), wd = shape.w(), c = shape.c(), oh = shape.oh(), ow = shape.ow();
        boolean copy = hp != h || wp != wd || (!inChw && c > 1);
        float[] shifted = arena.scratch(UNFOLDED, planar.scratchSize());
        float[] padded = copy ? arena.scratch(PRODUCT, c * hp * wp) : null;
        for (int b = 0; b < n; b++) {
            float[] src = x;
            int srcOff = b * h * wd * c;
            if (copy) {
                SparseKernels.padPlanes(padded, x, b, h, wd, c, shape.padTop(), shape.padLeft(), hp, wp, inChw);
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
        return Epilogue.line(name, "Conv2D", w, shape.kh() + "x" + shape.kw() + " " + shape.c() + "->" + w.oc + " on "
                + shape.h() + "x" + shape.w() + ", " + act.kerasName());
    }

    @Override
    public Weights weights() {
        return w;
    }
}
