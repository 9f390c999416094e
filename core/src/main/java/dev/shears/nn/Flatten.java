package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;
import java.util.Map;
import java.util.Random;

/** Flattens each example to a vector: (d1, d2, ...) -> (d1*d2*...), row-major (NHWC order for images). */
public final class Flatten extends Layer {
    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    public Map<String, Object> config() {
        return configOf();
    }

    @Override
    public Plan plan(int[] in) {
        return Plan.of((int) Plan.count(in, "Flatten " + name() + " input"));
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return x.rank() == 2 ? x : Ops.flatten(x);
    }
}
