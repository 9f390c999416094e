package dev.shears.infer;

import dev.shears.kernels.Elementwise;
import dev.shears.kernels.SparseKernels;
import dev.shears.nn.Activation;

/** The fused tail of a conv or dense step: bias and activation, from either multiply's output layout. */
final class Epilogue {
    private Epilogue() {
    }

    /** y (rows, oc) = act(y + bias), in place: the same operations, in the same order, as the training engine. */
    static void rows(float[] y, float[] bias, int rows, int oc, Activation act) {
        Elementwise.biasRelu(y, bias, rows, oc, act == Activation.RELU);
        if (act == Activation.SOFTMAX) {
            Elementwise.softmaxRows(y, y, rows, oc);
        }
    }

    /** y (rows, oc) = act(t (oc, rows)^T + bias): undoes the sparse kernels' transposed layout. */
    static void transposed(float[] y, float[] t, float[] bias, int rows, int oc, Activation act) {
        SparseKernels.biasTranspose(y, t, bias, oc, rows, act == Activation.RELU);
        if (act == Activation.SOFTMAX) {
            Elementwise.softmaxRows(y, y, rows, oc);
        }
    }

    /** "conv2d    Conv2D    CSR    sparsity 80.0%  ..." */
    static String line(String name, String type, Weights w, String shape) {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %-8s sparsity %5.1f%%  stored %d of %d weights  %s",
                name, type, w.kernel, 100 * w.sparsity, w.storedValues(), (long) w.k * w.oc, shape);
    }
}
