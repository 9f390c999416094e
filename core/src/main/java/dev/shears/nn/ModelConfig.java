package dev.shears.nn;

import dev.shears.ops.ConvOps.Padding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's architecture as plain maps and lists (Keras's {@code get_config} shape), for model files:
 * {@code {"class_name": "Sequential", "name", "input_shape", "seed", "layers": [{"class_name", "name",
 * "config"}]}}. {@link #fromConfig} rebuilds the same model with fresh weights.
 */
public final class ModelConfig {
    private ModelConfig() {
    }

    /** The architecture of {@code model}. Wrapper layers are described by the layer they wrap. */
    public static Map<String, Object> toConfig(Sequential model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", "Sequential");
        m.put("name", model.name());
        m.put("input_shape", model.inputShape());
        m.put("seed", model.seed());
        List<Object> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            Layer inner = l.unwrap();
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("class_name", inner.type());
            lm.put("name", inner.name());
            lm.put("config", inner.config());
            layers.add(lm);
        }
        m.put("layers", layers);
        return m;
    }

    /**
     * Rebuilds a model from {@link #toConfig} output.
     *
     * @throws IllegalArgumentException naming the layer and key that is missing or invalid
     */
    public static Sequential fromConfig(Map<?, ?> config) {
        if (!"Sequential".equals(config.get("class_name"))) {
            throw new IllegalArgumentException("architecture class_name must be 'Sequential', got " + config.get("class_name"));
        }
        int[] inputShape = ints(config.get("input_shape"), "input_shape");
        long seed = number(config.get("seed"), "seed").longValue();
        String name = config.get("name") instanceof String s ? s : "sequential";
        if (!(config.get("layers") instanceof List<?> list)) {
            throw new IllegalArgumentException("architecture has no 'layers' list");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> lm)) {
                throw new IllegalArgumentException("layers[" + i + "] is not an object");
            }
            Layer layer = layer(lm, "layers[" + i + "]");
            if (lm.get("name") instanceof String ln) {
                layer.setName(ln);
            }
            layers.add(layer);
        }
        return new Sequential(name, inputShape, seed, layers);
    }

    private static Layer layer(Map<?, ?> lm, String where) {
        String type = String.valueOf(lm.get("class_name"));
        Map<?, ?> c = lm.get("config") instanceof Map<?, ?> m ? m : Map.of();
        String at = where + " (" + type + ")";
        return switch (type) {
            case "Conv2D" -> {
                int[] k = ints(c.get("kernel_size"), at + ".kernel_size");
                int[] s = ints(c.get("strides"), at + ".strides");
                yield new Conv2D(number(c.get("filters"), at + ".filters").intValue(), k[0], k[1], s[0], s[1],
                        Padding.valueOf(String.valueOf(c.get("padding")).toUpperCase(Locale.ROOT)),
                        Activation.fromKerasName(String.valueOf(c.get("activation"))),
                        Initializer.fromKerasName(String.valueOf(c.get("kernel_initializer"))),
                        regularizer(c.get("kernel_regularizer"), at + ".kernel_regularizer"));
            }
            case "Dense" -> new Dense(number(c.get("units"), at + ".units").intValue(),
                    Activation.fromKerasName(String.valueOf(c.get("activation"))),
                    Initializer.fromKerasName(String.valueOf(c.get("kernel_initializer"))),
                    regularizer(c.get("kernel_regularizer"), at + ".kernel_regularizer"));
            case "MaxPooling2D" -> {
                int[] p = ints(c.get("pool_size"), at + ".pool_size");
                int[] s = ints(c.get("strides"), at + ".strides");
                yield new MaxPooling2D(p[0], p[1], s[0], s[1]);
            }
            case "AveragePooling2D" -> {
                int[] p = positive(c.get("pool_size"), at + ".pool_size");
                int[] s = positive(c.get("strides"), at + ".strides");
                yield new AveragePooling2D(p[0], p[1], s[0], s[1], padding(c.get("padding"), at + ".padding"));
            }
            case "GlobalMaxPooling2D" -> {
                if (c.containsKey("keepdims") && !Boolean.FALSE.equals(c.get("keepdims"))) {
                    throw new IllegalArgumentException("architecture field " + at + ".keepdims must be false (Shears has no keepdims), got "
                            + c.get("keepdims"));
                }
                yield new GlobalMaxPooling2D();
            }
            case "Activation" -> new ActivationLayer(activation(c.get("activation"), at + ".activation"));
            case "Reshape" -> {
                Object shape = c.get("target_shape");
                if (!(shape instanceof List<?> l) || l.isEmpty() || !l.stream().allMatch(v -> v instanceof Number n && isInt(n))) {
                    throw new IllegalArgumentException("architecture field " + at + ".target_shape must be a non-empty list of integers, got "
                            + shape);
                }
                try {
                    yield new Reshape(l.stream().mapToInt(v -> ((Number) v).intValue()).toArray());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("architecture field " + at + ".target_shape: " + e.getMessage(), e);
                }
            }
            case "Dropout" -> new Dropout(number(c.get("rate"), at + ".rate").doubleValue());
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
            case "Flatten" -> new Flatten();
            case "ZeroPadding2D" -> {
                int[] p = pads(c.get("padding"), at + ".padding");
                try {
                    yield new ZeroPadding2D(p[0], p[1], p[2], p[3]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("architecture field " + at + ".padding: " + e.getMessage(), e);
                }
            }
            case "BatchNormalization" -> {
                if (c.containsKey("axis") && !(c.get("axis") instanceof Number a && a.doubleValue() == -1)) {
                    throw new IllegalArgumentException("architecture field " + at + ".axis: only -1 (the last axis) is supported, got "
                            + c.get("axis"));
                }
                yield new BatchNormalization(number(c.get("momentum"), at + ".momentum").doubleValue(),
                        number(c.get("epsilon"), at + ".epsilon").doubleValue(), bool(c.get("center"), at + ".center"),
                        bool(c.get("scale"), at + ".scale"));
            }
            case "DepthwiseConv2D" -> {
                int[] k = ints(c.get("kernel_size"), at + ".kernel_size");
                int[] s = ints(c.get("strides"), at + ".strides");
                yield new DepthwiseConv2D(k[0], k[1], s[0], s[1],
                        Padding.valueOf(String.valueOf(c.get("padding")).toUpperCase(Locale.ROOT)),
                        number(c.get("depth_multiplier"), at + ".depth_multiplier").intValue(),
                        Activation.fromKerasName(String.valueOf(c.get("activation"))), bool(c.get("use_bias"), at + ".use_bias"),
                        Initializer.fromKerasName(String.valueOf(c.get("depthwise_initializer"))));
            }
            default -> throw new IllegalArgumentException(at + ": unknown layer type '" + type + "'");
        };
    }

    /** A layer's {@code kernel_regularizer}: absent or null for none, else {@link Regularizer#toConfig}'s form. */
    private static Regularizer regularizer(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("architecture field " + what + " must be an object or null, got " + v);
        }
        try {
            return Regularizer.fromConfig(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("architecture field " + what + ": " + e.getMessage(), e);
        }
    }

    private static Number number(Object v, String what) {
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("architecture field " + what + " must be a number, got " + v);
        }
        return n;
    }

    private static boolean bool(Object v, String what) {
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("architecture field " + what + " must be true or false, got " + v);
        }
        return b;
    }

    /** Keras's ZeroPadding2D form [[top, bottom], [left, right]], strictly: two lists of two integers. */
    private static int[] pads(Object v, String what) {
        String expected = "architecture field " + what + " must be [[top, bottom], [left, right]] (two lists of two integers), got ";
        if (!(v instanceof List<?> outer) || outer.size() != 2) {
            throw new IllegalArgumentException(expected + v);
        }
        int[] out = new int[4];
        for (int i = 0; i < 2; i++) {
            if (!(outer.get(i) instanceof List<?> pair) || pair.size() != 2) {
                throw new IllegalArgumentException(expected + v);
            }
            for (int j = 0; j < 2; j++) {
                if (!(pair.get(j) instanceof Number n) || !isInt(n)) {
                    throw new IllegalArgumentException(expected + v);
                }
                out[2 * i + j] = n.intValue();
            }
        }
        return out;
    }

    /** Exactly two positive integers, e.g. a pool size [2, 2]. */
    private static int[] positive(Object v, String what) {
        if (!(v instanceof List<?> l) || l.size() != 2 || !l.stream().allMatch(x -> x instanceof Number n && isInt(n) && n.intValue() > 0)) {
            throw new IllegalArgumentException("architecture field " + what + " must be a list of two positive integers, got " + v);
        }
        return new int[] {((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue()};
    }

    /** Keras's padding names, "valid" or "same", exactly. */
    private static Padding padding(Object v, String what) {
        if ("valid".equals(v) || "same".equals(v)) {
            return Padding.valueOf(((String) v).toUpperCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("architecture field " + what + " must be \"valid\" or \"same\", got " + v);
    }

    private static Activation activation(Object v, String what) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("architecture field " + what + " must be an activation name, got " + v);
        }
        try {
            return Activation.fromKerasName(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("architecture field " + what + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code n} is a whole number in int range (JSON gives Long, code-built maps Integer). */
    private static boolean isInt(Number n) {
        double d = n.doubleValue();
        return d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }

    private static int[] ints(Object v, String what) {
        if (v instanceof int[] a && a.length > 0) {
            return a.clone(); // toConfig's own form, passed without a JSON round trip (InferenceModel.toSequential)
        }
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("architecture field " + what + " must be a non-empty list of integers, got " + v);
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(list.get(i), what).intValue();
        }
        return out;
    }
}
