package dev.shears.train;

import java.util.Map;
import java.util.TreeSet;

/**
 * The comparison shared by the monitoring callbacks, Keras's {@code MonitorCallback}: a value improves on
 * a reference when {@code value + |minDelta| < reference} (min mode) or {@code value - |minDelta| > reference}
 * (max mode); anything improves on no reference.
 */
final class Monitor {
    private final String key;
    private final boolean lowerIsBetter;
    private final double minDelta;

    /** @throws IllegalArgumentException if AUTO cannot tell the direction of {@code key}, or minDelta is NaN */
    Monitor(String callback, String key, MonitorMode mode, double minDelta) {
        this.key = java.util.Objects.requireNonNull(key, "monitor");
        this.lowerIsBetter = switch (java.util.Objects.requireNonNull(mode, "mode")) {
            case MIN -> true;
            case MAX -> false;
            case AUTO -> switch (key.startsWith("val_") ? key.substring(4) : key) {
                case "loss" -> true;
                case "accuracy" -> false;
                default -> throw new IllegalArgumentException(callback + " cannot tell whether '" + key
                        + "' should be minimized or maximized; pass MonitorMode.MIN or MonitorMode.MAX");
            };
        };
        if (Double.isNaN(minDelta)) {
            throw new IllegalArgumentException(callback + " minDelta must be a number, got NaN");
        }
        this.minDelta = Math.abs(minDelta);
    }

    /** Whether {@code value} improves on {@code reference}; true when there is no reference (null). */
    boolean improves(double value, Double reference) {
        if (reference == null) {
            return true;
        }
        return lowerIsBetter ? value + minDelta < reference : value - minDelta > reference;
    }

    /**
     * The monitored value in an epoch's logs.
     *
     * @throws IllegalStateException naming the available keys when it is missing (Keras only warns; a
     *                               callback that silently never acts is the worse failure)
     */
    double value(Map<String, Double> logs, String callback) {
        Double v = logs.get(key);
        if (v == null) {
            throw new IllegalStateException(callback + " monitors '" + key + "' but the epoch logs only have "
                    + new TreeSet<>(logs.keySet()) + (key.startsWith("val_")
                    ? "; pass validation data or a validation split to fit" : ""));
        }
        return v;
    }

    /** The monitored key. */
    String key() {
        return key;
    }
}
