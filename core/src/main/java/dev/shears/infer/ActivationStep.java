package dev.shears.infer;

import dev.shears.nn.Activation;

/**
 * A standalone Activation layer: y = act(x), same shape. Element-wise activations take channel-major
 * input as it comes and keep it; softmax works over the last dimension, so it needs NHWC.
 */
final class ActivationStep implements Step {
    private final String name;
    private final Activation act;
    private final int size;
    private final int last;
    private final boolean chw;

    /** {@code in}: one example's shape; {@code chw}: the input arrives channel-major. */
    ActivationStep(String name, Activation act, int[] in, boolean chw) {
        this.name = name;
        this.act = act;
        int s = 1;
        for (int d : in) {
            s *= d;
        }
        this.size = s;
        this.last = in[in.length - 1];
        this.chw = chw && acceptsChannelsFirst();
    }

    @Override
    public int outSize() {
        return size;
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return act != Activation.SOFTMAX;
    }

    @Override
    public boolean channelsFirstOut() {
        return chw;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        Epilogue.activate(y, x, n * (size / last), last, act);
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %s on %d values", name, "Activation", act.kerasName(), size);
    }
}
