package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Reshape;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Keras model config ({@code config.json} of a {@code .keras} file, or the {@code model_config}
 * attribute of a legacy {@code .h5}) read into a {@link LayerPlan}: Keras's layer names, hyperparameters
 * and layouts map one to one onto Shears' layers, and anything Shears does not have is refused by name.
 */
final class KerasConfig {
    static final String SUPPORTED = "InputLayer, Conv2D, DepthwiseConv2D, BatchNormalization (channel axis), Dense, "
            + "MaxPooling2D, AveragePooling2D, Dropout, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape, ZeroPadding2D, Activation (activations linear, relu, softmax, sigmoid, tanh, "
            + "leaky_relu, elu, gelu, silu/swish, relu6)";
    private static final int MAX_SIZE = 1 << 16;

    private final Path file;
    private final String source;

    private KerasConfig(Path file, String source) {
        this.file = file;
        this.source = source;
    }

    /**
     * The plan and input shape of a Keras Sequential model config.
     *
     * @param source where the config came from, for messages (e.g. "config.json")
     */
    static Parsed parse(Object json, Path file, String source) throws ModelFormatException {
        return new KerasConfig(file, source).model(json);
    }

    /** A parsed config: Shears' input shape (h, w, c) or (features), and the layers. */
    record Parsed(int[] inputShape, LayerPlan plan) {
    }

    private Parsed model(Object json) throws ModelFormatException {
        Map<?, ?> top = map(json, "model config");
        Object cls = top.get("class_name");
        if (!"Sequential".equals(cls)) {
            throw new ModelFormatException(file, source + ".class_name", "is " + cls + "; Shears imports Keras Sequential models only");
        }
        Map<?, ?> config = map(top.get("config"), "config");
        if (!(config.get("layers") instanceof List<?> layers)) {
            throw new ModelFormatException(file, source + ".config.layers", "missing or not a list");
        }
        int[] inputShape = null;
        Object built = config.get("build_input_shape");
        if (built == null && top.get("build_config") instanceof Map<?, ?> bc) {
            built = bc.get("input_shape");
        }
        LayerPlan plan = new LayerPlan();
        for (int i = 0; i < layers.size(); i++) {
            String at = source + ".config.layers[" + i + "]";
            Map<?, ?> entry = map(layers.get(i), at);
            String type = String.valueOf(entry.get("class_name"));
            Map<?, ?> c = map(entry.get("config"), at + ".config");
            at += " (" + type + " '" + c.get("name") + "')";
            Object batchShape = c.containsKey("batch_shape") ? c.get("batch_shape") : c.get("batch_input_shape");
            if (batchShape != null && inputShape == null) {
                inputShape = batchShape(batchShape, at);
            }
            if (!type.equals("InputLayer")) {
                try {
                    layer(plan, type, c, at);
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException(file, at, e.getMessage(), e);
                }
            }
        }
        if (inputShape == null && built != null) {
            inputShape = batchShape(built, source + ".build_input_shape");
        }
        if (inputShape == null) {
            throw new ModelFormatException(file, source, "no input shape (no InputLayer batch_shape, batch_input_shape or build_input_shape)");
        }
        return new Parsed(inputShape, plan);
    }

