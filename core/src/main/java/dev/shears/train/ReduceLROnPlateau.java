package dev.shears.train;

import java.util.Map;

/**
 * Lowers the optimizer's learning rate when a monitored quantity stops improving, Keras 3's
 * {@code ReduceLROnPlateau}. At each epoch end it first logs the epoch's rate as {@code learning_rate};
 * then, during a cooldown the wait count stays 0; an improvement (by more than minDelta, see
 * {@link MonitorMode}) resets it; otherwise, outside a cooldown, it goes up, and at {@code patience} the
 * rate becomes {@code max(lr · factor, minLr)} (when lr is still above minLr, compared in float32), the
 * wait resets and a cooldown of {@code cooldown} epochs starts.
 *
 * <pre>{@code new ReduceLROnPlateau(ReduceLROnPlateau.Options.defaults().withFactor(0.5).withPatience(2))}</pre>
 * The optimizer's rate must be settable ({@link dev.shears.optim.Optimizer#setLearningRate}).
 */
public final class ReduceLROnPlateau implements Callback {
    private final Options options;
    private final Monitor monitor;
    private Double best;
    private int wait;
    private int cooldownCounter;

    /**
     * ReduceLROnPlateau's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param monitor  the logs key to watch, e.g. "val_loss"
     * @param factor   new rate = rate · factor, in (0, 1)
     * @param patience epochs without improvement before lowering the rate, >= 0
     * @param mode     whether the quantity should go down or up
     * @param minDelta the smallest change that counts as an improvement (its absolute value is used)
     * @param cooldown epochs to wait after a reduction before counting again, >= 0
     * @param minLr    the rate is not lowered below this, >= 0
     */
    public record Options(String monitor, double factor, int patience, MonitorMode mode, double minDelta, int cooldown,
                          double minLr) {
        /** @throws IllegalArgumentException for a factor outside (0, 1), negative counts or minLr, or a bad monitor */
        public Options {
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("ReduceLROnPlateau factor must be in (0, 1), got " + factor);
            }
            if (patience < 0 || cooldown < 0) {
                throw new IllegalArgumentException("ReduceLROnPlateau patience and cooldown must be >= 0, got "
                        + patience + " and " + cooldown);
            }
            if (!(minLr >= 0) || Double.isInfinite(minLr)) {
                throw new IllegalArgumentException("ReduceLROnPlateau minLr must be finite and >= 0, got " + minLr);
            }
            new Monitor("ReduceLROnPlateau", monitor, mode, minDelta); // checks monitor, mode and minDelta now
        }

        /** Keras's defaults: val_loss, factor 0.1, patience 10, AUTO, minDelta 1e-4, cooldown 0, minLr 0. */
        public static Options defaults() {
            return new Options("val_loss", 0.1, 10, MonitorMode.AUTO, 1e-4, 0, 0.0);
        }

        public Options withMonitor(String monitor) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withFactor(double factor) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withPatience(int patience) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withMode(MonitorMode mode) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withMinDelta(double minDelta) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withCooldown(int cooldown) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }

        public Options withMinLr(double minLr) {
            return new Options(monitor, factor, patience, mode, minDelta, cooldown, minLr);
        }
    }

    /** Keras's defaults. */
    public ReduceLROnPlateau() {
        this(Options.defaults());
    }

    /** With these settings. */
    public ReduceLROnPlateau(Options options) {
        this.options = options;
        this.monitor = new Monitor("ReduceLROnPlateau", options.monitor(), options.mode(), options.minDelta());
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        best = null;
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", ctx.optimizer().learningRate());
        double current = monitor.value(logs, "ReduceLROnPlateau");
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (monitor.improves(current, best)) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= options.patience() && reduce(ctx)) {
                cooldownCounter = options.cooldown();
                wait = 0;
            }
        }
    }

    /** Lowers the rate unless it is already at minLr (compared in float32, as Keras's float32 variable). */
    private boolean reduce(TrainingContext ctx) {
        double old = ctx.optimizer().learningRate();
        if (!(old > (float) options.minLr())) {
            return false;
        }
        ctx.optimizer().setLearningRate(Math.max(old * options.factor(), options.minLr()));
        return true;
    }

    /** The settings. */
    public Options options() {
        return options;
    }
}
