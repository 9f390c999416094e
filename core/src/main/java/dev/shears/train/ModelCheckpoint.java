package dev.shears.train;

import dev.shears.io.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Saves the model at each epoch end, Keras 3's {@code ModelCheckpoint} with {@code save_freq="epoch"}: a
 * Shears safetensors model file ({@link ModelFiles#save}, written atomically, loadable with
 * {@link ModelFiles#load}). The path may hold Python-style placeholders as in Keras: {@code {epoch}} (1-based,
 * e.g. {@code {epoch:02d}}) and any log key ({@code {val_loss:.4f}}). With {@code saveBestOnly}, a file is
 * written only when the monitored value improves on the best so far (or on the initial threshold), see
 * {@link MonitorMode}; the best is kept across fit calls, as in Keras.
 *
 * <pre>{@code new ModelCheckpoint(Path.of("ckpt/model_{epoch:02d}.safetensors"),
 *         ModelCheckpoint.Options.defaults().withSaveBestOnly(true))}</pre>
 * The optimizer's state is not saved; to resume a killed run, use {@link BackupAndRestore}.
 */
public final class ModelCheckpoint implements Callback {
    private final String pathTemplate;
    private final Options options;
    private final Monitor monitor;
    private Double best;

    /**
     * ModelCheckpoint's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param monitor               the logs key compared with saveBestOnly, e.g. "val_loss"
     * @param saveBestOnly          save only on improvement
     * @param mode                  whether the quantity should go down or up
     * @param initialValueThreshold the value the first save must beat, or empty
     */
    public record Options(String monitor, boolean saveBestOnly, MonitorMode mode, OptionalDouble initialValueThreshold) {
        /** @throws IllegalArgumentException if mode AUTO cannot tell the direction of the monitor */
        public Options {
            java.util.Objects.requireNonNull(initialValueThreshold, "initialValueThreshold");
            new Monitor("ModelCheckpoint", monitor, mode, 0); // checks monitor and mode now
        }

        /** Keras's defaults: val_loss, save every epoch, AUTO, no threshold. */
        public static Options defaults() {
            return new Options("val_loss", false, MonitorMode.AUTO, OptionalDouble.empty());
        }

        public Options withMonitor(String monitor) {
            return new Options(monitor, saveBestOnly, mode, initialValueThreshold);
        }

        public Options withSaveBestOnly(boolean saveBestOnly) {
            return new Options(monitor, saveBestOnly, mode, initialValueThreshold);
        }

        public Options withMode(MonitorMode mode) {
            return new Options(monitor, saveBestOnly, mode, initialValueThreshold);
        }

        public Options withInitialValueThreshold(double threshold) {
            return new Options(monitor, saveBestOnly, mode, OptionalDouble.of(threshold));
        }
    }

    /** Saves after every epoch to {@code path} (placeholders allowed). */
    public ModelCheckpoint(Path path) {
        this(path, Options.defaults());
    }

    /** Saves to {@code path} (placeholders allowed) with these settings. */
    public ModelCheckpoint(Path path, Options options) {
        this.pathTemplate = path.toString();
        this.options = options;
        this.monitor = new Monitor("ModelCheckpoint", options.monitor(), options.mode(), 0);
        this.best = options.initialValueThreshold().isPresent() ? options.initialValueThreshold().getAsDouble() : null;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        if (options.saveBestOnly()) {
            double current = monitor.value(logs, "ModelCheckpoint");
            if (!monitor.improves(current, best)) {
                return;
            }
            best = current;
        }
        Path file = pathFor(epoch, logs);
        try {
            ModelFiles.save(ctx.model(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint cannot write " + file, e);
        }
    }

    /** The file of {@code epoch} (0-based) with these logs: the template with Keras's 1-based {@code {epoch}}. */
    public Path pathFor(int epoch, Map<String, Double> logs) {
        Map<String, Number> values = new LinkedHashMap<>(logs);
        values.put("epoch", epoch + 1);
        return Path.of(PythonFormat.format(pathTemplate, values));
    }

    /** The best monitored value saved so far (saveBestOnly), or the threshold, if any. */
    public OptionalDouble best() {
        return best == null ? OptionalDouble.empty() : OptionalDouble.of(best);
    }
}
