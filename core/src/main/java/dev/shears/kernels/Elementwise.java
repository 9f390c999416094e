package dev.shears.kernels;

/**
 * Element-wise and row-wise kernels: activations, bias, softmax and the fused softmax cross-entropy.
 * Backward kernels accumulate ({@code +=}) into their gradient buffers. ReLU and the bias kernels run
 * on the Vector API when {@link Kernels#vectorEnabled()}.
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** y = max(x, 0) over {@code len} values. */
    public static void relu(float[] y, float[] x, int len) {
        reluRange(y, x, 0, len);
    }

    /** y[i] = max(x[i], 0) for i in [from, to); y may be x. */
    private static void reluRange(float[] y, float[] x, int from, int to) {
        if (Kernels.VECTOR) {
            VectorElementwise.relu(y, x, from, to);
        } else {
            reluScalar(y, x, from, to);
        }
    }

    /** Scalar version of {@link #relu}. */
    static void reluScalar(float[] y, float[] x, int len) {
        reluScalar(y, x, 0, len);
    }

    static void reluScalar(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            // "v < 0 ? 0 : v" rather than "v > 0 ? v : 0": NaN must propagate (as in PyTorch/TF) so that
            // a diverged run is detected instead of silently zeroed.
            y[i] = v < 0f ? 0f : v;
        }
    }

    /** dX += dY where the forward output y was positive (ReLU's derivative at 0 taken as 0). */
    public static void reluBackward(float[] dX, float[] dY, float[] y, int len) {
        if (Kernels.VECTOR) {
            VectorElementwise.reluBackward(dX, dY, y, len);
        } else {
            reluBackwardScalar(dX, dY, y, len);
        }
    }

    /** Scalar version of {@link #reluBackward}. */
    static void reluBackwardScalar(float[] dX, float[] dY, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            if (y[i] > 0f) {
                dX[i] += dY[i];
            }
        }
    }

    /** Values per parallel chunk of the element-wise passes: below this, waking a worker costs more. */
    private static final int ELEMENTS_PER_CHUNK = 1 << 16;

    /** dY[i] = 0 where the ReLU output y[i] is not positive (the fused conv + ReLU backward), in place. */
    public static void reluMaskInPlace(float[] dY, float[] y, int len) {
        Parallel.common().forRange(len, ELEMENTS_PER_CHUNK, (from, to) -> {
            if (Kernels.VECTOR) {
                VectorElementwise.reluMask(dY, y, from, to);
            } else {
                reluMaskScalar(dY, y, from, to);
            }
        });
    }

    static void reluMaskScalar(float[] dY, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!(y[i] > 0f)) {
                dY[i] = 0f;
            }
        }
    }

    /**
     * The conv epilogue in one pass: y (rows,cols) += bias (cols, or null), then y = max(y, 0) when
     * {@code relu}; rows split across threads.
     */
    public static void biasRelu(float[] y, float[] bias, int rows, int cols, boolean relu) {
        int grain = Math.max(1, ELEMENTS_PER_CHUNK / Math.max(1, cols));
        if (Parallel.common().serial(rows, grain)) {
            biasReluRows(y, bias, cols, relu, 0, rows); // no closure: a warm batch-1 inference allocates nothing
        } else {
            Parallel.common().forRange(rows, grain, (from, to) -> biasReluRows(y, bias, cols, relu, from, to));
        }
    }

    private static void biasReluRows(float[] y, float[] bias, int cols, boolean relu, int from, int to) {
        if (bias != null) {
            addBiasRange(y, bias, from, to, cols);
        }
        if (relu) {
            reluRange(y, y, from * cols, to * cols);
        }
    }

    /** y (rows,cols) += bias (cols) on every row, in place. */
    public static void addBiasRows(float[] y, float[] bias, int rows, int cols) {
        addBiasRange(y, bias, 0, rows, cols);
    }

    /** Rows [rowFrom, rowTo) of y (rows,cols) += bias. */
    private static void addBiasRange(float[] y, float[] bias, int rowFrom, int rowTo, int cols) {
        if (Kernels.VECTOR) {
            VectorElementwise.addBiasRows(y, rowFrom * cols, bias, rowTo - rowFrom, cols);
        } else {
            addBiasRowsScalar(y, rowFrom * cols, bias, rowTo - rowFrom, cols);
        }
    }

    /** Scalar version of {@link #addBiasRows}. */
    static void addBiasRowsScalar(float[] y, float[] bias, int rows, int cols) {
        addBiasRowsScalar(y, 0, bias, rows, cols);
    }

    static void addBiasRowsScalar(float[] y, int offset, float[] bias, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = offset + r * cols;
            for (int j = 0; j < cols; j++) {
                y[o + j] += bias[j];
            }
        }
    }

    /** dBias (cols) += column sums of dY (rows,cols). */
    public static void biasBackward(float[] dBias, float[] dY, int rows, int cols) {
        if (Kernels.VECTOR) {
            VectorElementwise.biasBackward(dBias, dY, rows, cols);
        } else {
            biasBackwardScalar(dBias, dY, rows, cols);
        }
    }

    /** Scalar version of {@link #biasBackward}. */
    static void biasBackwardScalar(float[] dBias, float[] dY, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int j = 0; j < cols; j++) {
                dBias[j] += dY[o + j];
            }
        }
    }

    /** Row-wise softmax, y (rows,cols) = exp(x - max) / sum, stable against overflow. */
    public static void softmaxRows(float[] y, float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[o + j]);
            }
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                y[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) {
                y[o + j] *= inv;
            }
        }
    }

    /** Softmax backward: dX += y ⊙ (dY - rowsum(dY ⊙ y)). */
    public static void softmaxRowsBackward(float[] dX, float[] dY, float[] y, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float dot = 0f;
            for (int j = 0; j < cols; j++) {
                dot += dY[o + j] * y[o + j];
            }
            for (int j = 0; j < cols; j++) {
                dX[o + j] += y[o + j] * (dY[o + j] - dot);
            }
        }
    }

    /**
     * Fused softmax + cross-entropy against integer labels: probs (rows,cols) = softmax(logits), returns
     * the mean over rows of {@code -log softmax(logits)[label]}, computed as
     * {@code logsumexp(x) - x[label]} so it never takes the log of 0.
     */
    public static double softmaxCrossEntropy(float[] probs, float[] logits, int[] labels, int rows, int cols) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(logits[o + j] - max);
                probs[o + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < cols; j++) {
                probs[o + j] *= inv;
            }
            total += Math.log(sum) + max - logits[o + labels[r]];
        }
        return total / rows;
    }

    /** Backward of the mean fused loss: dLogits += scale * (probs - onehot(labels)) / rows. */
    public static void softmaxCrossEntropyBackward(float[] dLogits, float[] probs, int[] labels,
                                                   int rows, int cols, float scale) {
        float s = scale / rows;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int j = 0; j < cols; j++) {
                dLogits[o + j] += s * probs[o + j];
            }
            dLogits[o + labels[r]] -= s;
        }
    }

    /** The index of the largest value in each row of scores (rows,cols); ties go to the lowest index. */
    public static int[] argmaxRows(float[] scores, int rows, int cols) {
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int best = 0;
            for (int j = 1; j < cols; j++) {
                if (scores[o + j] > scores[o + best]) {
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
