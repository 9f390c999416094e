package dev.shears.train;

import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * Sets the optimizer's learning rate at the start of each epoch from a function of the epoch index
 * (0-based, absolute when resuming) and the current rate, Keras 3's {@code LearningRateScheduler}; logs the
 * rate as {@code learning_rate} at each epoch end. For a rate that changes every step, give the optimizer a
 * {@link dev.shears.optim.LearningRateSchedule} instead.
 *
 * <pre>{@code new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1))}</pre>
 * The optimizer's rate must be settable ({@link dev.shears.optim.Optimizer#setLearningRate}).
 */
public final class LearningRateScheduler implements Callback {
    /** Keras's {@code schedule(epoch, lr)}. */
    @FunctionalInterface
    public interface Schedule {
        /** The rate for epoch {@code epoch} given the rate the optimizer has now. */
        double learningRate(int epoch, double currentLearningRate);
    }

    private final Schedule schedule;

    /** With Keras's two-argument schedule. */
    public LearningRateScheduler(Schedule schedule) {
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    }

    /** With a schedule of the epoch only (Keras's older one-argument form). */
    public LearningRateScheduler(IntToDoubleFunction schedule) {
        java.util.Objects.requireNonNull(schedule, "schedule");
        this.schedule = (epoch, lr) -> schedule.applyAsDouble(epoch);
    }

    @Override
    public void onEpochBegin(TrainingContext ctx, int epoch) {
        ctx.optimizer().setLearningRate(schedule.learningRate(epoch, ctx.optimizer().learningRate()));
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", ctx.optimizer().learningRate());
    }
}
