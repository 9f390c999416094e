package dev.shears.infer;

/**
 * A compiled layer's kernel (k, oc) and bias (oc), in the form its {@link WeightFormat} multiplies: one type
 * per format, {@link DenseWeights} or one of the {@link SparseWeights} over the transpose (oc, k). Steps
 * match on the type, so no representation is ever null.
 */
abstract sealed class Weights permits DenseWeights, SparseWeights {
    final int k;
    final int oc;
    /** Fraction of zeros in the kernel it was made from. */
    final double sparsity;
    final float[] bias;

    Weights(float[] w, float[] bias, int k, int oc) {
        this.k = k;
        this.oc = oc;
        this.sparsity = WeightFormatRule.sparsity(w);
        this.bias = bias.clone();
    }

    /**
     * The kernel {@code w} (k, oc) and bias in {@code format}; {@code conv} says whether it is a conv kernel
     * (a dense layer's CSR also gets SELL slices for single examples).
     */
    static Weights of(WeightFormat format, float[] w, float[] bias, int k, int oc, boolean conv) {
        return switch (format) {
            case DENSE -> new DenseWeights(w, bias, k, oc);
            case CSR -> new CsrWeights(w, bias, k, oc, !conv);
            case BLOCK4 -> new Block4Weights(w, bias, k, oc);
            case TWO_FOUR -> new TwoFourWeights(w, bias, k, oc);
        };
    }

    /** The format these weights are stored in. */
    abstract WeightFormat format();

    /** The kernel (k, oc) as a dense row-major array (a new array). */
    abstract float[] denseKernel();

    /** Number of weight values the kernel stores (zeros inside blocks and 2:4 padding included). */
    abstract long storedValues();
}