    private void layer(LayerPlan plan, String type, Map<?, ?> c, String at) throws ModelFormatException {
        String name = name(c, at);
        Layer fixed = switch (type) {
            case "Conv2D" -> {
                expect(c, "data_format", "channels_last", at);
                int[] k = pair(c.get("kernel_size"), at + ".kernel_size");
                int[] s = pair(c.get("strides"), at + ".strides");
                int[] d = c.containsKey("dilation_rate") ? pair(c.get("dilation_rate"), at + ".dilation_rate") : new int[] {1, 1};
                if (d[0] != 1 || d[1] != 1 || c.containsKey("groups") && integer(c.get("groups"), at + ".groups") != 1) {
                    throw new ModelFormatException(file, at, "dilated or grouped convolutions are not supported");
                }
                plan.addConv(integer(c.get("filters"), at + ".filters"), k[0], k[1], s[0], s[1], padding(c, at),
                        activation(c, at), name);
                yield null;
            }
            case "Dense" -> {
                plan.addDense(integer(c.get("units"), at + ".units"), activation(c, at), name);
                yield null;
            }
            case "MaxPooling2D" -> {
                expect(c, "data_format", "channels_last", at);
                if (padding(c, at) != Padding.VALID) {
                    throw new ModelFormatException(file, at + ".padding", "'same' max pooling is not supported; expected 'valid'");
                }
                int[] p = pair(c.get("pool_size"), at + ".pool_size");
                int[] s = c.get("strides") == null ? p : pair(c.get("strides"), at + ".strides");
                yield new MaxPooling2D(p[0], p[1], s[0], s[1]);
            }
            case "Dropout" -> {
                double rate = number(c.get("rate"), at + ".rate");
                if (!(rate >= 0 && rate < 1)) {
                    throw new ModelFormatException(file, at + ".rate", "expected a rate in [0, 1), got " + rate);
                }
                yield new Dropout(rate);
            }
            case "GlobalAveragePooling2D" -> {
                expect(c, "data_format", "channels_last", at);
                if (Boolean.TRUE.equals(c.get("keepdims"))) {
                    throw new ModelFormatException(file, at + ".keepdims", "keepdims=True is not supported");
                }
                yield new GlobalAveragePooling2D();
            }
            case "DepthwiseConv2D" -> {
                expect(c, "data_format", "channels_last", at);
                int[] k = pair(c.get("kernel_size"), at + ".kernel_size");
                int[] s = pair(c.get("strides"), at + ".strides");
                int[] d = c.containsKey("dilation_rate") ? pair(c.get("dilation_rate"), at + ".dilation_rate") : new int[] {1, 1};
                if (d[0] != 1 || d[1] != 1) {
                    throw new ModelFormatException(file, at + ".dilation_rate", "dilated convolutions are not supported");
                }
                int multiplier = c.containsKey("depth_multiplier") ? integer(c.get("depth_multiplier"), at + ".depth_multiplier") : 1;
                plan.addDepthwise(k[0], k[1], s[0], s[1], padding(c, at), multiplier, !Boolean.FALSE.equals(c.get("use_bias")),
                        activation(c, at), null, name);
                yield null;
            }
            case "BatchNormalization" -> {
                Object axis = c.get("axis");
                boolean last = axis == null || axis instanceof Number n && n.intValue() == -1
                        || axis instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n2 && n2.intValue() == -1;
                if (!last) {
                    throw new ModelFormatException(file, at + ".axis", "only the channel axis (-1) is supported, got " + axis);
                }
                double momentum = c.get("momentum") == null ? 0.99 : number(c.get("momentum"), at + ".momentum");
                double epsilon = c.get("epsilon") == null ? 1e-3 : number(c.get("epsilon"), at + ".epsilon");
                plan.addBatchNorm(momentum, epsilon, !Boolean.FALSE.equals(c.get("center")), !Boolean.FALSE.equals(c.get("scale")), null, name);
                yield null;
            }
            case "Flatten" -> new Flatten();
            case "Activation" -> new ActivationLayer(activation(c, at));
            case "AveragePooling2D" -> {
                expect(c, "data_format", "channels_last", at);
                int[] p = pair(c.get("pool_size"), at + ".pool_size");
                int[] s = c.get("strides") == null ? p : pair(c.get("strides"), at + ".strides");
                yield new AveragePooling2D(p[0], p[1], s[0], s[1], padding(c, at));
            }
            case "GlobalMaxPooling2D" -> {
                expect(c, "data_format", "channels_last", at);
                if (Boolean.TRUE.equals(c.get("keepdims"))) {
                    throw new ModelFormatException(file, at + ".keepdims", "keepdims=True is not supported");
                }
                yield new GlobalMaxPooling2D();
            }
            case "Reshape" -> new Reshape(targetShape(c.get("target_shape"), at + ".target_shape"));
            case "ZeroPadding2D" -> {
                expect(c, "data_format", "channels_last", at);
                int[] p = zeroPadding(c.get("padding"), at + ".padding");
                yield new ZeroPadding2D(p[0], p[1], p[2], p[3]);
            }
            default -> throw new ModelFormatException(file, at, "layer type '" + type + "' is not supported; Shears imports " + SUPPORTED);
        };
        if (fixed != null) {
            fixed.setName(name);
            plan.add(fixed);
        }
    }

