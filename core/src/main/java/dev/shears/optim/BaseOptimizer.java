package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every Shears optimizer shares, after Keras's {@code BaseOptimizer}: the learning rate (a schedule
 * of the iteration count, or a settable float32 value kept in the slot {@value #LEARNING_RATE_SLOT} so that
 * checkpoints carry it, as Keras's optimizer variables do), gradient clipping, and the order of one step:
 * clip, read the rate at the current count, {@link #beforeUpdate}, update each parameter, count the step.
 */
abstract class BaseOptimizer extends SlotState {
    /** Slot holding a settable learning rate, float[1]. */
    static final String LEARNING_RATE_SLOT = Optimizer.LEARNING_RATE_SLOT;

    private final LearningRateSchedule schedule;
    private final float initialRate;
    private final GradientClipping clipping;

    /** A constant rate becomes a settable value; any other schedule drives the rate by itself. */
    BaseOptimizer(LearningRateSchedule learningRate, GradientClipping clipping) {
        if (learningRate instanceof LearningRateSchedule.Constant c) {
            this.schedule = null;
            this.initialRate = (float) c.value();
        } else {
            this.schedule = java.util.Objects.requireNonNull(learningRate, "learningRate");
            this.initialRate = Float.NaN;
        }
        this.clipping = java.util.Objects.requireNonNull(clipping, "clipping");
        if (schedule == null) {
            rateSlot();
        }
    }

    @Override
    public final void step(List<Parameter> params) {
        List<Parameter> active = new ArrayList<>(params.size());
        for (Parameter p : params) {
            if (p.value().hasGrad()) {
                active.add(p);
            }
        }
        float[][] grads = new float[active.size()][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = active.get(i).value().grad();
        }
        grads = clipping.apply(grads);
        float lr = (float) learningRate();
        beforeUpdate(active, lr);
        long t = nextIteration();
        for (int i = 0; i < grads.length; i++) {
            update(active.get(i), grads[i], lr, t);
        }
    }

    /** Work on all parameters before their updates, e.g. AdamW's weight decay; nothing by default. */
    void beforeUpdate(List<Parameter> params, float lr) {
    }

    /**
     * Updates one parameter from its (clipped) gradient.
     *
     * @param lr the learning rate of this step
     * @param t  this step's number, from 1 (Keras's {@code iterations + 1})
     */
    abstract void update(Parameter p, float[] grad, float lr, long t);

    /** Hyperparameters after the learning rate, as Keras names them. */
    abstract Map<String, Object> hyperparameters();

    @Override
    public final double learningRate() {
        return schedule != null ? schedule.at(iterations()) : rateSlot()[0];
    }

    @Override
    public final void setLearningRate(double lr) {
        if (schedule != null) {
            throw new IllegalStateException(name() + " was built with the schedule " + schedule.name()
                    + ", so its learning rate is not settable; build it with a number to set it later");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        rateSlot()[0] = (float) lr;
    }

    /** The gradient clipping. */
    public final GradientClipping clipping() {
        return clipping;
    }

    /**
     * Keras's config: {@code learning_rate} (the current value, or the schedule as {class_name, config}),
     * the optimizer's own hyperparameters, then {@code clipnorm, global_clipnorm, clipvalue}.
     */
    @Override
    public final Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("learning_rate", schedule != null ? schedule.toConfig() : learningRate());
        c.putAll(hyperparameters());
        clipping.addConfig(c);
        return c;
    }

    /** The settable rate; restored with the other slots, or the initial rate if a restore lacked it. */
    private float[] rateSlot() {
        return slots().computeIfAbsent(LEARNING_RATE_SLOT, k -> new float[] {initialRate});
    }
}
