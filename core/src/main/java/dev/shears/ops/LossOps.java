package dev.shears.ops;

import dev.shears.kernels.Elementwise;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * Differentiable losses, each the mean over the batch (Keras's default reduction).
 *
 * <pre>{@code Tensor loss = LossOps.softmaxCrossEntropy(logits, labels);}</pre>
 */
public final class LossOps {
    /** Keras clips probabilities to [eps, 1 - eps] before the log; same constant as backend.epsilon(). */
    public static final float PROBABILITY_EPSILON = 1e-7f;

    private LossOps() {
    }

    /**
     * Fused, numerically stable softmax + cross-entropy with integer labels: logits (n,c), labels (n) ->
     * mean of {@code logsumexp(logits_i) - logits_i[label_i]}. Gradient: (softmax - onehot) / n.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, int[] labels) {
        int n = checkLabels(logits, labels);
        int c = logits.shape(1);
        float[] probs = BufferPool.floats(logits.size());
        double loss = Elementwise.softmaxCrossEntropy(probs, logits.data(), labels, n, c);
        Tensor out = Tensor.derived(new float[] {(float) loss}, new int[] {1}, logits);
        out.setBackward(() -> Elementwise.softmaxCrossEntropyBackward(logits.grad(), probs, labels, n, c, out.grad()[0]));
        return out;
    }

    /**
     * Cross-entropy of probabilities against integer labels, Keras-style: probabilities are clipped to
     * [eps, 1-eps]; when {@code probs} came from {@link Ops#softmax} the fused, stable path on its
     * logits is used instead (as Keras does).
     */
    public static Tensor crossEntropyFromProbabilities(Tensor probs, int[] labels) {
        if (probs.softmaxInput() != null) {
            return softmaxCrossEntropy(probs.softmaxInput(), labels);
        }
        int n = checkLabels(probs, labels);
        int c = probs.shape(1);
        float[] p = probs.data();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            loss -= Math.log(clip(p[i * c + labels[i]]));
        }
        Tensor out = Tensor.derived(new float[] {(float) (loss / n)}, new int[] {1}, probs);
        out.setBackward(() -> {
            float g = out.grad()[0] / n;
            float[] gp = probs.grad();
            for (int i = 0; i < n; i++) {
                float v = p[i * c + labels[i]];
                // The clip's derivative is 0 outside the open interval.
                if (v > PROBABILITY_EPSILON && v < 1f - PROBABILITY_EPSILON) {
                    gp[i * c + labels[i]] -= g / v;
                }
            }
        });
        return out;
    }

    /**
     * Categorical cross-entropy of probabilities (n,c) against target distributions (n,c) such as one-hot
     * rows: mean over rows of {@code -sum_j t_j log(clip(p_j))}.
     */
    public static Tensor categoricalCrossEntropy(Tensor probs, Tensor targets) {
        if (!Arrays.equals(probs.shape(), targets.shape()) || probs.rank() != 2) {
            throw new ShapeMismatchException("categoricalCrossEntropy needs probs and targets of equal shape (n,c)",
                    probs.shape(), targets.shape());
        }
        int n = probs.shape(0);
        float[] p = probs.data();
        float[] t = targets.data();
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            if (t[i] != 0f) {
                loss -= t[i] * Math.log(clip(p[i]));
            }
        }
        Tensor out = Tensor.derived(new float[] {(float) (loss / n)}, new int[] {1}, probs);
        out.setBackward(() -> {
            float g = out.grad()[0] / n;
            float[] gp = probs.grad();
            for (int i = 0; i < p.length; i++) {
                if (t[i] != 0f && p[i] > PROBABILITY_EPSILON && p[i] < 1f - PROBABILITY_EPSILON) {
                    gp[i] -= g * t[i] / p[i];
                }
            }
        });
        return out;
    }

    private static float clip(float p) {
        return Math.min(Math.max(p, PROBABILITY_EPSILON), 1f - PROBABILITY_EPSILON);
    }

    private static int checkLabels(Tensor scores, int[] labels) {
        if (scores.rank() != 2 || scores.shape(0) != labels.length) {
            throw new ShapeMismatchException("loss needs scores (n,c) and n labels, got scores "
                    + Arrays.toString(scores.shape()) + " and " + labels.length + " labels");
        }
        int c = scores.shape(1);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected a class in [0, " + c + ")");
            }
        }
        return labels.length;
    }
}
