package dev.shears.nn;

import dev.shears.tensor.Tensor;

/**
 * A named tensor of a layer, e.g. {@code conv2d/kernel}: a trainable parameter ({@link Layer#parameters()}),
 * or a non-trainable state variable ({@link Layer#state()}, e.g. {@code batch_normalization/moving_mean}).
 * Kernels are prunable; biases and state are not.
 *
 * @param name     unique within a model: layer name, '/', local name ("kernel", "bias", "gamma", ...)
 * @param value    the tensor (its data array is updated in place by optimizers)
 * @param prunable whether magnitude pruning may zero its entries
 */
public record Parameter(String name, Tensor value, boolean prunable) {
    /** Number of values. */
    public int size() {
        return value.size();
    }

    /** The live value array. */
    public float[] data() {
        return value.data();
    }
}
