package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A weight penalty added to the training loss, Keras's {@code keras.regularizers}: {@link L1}
 * {@code l1 · Σ|w|}, {@link L2} {@code l2 · Σw²} and {@link L1L2} both. Set on a layer's kernel
 * (Keras's {@code kernel_regularizer}); the trainer adds every penalty to the loss it differentiates and
 * reports, as Keras does.
 *
 * <pre>{@code new Dense(64, Activation.RELU).withKernelRegularizer(Regularizer.l2(1e-4))}</pre>
 */
public sealed interface Regularizer {
    /** Keras's {@code L1()}: l1 = 0.01. */
    static Regularizer l1() {
        return new L1(0.01);
    }

    /** Keras's {@code L1(l1)}. */
    static Regularizer l1(double l1) {
        return new L1(l1);
    }

    /** Keras's {@code L2()}: l2 = 0.01. */
    static Regularizer l2() {
        return new L2(0.01);
    }

    /** Keras's {@code L2(l2)}. */
    static Regularizer l2(double l2) {
        return new L2(l2);
    }

    /** Keras's {@code L1L2(l1, l2)} (Keras 3's class defaults are 0 for both, so both are given here). */
    static Regularizer l1l2(double l1, double l2) {
        return new L1L2(l1, l2);
    }

    /**
     * The penalty of {@code weights} as a scalar (shape (1)) built from differentiable ops, so its gradient
     * ({@code l1·sign(w) + 2·l2·w}, with sign(0) = 0 as TensorFlow's) needs no backward of its own.
     */
    Tensor penalty(Tensor weights);

    /** Keras's class name: "L1", "L2" or "L1L2". */
    String kerasName();

    /** Keras's config, e.g. {@code {"l2": 0.01}}. */
    Map<String, Object> config();

    /** Keras's serialized form, {@code {"class_name": "L2", "config": {"l2": 0.01}}}, used in model files. */
    default Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", kerasName());
        m.put("config", config());
        return m;
    }

    /**
     * Reads {@link #toConfig} output (or Keras's, which has more keys).
     *
     * @throws IllegalArgumentException for an unknown class name or a missing or bad factor
     */
    static Regularizer fromConfig(Map<?, ?> m) {
        return fromConfig(m, "regularizer");
    }

    /**
     * As {@link #fromConfig(Map)}, strictly ({@link ConfigFields}): class_name L1, L2 or L1L2, a config object,
     * and each factor a finite number >= 0 (L1L2's may be absent, meaning 0); {@code where} names the field in errors.
     */
    static Regularizer fromConfig(Map<?, ?> m, String where) {
        String name = ConfigFields.stringField(m, "class_name", where);
        Map<?, ?> c = ConfigFields.objectField(m, "config", where);
        String at = where + ".config";
        return switch (name) {
            case "L1" -> new L1(factor(c, "l1", at));
            case "L2" -> new L2(factor(c, "l2", at));
            case "L1L2" -> new L1L2(c.containsKey("l1") ? factor(c, "l1", at) : 0, c.containsKey("l2") ? factor(c, "l2", at) : 0);
            default -> throw new IllegalArgumentException("field " + where + ".class_name: unknown regularizer '" + name
                    + "', expected L1, L2 or L1L2");
        };
    }

    /** @param l1 factor of Σ|w|, finite and >= 0 */
    record L1(double l1) implements Regularizer {
        public L1 {
            check("l1", l1);
        }

        @Override
        public Tensor penalty(Tensor w) {
            return Ops.scale(sumOfAbs(w), (float) l1);
        }

        @Override
        public String kerasName() {
            return "L1";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("l1", l1);
        }
    }

    /** @param l2 factor of Σw², finite and >= 0 */
    record L2(double l2) implements Regularizer {
        public L2 {
            check("l2", l2);
        }

        @Override
        public Tensor penalty(Tensor w) {
            return Ops.scale(sumOfSquares(w), (float) l2);
        }

        @Override
        public String kerasName() {
            return "L2";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("l2", l2);
        }
    }

    /**
     * @param l1 factor of Σ|w|, finite and >= 0
     * @param l2 factor of Σw², finite and >= 0
     */
    record L1L2(double l1, double l2) implements Regularizer {
        public L1L2 {
            check("l1", l1);
            check("l2", l2);
        }

        /** As Keras, only the non-zero terms; both zero gives a constant 0. */
        @Override
        public Tensor penalty(Tensor w) {
            Tensor sum = null;
            if (l1 != 0) {
                sum = Ops.scale(sumOfAbs(w), (float) l1);
            }
            if (l2 != 0) {
                Tensor t = Ops.scale(sumOfSquares(w), (float) l2);
                sum = sum == null ? t : Ops.add(sum, t);
            }
            return sum != null ? sum : Tensor.zeros(1);
        }

        @Override
        public String kerasName() {
            return "L1L2";
        }

        @Override
        public Map<String, Object> config() {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("l1", l1);
            c.put("l2", l2);
            return c;
        }
    }

    /** Σ|w| as relu(w) + relu(-w): existing ops, and a zero gradient at w = 0 as TensorFlow's abs. */
    private static Tensor sumOfAbs(Tensor w) {
        return Ops.sum(Ops.add(Ops.relu(w), Ops.relu(Ops.scale(w, -1f))));
    }

    private static Tensor sumOfSquares(Tensor w) {
        return Ops.sum(Ops.mul(w, w));
    }

    private static double factor(Map<?, ?> c, String key, String where) {
        return ConfigFields.doubleField(c, key, 0, Double.MAX_VALUE, where);
    }

    private static void check(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("regularizer " + what + " must be finite and >= 0, got " + value);
        }
    }
}
