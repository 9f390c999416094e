package dev.shears.infer;

import dev.shears.kernels.Activations;
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
        if (act != Activation.RELU) {
            activate(y, y, rows, oc, act);
        }
    }

    /** y (rows, oc) = act(t (oc, rows)^T + bias): undoes the sparse kernels' transposed layout. */
    static void transposed(float[] y, float[] t, float[] bias, int rows, int oc, Activation act) {
        SparseKernels.biasTranspose(y, t, bias, oc, rows, act == Activation.RELU);
        if (act != Activation.RELU) {
            activate(y, y, rows, oc, act);
        }
    }

    /**
     * y (rows, cols) = act(x), y may be x: softmax over each row of cols values, every other activation
     * element by element (so for those the layout does not matter), through the kernels the training
     * engine's ops call.
     */
    static void activate(float[] y, float[] x, int rows, int cols, Activation act) {
        int len = rows * cols;
        switch (act) {
            case LINEAR -> {
                if (y != x) {
                    System.arraycopy(x, 0, y, 0, len);
                }
            }
            case RELU -> Elementwise.relu(y, x, len);
            case SOFTMAX -> Elementwise.softmaxRows(y, x, rows, cols);
            case SIGMOID -> Activations.sigmoid(y, x, len);
            case TANH -> Activations.tanh(y, x, len);
            case LEAKY_RELU -> Activations.leakyRelu(y, x, Activation.LEAKY_RELU_NEGATIVE_SLOPE, len);
            case ELU -> Activations.elu(y, x, Activation.ELU_ALPHA, len);
            case GELU -> Activations.gelu(y, x, len);
            case SILU -> Activations.silu(y, x, len);
            case RELU6 -> Activations.relu6(y, x, len);
            default -> throw new IllegalStateException("the inference runtime has no kernel for activation " + act);
        }
    }

    /** "conv2d    Conv2D    CSR    sparsity 80.0%  ..." */
    static String line(String name, String type, Weights w, String shape) {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %-8s sparsity %5.1f%%  stored %d of %d weights  %s",
                name, type, w.format(), 100 * w.sparsity, w.storedValues(), (long) w.k * w.oc, shape);
    }
}
