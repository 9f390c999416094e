package dev.shears.prune;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shared validation with tfmot's rules and messages that name the bad value. */
final class ScheduleChecks {
    private ScheduleChecks() {
    }

    static void sparsity(String name, double s) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + s);
        }
    }

    static void steps(long begin, long end, long frequency, boolean allowEndless) {
        if (begin < 0) {
            throw new IllegalArgumentException("begin_step must be >= 0, got " + begin);
        }
        if (end == -1 && !allowEndless) {
            throw new IllegalArgumentException("end_step must be >= begin_step for this schedule; -1 (endless) is not allowed");
        }
        if (end != -1 && end < begin) {
            throw new IllegalArgumentException("end_step must be -1 or >= begin_step " + begin + ", got " + end);
        }
        if (frequency <= 0) {
            throw new IllegalArgumentException("frequency must be > 0, got " + frequency);
        }
    }

    static Map<String, Object> config(String className, Object... keyValues) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put((String) keyValues[i], keyValues[i + 1]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", className);
        m.put("config", c);
        return m;
    }
}
