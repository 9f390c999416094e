package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. State (moments, velocities) is kept per parameter name, so
 * it can be saved with {@link #slots()} and restored with {@link #restore} to resume training exactly.
 *
 * <pre>{@code optimizer.step(model.parameters()); // then zero the gradients}</pre>
 */
public interface Optimizer {
    /** Applies one update to every parameter from its current gradient. */
    void step(List<Parameter> params);

    /** Number of steps taken so far. */
    long iterations();

    /** Named state arrays, e.g. {@code conv2d/kernel/m}; live arrays. */
    Map<String, float[]> slots();

    /** Restores the step count and state arrays saved from an optimizer of the same kind. */
    void restore(long iterations, Map<String, float[]> slots);

    /** Keras name, e.g. "Adam". */
    String name();

    /** Hyperparameters as Keras names them. */
    Map<String, Object> config();
}
