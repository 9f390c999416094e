package dev.shears.infer;

/** All (k, oc) weights, row-major: multiplied by {@link dev.shears.kernels.Gemm} (or the depthwise kernel). */
final class DenseWeights extends Weights {
    final float[] values;

    DenseWeights(float[] w, float[] bias, int k, int oc) {
        super(w, bias, k, oc);
        this.values = w.clone();
    }

    @Override
    WeightFormat format() {
        return WeightFormat.DENSE;
    }

    @Override
    float[] denseKernel() {
        return values.clone();
    }

    @Override
    long storedValues() {
        return values.length;
    }
}
