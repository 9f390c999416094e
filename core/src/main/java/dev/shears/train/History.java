package dev.shears.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-epoch metrics of a training run, like Keras's {@code History.history}: for each key (loss,
 * accuracy, val_loss, val_accuracy, seconds) one value per epoch. Callbacks may add named event records
 * (e.g. every pruning mask update) with {@link #addRecord}.
 */
public final class History {
    /** Record kind of an epoch with a NaN or infinite val_loss: {@code epoch} (0-based) and {@code val_loss} as text. */
    public static final String NON_FINITE_VALIDATION = "non_finite_validation";

    private final Map<String, List<Double>> metrics = new LinkedHashMap<>();
    private final Map<String, List<Map<String, Object>>> records = new LinkedHashMap<>();

    /** Appends one epoch's logs. */
    public void addEpoch(Map<String, Double> logs) {
        logs.forEach((k, v) -> metrics.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    /** Values of one metric, one per epoch; empty if never logged. */
    public List<Double> get(String key) {
        return Collections.unmodifiableList(metrics.getOrDefault(key, List.of()));
    }

    /** The last value of a metric. */
    public double last(String key) {
        List<Double> v = metrics.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("no values recorded for '" + key + "'");
        }
        return v.get(v.size() - 1);
    }

    /** All metrics; unmodifiable view. */
    public Map<String, List<Double>> metrics() {
        return Collections.unmodifiableMap(metrics);
    }

    /** Number of epochs recorded. */
    public int epochs() {
        return metrics.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /** Adds an event record under {@code kind}. */
    public void addRecord(String kind, Map<String, Object> record) {
        records.computeIfAbsent(kind, k -> new ArrayList<>()).add(Collections.unmodifiableMap(new LinkedHashMap<>(record)));
    }

    /**
     * Epochs (0-based) whose validation loss was NaN or infinite, from the {@value #NON_FINITE_VALIDATION}
     * records {@link Trainer#fit} adds; training goes on after such an epoch (a warning is printed).
     */
    public List<Integer> nonFiniteValidationEpochs() {
        List<Integer> out = new ArrayList<>();
        for (Map<String, Object> r : records(NON_FINITE_VALIDATION)) {
            out.add(((Number) r.get("epoch")).intValue());
        }
        return out;
    }

    /**
     * Refills an empty History with saved metrics and records ({@link BackupAndRestore}).
     *
     * @throws IllegalStateException if this History already holds something
     */
    void restore(Map<String, List<Double>> savedMetrics, Map<String, List<Map<String, Object>>> savedRecords) {
        if (!metrics.isEmpty() || !records.isEmpty()) {
            throw new IllegalStateException("a History can only be restored while empty");
        }
        savedMetrics.forEach((k, v) -> metrics.put(k, new ArrayList<>(v)));
        savedRecords.forEach((k, v) -> v.forEach(r -> addRecord(k, r)));
    }

    /** All records by kind; unmodifiable view. */
    Map<String, List<Map<String, Object>>> allRecords() {
        return Collections.unmodifiableMap(records);
    }

    /** The records of one kind, in order; empty if none. */
    public List<Map<String, Object>> records(String kind) {
        return Collections.unmodifiableList(records.getOrDefault(kind, List.of()));
    }
}
