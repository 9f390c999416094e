package dev.shears.train;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few Python formatting rules Keras's callbacks show in files: {@code repr(float)} (CSVLogger's cells)
 * and {@code str.format} placeholders in checkpoint paths.
 */
final class PythonFormat {
    /** {@code {name}} or {@code {name:spec}} with spec {@code d}, {@code 0Nd}, {@code Nd} or {@code .Nf}/{@code .Ne}. */
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::(0?\\d*d|\\d*\\.\\d+[fe]))?}");

    private PythonFormat() {
    }

    /**
     * Python's {@code repr} of a float: the shortest digits that read back to the same double, positional
     * for decimal exponents -4 .. 15 (with ".0" on whole numbers), scientific as {@code 1e-05} otherwise.
     */
    static String repr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exponent = digits.length() - 1 - d.scale();
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /**
     * Python's {@code template.format(**values)} for the placeholders Keras's checkpoint paths use, e.g.
     * {@code "ckpt_{epoch:02d}_{val_loss:.3f}"}. Integral values (epoch) print as integers.
     *
     * @throws IllegalArgumentException naming the placeholder when its key is not in {@code values}
     */
    static String format(String template, Map<String, ? extends Number> values) {
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Number v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("path template " + template + " names {" + m.group(1)
                        + "}, which is not among " + new java.util.TreeSet<>(values.keySet()));
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(field(v, m.group(2))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String field(Number v, String spec) {
        boolean integral = v instanceof Integer || v instanceof Long;
        if (spec == null) {
            return integral ? v.toString() : repr(v.doubleValue());
        }
        if (spec.endsWith("d")) {
            if (!integral) {
                throw new IllegalArgumentException("format spec :" + spec + " needs an integer, got " + v);
            }
            return String.format(Locale.ROOT, "%" + spec, v.longValue());
        }
        return String.format(Locale.ROOT, "%" + spec, v.doubleValue()); // Java's %e writes e-05 as Python's does
    }
}
