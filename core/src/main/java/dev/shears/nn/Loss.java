package dev.shears.nn;

import dev.shears.ops.LossOps;
import dev.shears.tensor.Tensor;

/**
 * A training loss over a batch of model outputs and integer class labels, averaged over the batch.
 *
 * <pre>{@code Loss loss = Loss.sparseCategoricalCrossentropy(false); // outputs are probabilities}</pre>
 */
public interface Loss {
    /** The scalar loss tensor for outputs (n, classes) and n labels. */
    Tensor compute(Tensor outputs, int[] labels);

    /** Keras name, e.g. "sparse_categorical_crossentropy". */
    String name();

    /**
     * Cross-entropy with integer labels. With {@code fromLogits} false the outputs are probabilities
     * (e.g. from a softmax layer; the stable fused path is used when they are); with true they are logits.
     */
    static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return new Loss() {
            @Override
            public Tensor compute(Tensor outputs, int[] labels) {
                return fromLogits ? LossOps.softmaxCrossEntropy(outputs, labels) : LossOps.crossEntropyFromProbabilities(outputs, labels);
            }

            @Override
            public String name() {
                return "sparse_categorical_crossentropy";
            }
        };
    }

    /**
     * Categorical cross-entropy as Keras computes it for one-hot targets; the integer labels given to
     * {@link #compute} are expanded to one-hot rows. Numerically the same as the sparse variant.
     */
    static Loss categoricalCrossentropy(boolean fromLogits) {
        return new Loss() {
            @Override
            public Tensor compute(Tensor outputs, int[] labels) {
                if (fromLogits || outputs.softmaxInput() != null) {
                    Tensor logits = fromLogits ? outputs : outputs.softmaxInput();
                    return LossOps.softmaxCrossEntropy(logits, labels);
                }
                int c = outputs.shape(-1);
                float[] oneHot = new float[labels.length * c];
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] < 0 || labels[i] >= c) {
                        throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected a class in [0, " + c + ")");
                    }
                    oneHot[i * c + labels[i]] = 1f;
                }
                return LossOps.categoricalCrossEntropy(outputs, Tensor.of(oneHot, labels.length, c));
            }

            @Override
            public String name() {
                return "categorical_crossentropy";
            }
        };
    }
}
