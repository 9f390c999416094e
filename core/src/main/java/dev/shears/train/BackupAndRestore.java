package dev.shears.train;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Keras 3's {@code BackupAndRestore}: makes a fit that was killed (even with {@code kill -9}) resumable. At
 * each epoch's end it writes one file, {@value #FILE_NAME} in the backup directory, atomically (a temporary
 * file, flushed, then renamed over the old one, so the directory always holds one complete backup): the model
 * in the {@link CheckpointFormat} it needs (weights, the training step that seeds dropout, pruning masks,
 * thresholds and steps for a wrapped model), the optimizer's state (moments, step count, learning rate), the
 * History so far and the position (epochs done, steps per epoch, batch size, training set size). When a fit
 * starts and the file exists, everything is put back and the fit continues with the next epoch, whatever
 * {@code initialEpoch} says; as the shuffle order is a function of (seed, epoch), the resumed run then
 * computes exactly what the uninterrupted one would have (same thread count), bit for bit. After a fit
 * that ends normally the backup is deleted (Keras's {@code delete_checkpoint=True}); with
 * {@code deleteCheckpoint} false it is kept and marked finished, and a later fit restores the final state
 * and runs no epoch (so a pipeline of several fits can be resumed as a whole).
 *
 * <p>The Trainer restores from it before any other callback's {@code onTrainBegin} and lets it save after
 * all other callbacks' {@code onEpochEnd}, so changes they make (a new learning rate) are in the backup;
 * its place in the callback list does not matter. Not saved: other callbacks' own counters (EarlyStopping's
 * wait, ReduceLROnPlateau's best), as in Keras. A fit that throws keeps its backup.
 *
 * <pre>{@code trainer.fit(train, FitOptions.defaults().withEpochs(10).withCallback(new BackupAndRestore(Path.of("backup"))));}</pre>
 */
public final class BackupAndRestore implements Callback {
    /** The backup file inside the directory. */
    public static final String FILE_NAME = "backup.safetensors";
    /** Metadata key of the position: {@code {"format_version", "next_epoch", "epochs", ...}}. */
    static final String METADATA_KEY = "backup";
    private static final long FORMAT_VERSION = 1;

    private final Path dir;
    private final boolean deleteCheckpoint;
    private int resumedAt = -1;
    private int nextEpoch;

    /** Backs up into {@code dir} (created when needed) and deletes the backup after a successful fit. */
    public BackupAndRestore(Path dir) {
        this(dir, true);
    }

    /**
     * @param dir              the backup directory, created when needed
     * @param deleteCheckpoint delete the backup after a fit that ends normally (Keras's default), or keep it
     *                         marked finished
     */
    public BackupAndRestore(Path dir, boolean deleteCheckpoint) {
        this.dir = java.util.Objects.requireNonNull(dir, "dir");
        this.deleteCheckpoint = deleteCheckpoint;
    }

    /** The backup file. */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /**
     * The epoch (0-based) the last fit started at after restoring a backup ({@code epochs} if the backup
     * held a finished run), or -1 if it found none.
     */
    public int resumedAt() {
        return resumedAt;
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        resumedAt = -1;
        nextEpoch = ctx.initialEpoch();
        try {
            removeTempFiles();
            if (Files.exists(file())) {
                restore(ctx);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore cannot restore from " + file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        nextEpoch = epoch + 1;
        // History.addEpoch runs after the callbacks, so this epoch's logs go in beside it
        save(ctx, logs, false);
    }

    @Override
    public void onTrainEnd(TrainingContext ctx) {
        if (!deleteCheckpoint) {
            save(ctx, null, true);
            return;
        }
        try {
            Files.deleteIfExists(file());
            removeTempFiles();
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // the directory holds the user's own files too: leave it
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore cannot delete " + file(), e);
        }
    }

    private void save(TrainingContext ctx, Map<String, Double> pendingLogs, boolean finished) {
        Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        HistoryEntries.addTo(ctx.history(), pendingLogs, tensors, meta);
        Map<String, Object> position = new LinkedHashMap<>();
        position.put("format_version", FORMAT_VERSION);
        position.put("next_epoch", nextEpoch);
        position.put("epochs", ctx.epochs());
        position.put("steps_per_epoch", ctx.stepsPerEpoch());
        position.put("batch_size", ctx.batchSize());
        position.put("train_size", ctx.trainSize());
        position.put("finished", finished);
        meta.put(METADATA_KEY, Json.write(position));
        try {
            Files.createDirectories(dir);
            CheckpointFormat.of(ctx.model()).save(ctx.model(), ctx.optimizer(), file(), tensors, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore cannot write " + file() + ": " + e.getMessage(), e);
        }
    }

    /** Checks the saved position against this fit, then restores model, optimizer and History, and moves the start. */
    private void restore(TrainingContext ctx) throws IOException {
        Path file = file();
        Safetensors.Contents c = ModelFiles.read(file);
        Map<?, ?> position = position(file, c);
        int saved = intField(file, position, "next_epoch");
        boolean finished = Boolean.TRUE.equals(position.get("finished"));
        requireSame(file, position, "train_size", ctx.trainSize(), "training examples");
        requireSame(file, position, "batch_size", ctx.batchSize(), "examples per batch");
        requireSame(file, position, "steps_per_epoch", ctx.stepsPerEpoch(), "steps per epoch");
        if (saved < 0 || saved > ctx.epochs()) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY + ".next_epoch", "the backup has "
                    + saved + " epochs done, but this fit runs " + ctx.epochs() + "; " + startOver());
        }
        CheckpointFormat.of(ctx.model()).restore(ctx.model(), ctx.optimizer(), file);
        HistoryEntries.restore(ctx.history(), file, c);
        int start = finished ? ctx.epochs() : saved;
        ctx.resumeAt(start);
        resumedAt = start;
        nextEpoch = saved;
    }

    private static Map<?, ?> position(Path file, Safetensors.Contents c) throws ModelFormatException {
        String text = c.metadata().get(METADATA_KEY);
        try {
            if (text != null && Json.parse(text) instanceof Map<?, ?> m && Long.valueOf(FORMAT_VERSION).equals(m.get("format_version"))) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY, e.getMessage(), e);
        }
        throw new ModelFormatException(file, "__metadata__." + METADATA_KEY, text == null ? "missing; not a backup"
                : "expected an object with format_version " + FORMAT_VERSION);
    }

    private static int intField(Path file, Map<?, ?> position, String key) throws ModelFormatException {
        if (!(position.get(key) instanceof Long v) || v != v.intValue()) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY + "." + key, "expected an integer, got "
                    + position.get(key));
        }
        return v.intValue();
    }

    private void requireSame(Path file, Map<?, ?> position, String key, int now, String what) throws ModelFormatException {
        int saved = intField(file, position, key);
        if (saved != now) {
            throw new ModelFormatException(file, "__metadata__." + METADATA_KEY + "." + key, "the backup was made with "
                    + saved + " " + what + ", this fit has " + now + "; resume with the same data and batch size, or "
                    + startOver());
        }
    }

    private String startOver() {
        return "delete " + file() + " to start over";
    }

    /** Temporary files of a backup write that a kill interrupted ({@code AtomicFiles} names them so). */
    private void removeTempFiles() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("." + FILE_NAME + ".") && n.endsWith(".tmp");
            }).toList();
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }
}
