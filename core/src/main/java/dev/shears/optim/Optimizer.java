package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. State (moments, velocities, and a settable learning rate) is
 * kept in named arrays, so it can be saved with {@link #slots()} and restored with {@link #restore} to
 * resume training exactly.
 *
 * <p>Each step, as Keras's {@code apply_gradients}: gradients are clipped (if the optimizer was configured
 * so), the learning rate is read at the current iteration count, the parameters are updated, and the
 * count goes up by one.
 *
 * <pre>{@code optimizer.step(model.parameters()); // then zero the gradients}</pre>
 */
public interface Optimizer {
    /** Name of the one slot not tied to a parameter: a settable learning rate, float[1]. */
    String LEARNING_RATE_SLOT = "learning_rate";

    /** Applies one update to every parameter from its current gradient. */
    void step(List<Parameter> params);

    /** Number of steps taken so far. */
    long iterations();

    /** Named state arrays, e.g. {@code conv2d/kernel/m}; live arrays. */
    Map<String, float[]> slots();

    /** Restores the step count and state arrays saved from an optimizer of the same kind. */
    void restore(long iterations, Map<String, float[]> slots);

    /**
     * The learning rate the next step uses (Keras's {@code optimizer.learning_rate}): the schedule at
     * {@link #iterations()}, or the value last set.
     */
    double learningRate();

    /**
     * Sets the learning rate (Keras's {@code optimizer.learning_rate = lr}), as callbacks such as
     * ReduceLROnPlateau do. The rate is held in float32, as Keras holds it in a float32 variable.
     *
     * @throws IllegalStateException    if the optimizer was built with a {@link LearningRateSchedule}
     * @throws IllegalArgumentException if lr is negative or not finite
     */
    void setLearningRate(double lr);

    /** Keras name, e.g. "Adam". */
    String name();

    /** Hyperparameters as Keras names them. */
    Map<String, Object> config();
}
