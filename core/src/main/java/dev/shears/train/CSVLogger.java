package dev.shears.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Streams each epoch's logs to a CSV file, Keras 3's {@code CSVLogger}: columns {@code epoch} (0-based) and
 * the log keys in sorted order, fixed at the first epoch; when those keys have no {@code val_} key, Keras
 * adds {@code val_<key>} for each (filled with {@code NA}) and so does this. Values as Python's
 * {@code repr}, lines ended with CRLF as Python's csv module. Without append the file is emptied at train
 * begin; with append the header is written only when the file is empty or missing. Each row is appended
 * and flushed at its epoch's end.
 *
 * <pre>{@code new CSVLogger(Path.of("training.csv"))  // or new CSVLogger(path, ";", true) to continue a log}</pre>
 * Put it after callbacks that add log entries (ReduceLROnPlateau's learning_rate) to have their columns.
 */
public final class CSVLogger implements Callback {
    private static final String LINE_END = "\r\n";

    private final Path file;
    private final String separator;
    private final boolean append;
    private List<String> keys;
    private boolean writeHeader;

    /** Keras's defaults: separator ",", a new file. */
    public CSVLogger(Path file) {
        this(file, ",", false);
    }

    /**
     * @param file      the log file
     * @param separator between cells (Keras's {@code separator}), not empty
     * @param append    continue an existing file instead of replacing it
     */
    public CSVLogger(Path file, String separator, boolean append) {
        this.file = java.util.Objects.requireNonNull(file, "file");
        if (separator == null || separator.isEmpty()) {
            throw new IllegalArgumentException("CSVLogger separator must not be empty");
        }
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        keys = null;
        try {
            if (append) {
                writeHeader = !Files.exists(file) || Files.size(file) == 0;
            } else {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.write(file, new byte[0]);
                writeHeader = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open CSV log " + file, e);
        }
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        if (keys == null) {
            keys = columns(logs);
        }
        if (writeHeader) {
            sb.append("epoch");
            for (String k : keys) {
                sb.append(separator).append(k);
            }
            sb.append(LINE_END);
            writeHeader = false;
        }
        sb.append(epoch);
        for (String k : keys) {
            Double v = logs.get(k);
            sb.append(separator).append(v == null ? "NA" : PythonFormat.repr(v));
        }
        sb.append(LINE_END);
        try {
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to CSV log " + file, e);
        }
    }

    /** Sorted keys, plus val_ twins when there are no val_ keys at all (Keras's rule). */
    private static List<String> columns(Map<String, Double> logs) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(logs.keySet()));
        if (sorted.stream().noneMatch(k -> k.startsWith("val_"))) {
            List<String> twins = new ArrayList<>();
            for (String k : sorted) {
                twins.add("val_" + k);
            }
            sorted.addAll(twins);
        }
        return sorted;
    }

    /** The log file. */
    public Path file() {
        return file;
    }
}