    private String name(Map<?, ?> c, String at) throws ModelFormatException {
        if (!(c.get("name") instanceof String s) || s.isBlank() || s.contains("/")) {
            throw new ModelFormatException(file, at + ".name", "expected a non-blank layer name without '/', got " + c.get("name"));
        }
        return s;
    }

    private Activation activation(Map<?, ?> c, String at) throws ModelFormatException {
        Object a = c.get("activation");
        if (a == null) {
            return Activation.LINEAR;
        }
        if (!(a instanceof String s)) {
            throw new ModelFormatException(file, at + ".activation", "expected an activation name, got " + a);
        }
        try {
            return Activation.fromKerasName(s);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, at + ".activation", "'" + a + "' is not supported: " + e.getMessage());
        }
    }

    private Padding padding(Map<?, ?> c, String at) throws ModelFormatException {
        Object p = c.get("padding");
        if ("valid".equals(p)) {
            return Padding.VALID;
        }
        if ("same".equals(p)) {
            return Padding.SAME;
        }
        throw new ModelFormatException(file, at + ".padding", "expected 'valid' or 'same', got " + p);
    }

    private void expect(Map<?, ?> c, String key, String value, String at) throws ModelFormatException {
        Object v = c.get(key);
        if (v != null && !value.equals(v)) {
            throw new ModelFormatException(file, at + "." + key, "expected '" + value + "', got '" + v + "'");
        }
    }

    /** Keras's ZeroPadding2D padding: an int, (h, w), or ((top, bottom), (left, right)); returns top, bottom, left, right. */
    private int[] zeroPadding(Object v, String at) throws ModelFormatException {
        if (v instanceof Number) {
            int p = integer(v, at);
            return new int[] {p, p, p, p};
        }
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof List<?>) {
            int[] h = pair(l.get(0), at + "[0]");
            int[] w = pair(l.get(1), at + "[1]");
            return new int[] {h[0], h[1], w[0], w[1]};
        }
        int[] hw = pair(v, at);
        return new int[] {hw[0], hw[0], hw[1], hw[1]};
    }

    /** Keras's Reshape target: positive sizes and at most one -1. */
    private int[] targetShape(Object v, String at) throws ModelFormatException {
        if (!(v instanceof List<?> l) || l.isEmpty() || l.size() > 3) {
            throw new ModelFormatException(file, at, "expected 1 to 3 sizes, got " + v);
        }
        int[] shape = new int[l.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = l.get(i) instanceof Number n && n.doubleValue() == -1 ? -1 : integer(l.get(i), at + "[" + i + "]");
        }
        return shape;
    }

    private int[] batchShape(Object v, String at) throws ModelFormatException {
        if (!(v instanceof List<?> l) || (l.size() != 2 && l.size() != 4)) {
            throw new ModelFormatException(file, at, "expected (batch, h, w, c) or (batch, features), got " + v);
        }
        int[] shape = new int[l.size() - 1];
        for (int i = 1; i < l.size(); i++) {
            shape[i - 1] = integer(l.get(i), at + "[" + i + "]");
        }
        return shape;
    }

    private int[] pair(Object v, String at) throws ModelFormatException {
        if (v instanceof Number) {
            int x = integer(v, at);
            return new int[] {x, x};
        }
        if (!(v instanceof List<?> l) || l.size() != 2) {
            throw new ModelFormatException(file, at, "expected two integers, got " + v);
        }
        return new int[] {integer(l.get(0), at + "[0]"), integer(l.get(1), at + "[1]")};
    }

    private int integer(Object v, String at) throws ModelFormatException {
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > MAX_SIZE) {
            throw new ModelFormatException(file, at, "expected an integer from 0 to " + MAX_SIZE + ", got " + v);
        }
        return n.intValue();
    }

    private double number(Object v, String at) throws ModelFormatException {
        if (!(v instanceof Number n)) {
            throw new ModelFormatException(file, at, "expected a number, got " + v);
        }
        return n.doubleValue();
    }

    private Map<?, ?> map(Object v, String at) throws ModelFormatException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ModelFormatException(file, at, "expected an object, got " + (v == null ? "nothing" : v.getClass().getSimpleName()));
        }
        return m;
    }
}
