package dev.shears.train;

/**
 * Result of {@link Trainer#evaluate}: mean loss and accuracy over a data set.
 *
 * @param loss     mean loss per example, plus the model's weight penalties (as Keras reports it)
 * @param accuracy fraction of examples whose arg-max output equals the label
 * @param count    number of examples
 */
public record Evaluation(double loss, double accuracy, int count) {
}
