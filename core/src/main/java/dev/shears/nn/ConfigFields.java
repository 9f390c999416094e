package dev.shears.nn;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Strict readers for the fields of a JSON-like config ({@link ModelConfig}, pruning configs): a field is
 * missing, null, of the wrong type, not an exact integer (1.5, 1e300) or out of its documented range, and
 * the {@link IllegalArgumentException} names it by its path ({@code layers[2] (Conv2D).filters}) and says
 * what was expected. Integers may arrive as {@code Long} (parsed JSON), {@code Integer} (configs built in
 * code) or as a {@code Double} that is an exact integer.
 *
 * <pre>{@code int filters = ConfigFields.intField(c, "filters", 1, ModelConfig.MAX_UNITS, at);}</pre>
 */
public final class ConfigFields {
    private ConfigFields() {
    }

    /** The value at {@code key}, which must be present and not null. */
    public static Object required(Map<?, ?> c, String key, String where) {
        Object v = c.get(key);
        if (v == null) {
            throw bad(where, key, c.containsKey(key) ? "is null" : "is missing");
        }
        return v;
    }

    /** An integer field in [min, max]. */
    public static int intField(Map<?, ?> c, String key, int min, int max, String where) {
        return (int) longField(c, key, min, max, where);
    }

    /** A long integer field in [min, max]. */
    public static long longField(Map<?, ?> c, String key, long min, long max, String where) {
        return exactLong(required(c, key, where), min, max, path(where, key));
    }

    /** A finite number field in [min, max]. */
    public static double doubleField(Map<?, ?> c, String key, double min, double max, String where) {
        Object v = required(c, key, where);
        if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            throw bad(where, key, "must be a number in [" + min + ", " + max + "], got " + describe(v));
        }
        return n.doubleValue();
    }

    /** A string field. */
    public static String stringField(Map<?, ?> c, String key, String where) {
        if (!(required(c, key, where) instanceof String s)) {
            throw bad(where, key, "must be a string, got " + describe(c.get(key)));
        }
        return s;
    }

    /** A boolean field. */
    public static boolean booleanField(Map<?, ?> c, String key, String where) {
        if (!(required(c, key, where) instanceof Boolean b)) {
            throw bad(where, key, "must be true or false, got " + describe(c.get(key)));
        }
        return b;
    }

    /** An object field. */
    public static Map<?, ?> objectField(Map<?, ?> c, String key, String where) {
        if (!(required(c, key, where) instanceof Map<?, ?> m)) {
            throw bad(where, key, "must be an object, got " + describe(c.get(key)));
        }
        return m;
    }

    /** A list field. */
    public static List<?> listField(Map<?, ?> c, String key, String where) {
        if (!(required(c, key, where) instanceof List<?> l)) {
            throw bad(where, key, "must be a list, got " + describe(c.get(key)));
        }
        return l;
    }

    /** A pair of integers in [min, max], e.g. kernel_size [3, 3]; exactly two, no more, no fewer. */
    public static int[] pair(Map<?, ?> c, String key, int min, int max, String where) {
        return ints(required(c, key, where), 2, 2, min, max, path(where, key));
    }

    /** Keras's [[top, bottom], [left, right]]: exactly two lists of exactly two integers in [min, max]. */
    public static int[] pairOfPairs(Map<?, ?> c, String key, int min, int max, String where) {
        Object v = required(c, key, where);
        String what = path(where, key);
        if (!(v instanceof List<?> outer) || outer.size() != 2) {
            throw new IllegalArgumentException("field " + what + " must be [[top, bottom], [left, right]] (two lists of two "
                    + "integers), got " + describe(v));
        }
        int[] out = new int[4];
        for (int i = 0; i < 2; i++) {
            int[] p = ints(outer.get(i), 2, 2, min, max, what + "[" + i + "]");
            out[2 * i] = p[0];
            out[2 * i + 1] = p[1];
        }
        return out;
    }

    /**
     * A list (or {@code int[]}, as configs built in code hold) of {@code minLength..maxLength} integers in
     * [min, max]; {@code what} names the field.
     */
    public static int[] ints(Object v, int minLength, int maxLength, int min, int max, String what) {
        String expected = (minLength == maxLength ? "exactly " + minLength : minLength + " to " + maxLength)
                + " integers in [" + min + ", " + max + "]";
        if (v instanceof int[] a) {
            v = java.util.Arrays.stream(a).boxed().toList();
        }
        if (!(v instanceof List<?> list) || list.size() < minLength || list.size() > maxLength) {
            throw new IllegalArgumentException("field " + what + " must be a list of " + expected + ", got " + describe(v));
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) exactLong(list.get(i), min, max, what + "[" + i + "]");
        }
        return out;
    }

    /** A name field parsed by {@code parse} (which throws IllegalArgumentException for unknown names). */
    public static <E> E named(Map<?, ?> c, String key, Function<String, E> parse, String where) {
        String s = stringField(c, key, where);
        try {
            return parse.apply(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + path(where, key) + ": " + e.getMessage(), e);
        }
    }

    /** The "activation" field: one of {@link Activation}'s Keras names ("swish" for silu). */
    public static Activation activation(Map<?, ?> c, String where) {
        return named(c, "activation", Activation::fromKerasName, where);
    }

    /** The "kernel_initializer" field. */
    public static Initializer initializer(Map<?, ?> c, String where) {
        return named(c, "kernel_initializer", Initializer::fromKerasName, where);
    }

    /**
     * The optional "kernel_regularizer" field: absent or null for none, else {@link Regularizer#toConfig}'s form
     * (Keras's {@code {"class_name": "L2", "config": {"l2": 0.01}}}), read strictly.
     */
    public static Regularizer regularizer(Map<?, ?> c, String where) {
        if (c.get("kernel_regularizer") == null) {
            return null;
        }
        return Regularizer.fromConfig(objectField(c, "kernel_regularizer", where), path(where, "kernel_regularizer"));
    }

    /** The "padding" field of a convolution: "valid" or "same". */
    public static Padding padding(Map<?, ?> c, String where) {
        return named(c, "padding", ConfigFields::padding, where);
    }

    private static Padding padding(String s) {
        for (Padding p : Padding.values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown padding '" + s + "', expected valid or same");
    }

    /** {@code v} as a long in [min, max]: an integer type, or a double holding an exact integer. */
    public static long exactLong(Object v, long min, long max, String what) {
        long x;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            // 2^63 is exactly representable; anything at or above it (or NaN, infinities) does not fit a long
            if (!(d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63)) {
                throw new IllegalArgumentException("field " + what + " must be an integer in [" + min + ", " + max + "], got " + v);
            }
            x = (long) d;
        } else {
            throw new IllegalArgumentException("field " + what + " must be an integer in [" + min + ", " + max + "], got "
                    + describe(v));
        }
        if (x < min || x > max) {
            throw new IllegalArgumentException("field " + what + " must be an integer in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    private static String path(String where, String key) {
        return where.isEmpty() ? key : where + "." + key;
    }

    private static IllegalArgumentException bad(String where, String key, String what) {
        return new IllegalArgumentException("field " + path(where, key) + " " + what);
    }

    /** A short rendering of a bad value for messages (long lists and strings cut). */
    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof String str ? "'" + str + "'" : String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
