package dev.shears.optim;

/** Argument checks shared by the learning-rate schedules. */
final class ScheduleChecks {
    private ScheduleChecks() {
    }

    /** A learning rate a schedule may start from or reach: finite and >= 0 (Keras allows warming up from 0). */
    static void rate(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + value);
        }
    }
}
