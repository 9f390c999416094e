package dev.shears.train;

import dev.shears.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Stops training when a monitored quantity stops improving, Keras 3's {@code EarlyStopping}. At each epoch
 * end from {@code startFromEpoch} on: the wait count goes up; an improvement on the best value so far
 * (see {@link MonitorMode}, by more than minDelta) records the new best and resets the wait, unless a
 * baseline is set and not beaten; otherwise, once {@code wait >= patience} and the epoch is not the first,
 * training stops. With {@code restoreBestWeights}, the weights of the best epoch (the first monitored epoch
 * until something improves) are put back at the end of training, whether it stopped early or not, as in
 * Keras 3.
 *
 * <pre>{@code new EarlyStopping(EarlyStopping.Options.defaults().withPatience(3).withRestoreBestWeights(true))}</pre>
 */
public final class EarlyStopping implements Callback {
    private final Options options;
    private final Monitor monitor;
    private int wait;
    private int stoppedEpoch;
    private int bestEpoch;
    private Double best;
    private float[][] bestWeights;

    /**
     * EarlyStopping's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param monitor            the logs key to watch, e.g. "val_loss"
     * @param minDelta           the smallest change that counts as an improvement (its absolute value is used)
     * @param patience           epochs without improvement before stopping, >= 0
     * @param mode               whether the quantity should go down or up
     * @param baseline           a value to beat before the wait resets, or empty
     * @param restoreBestWeights put the best epoch's weights back at the end of training
     * @param startFromEpoch     epochs (0-based index) before this one are not monitored, >= 0
     */
    public record Options(String monitor, double minDelta, int patience, MonitorMode mode, OptionalDouble baseline,
                          boolean restoreBestWeights, int startFromEpoch) {
        /** @throws IllegalArgumentException for negative patience or startFromEpoch, or a mode AUTO cannot infer */
        public Options {
            if (patience < 0) {
                throw new IllegalArgumentException("EarlyStopping patience must be >= 0, got " + patience);
            }
            if (startFromEpoch < 0) {
                throw new IllegalArgumentException("EarlyStopping startFromEpoch must be >= 0, got " + startFromEpoch);
            }
            java.util.Objects.requireNonNull(baseline, "baseline");
            new Monitor("EarlyStopping", monitor, mode, minDelta); // checks monitor, mode and minDelta now
        }

        /** Keras's defaults: val_loss, minDelta 0, patience 0, AUTO, no baseline, no restore, from epoch 0. */
        public static Options defaults() {
            return new Options("val_loss", 0, 0, MonitorMode.AUTO, OptionalDouble.empty(), false, 0);
        }

        public Options withMonitor(String monitor) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }

        public Options withMinDelta(double minDelta) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }

        public Options withPatience(int patience) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }

        public Options withMode(MonitorMode mode) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }

        public Options withBaseline(double baseline) {
            return new Options(monitor, minDelta, patience, mode, OptionalDouble.of(baseline), restoreBestWeights,
                    startFromEpoch);
        }

        public Options withRestoreBestWeights(boolean restoreBestWeights) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }

        public Options withStartFromEpoch(int startFromEpoch) {
            return new Options(monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch);
        }
    }

    /** Keras's defaults. */
    public EarlyStopping() {
        this(Options.defaults());
    }

    /** Early stopping with these settings. */
    public EarlyStopping(Options options) {
        this.options = options;
        this.monitor = new Monitor("EarlyStopping", options.monitor(), options.mode(), options.minDelta());
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        // Reset, so one instance can serve several fit calls, as in Keras.
        wait = 0;
        stoppedEpoch = 0;
        bestEpoch = 0;
        best = null;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        if (epoch < options.startFromEpoch()) {
            return;
        }
        double current = monitor.value(logs, "EarlyStopping");
        if (options.restoreBestWeights() && bestWeights == null) {
            bestWeights = copyWeights(ctx.model().parameters());
            bestEpoch = epoch;
        }
        wait++;
        if (monitor.improves(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (options.restoreBestWeights()) {
                bestWeights = copyWeights(ctx.model().parameters());
            }
            if (options.baseline().isEmpty() || monitor.improves(current, options.baseline().getAsDouble())) {
                wait = 0;
            }
            return;
        }
        if (wait >= options.patience() && epoch > 0) {
            stoppedEpoch = epoch;
            ctx.requestStop();
        }
    }

    @Override
    public void onTrainEnd(TrainingContext ctx) {
        if (options.restoreBestWeights() && bestWeights != null) {
            List<Parameter> params = ctx.model().parameters();
            for (int i = 0; i < params.size(); i++) {
                System.arraycopy(bestWeights[i], 0, params.get(i).data(), 0, bestWeights[i].length);
            }
        }
    }

    private static float[][] copyWeights(List<Parameter> params) {
        float[][] out = new float[params.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = params.get(i).data().clone();
        }
        return out;
    }

    /** The epoch (0-based) in which training was stopped, or 0 if it was not (Keras's stopped_epoch). */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (0-based) of the best monitored value (Keras's best_epoch). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value, if any epoch was monitored. */
    public OptionalDouble best() {
        return best == null ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    /** The settings. */
    public Options options() {
        return options;
    }
}
