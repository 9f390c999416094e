package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Inverted dropout: during training zeroes a fraction {@code rate} of the values and scales the rest by
 * 1/(1-rate); at inference it is the identity. The mask of each training forward pass is drawn from a
 * generator seeded by (model seed, layer index, training step), so a resumed run draws the same masks as
 * an uninterrupted one.
 */
public final class Dropout extends Layer {
    private final float rate;
    private long seed;
    private long step;

    /** @throws IllegalArgumentException unless 0 &lt;= rate &lt; 1 */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = (float) rate;
    }

    @Override
    public String type() {
        return "Dropout";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("rate", (double) rate);
    }

    @Override
    public Plan plan(int[] in) {
        return Plan.of(in);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        this.seed = rng.nextLong();
        return in.clone();
    }

    /** Called by the model before each forward pass with its training step. */
    void setStep(long step) {
        this.step = step;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (!training) {
            return x;
        }
        return Ops.dropout(x, rate, true, new SplittableRandom(seed ^ (step * 0x9E3779B97F4A7C15L)));
    }

    /** The fraction of values dropped in training. */
    public float rate() {
        return rate;
    }
}
