package dev.shears.infer;

import dev.shears.kernels.Depthwise;
import dev.shears.nn.Activation;

/**
 * A fused DepthwiseConv2D + bias + activation over NHWC: the direct kernel of the training engine
 * ({@link Depthwise#forward}, each output reads kh*kw inputs of its channel, channels contiguous in the
 * inner loop), then the activation. Always dense: the kernel holds kh*kw*c*dm values, a few per channel,
 * and skipping zeros would break the loop over contiguous channels; the weights (a folded batch norm
 * included) are held as {@link Weights} (kh*kw, c*dm) so that compact files store them like any kernel.
 */
final class DepthwiseStep implements Step {
    private final String name;
    private final DenseWeights w;
    private final Activation act;
    private final Depthwise.Shape shape;

    DepthwiseStep(String name, DenseWeights w, Activation act, Depthwise.Shape shape) {
        if (w.k != shape.kh() * shape.kw() || w.oc != shape.oc()) {
            throw new IllegalArgumentException("layer " + name + ": depthwise weights must be (" + shape.kh() * shape.kw() + ", "
                    + shape.oc() + "), got (" + w.k + ", " + w.oc + ")");
        }
        this.name = name;
        this.w = w;
        this.act = act;
        this.shape = shape;
    }

    @Override
    public int outSize() {
        return shape.outSize();
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        Depthwise.forward(y, x, w.values, w.bias, n, shape);
        if (act != Activation.LINEAR) {
            // bias already added by the kernel; the same activation code as the engine
            Epilogue.rows(y, null, n * shape.oh() * shape.ow(), shape.oc(), act);
        }
    }

    @Override
    public String describe() {
        return Epilogue.line(name, "DwConv2D", w, shape.kh() + "x" + shape.kw() + " " + shape.c() + "x" + shape.dm() + " on "
                + shape.h() + "x" + shape.w() + ", " + act.kerasName());
    }

    @Override
    public Weights weights() {
        return w;
    }
}
