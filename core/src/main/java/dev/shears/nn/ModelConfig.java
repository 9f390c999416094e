package dev.shears.nn;

import dev.shears.ops.ConvOps.Padding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's architecture as plain maps and lists (Keras's {@code get_config} shape), for model files:
 * {@code {"class_name": "Sequential", "name", "input_shape", "seed", "layers": [{"class_name", "name",
 * "config"}]}}. {@link #fromConfig} rebuilds the same model with fresh weights.
 */
public final class ModelConfig {
    /** Largest kernel size, stride, pool size or zero pad accepted from a config. */
    public static final int MAX_SIZE = 1 << 16;
    /** Largest number of filters (Conv2D) or units (Dense) accepted from a config. */
    public static final int MAX_UNITS = 1 << 20;
    /**
     * Largest number of values per example accepted for the input, for any layer's output, and for a layer's
     * scratch (a Conv2D's unfolded input): 2^26 floats, 256 MB.
     */
    public static final long MAX_ELEMENTS = 1L << 26;
    /** Largest rank of the input shape. */
    public static final int MAX_RANK = 8;
    /** Largest number of layers. */
    public static final int MAX_LAYERS = 4096;

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
     * Rebuilds a model from {@link #toConfig} output (or its JSON round trip): {@link #parse}, then build.
     *
     * @throws IllegalArgumentException naming the layer and field that is missing or invalid
     */
    public static Sequential fromConfig(Map<?, ?> config) {
        return parse(config).build();
    }

    /**
     * A parsed and checked architecture, not yet built: nothing of the size of a weight has been allocated.
     *
     * @param name            the model's name
     * @param inputShape      one example's input shape
     * @param seed            the model's seed
     * @param layers          the configured, named, unbuilt layers
     * @param parameterShapes every parameter building will create, by its model-wide name ({@code conv2d/kernel}), in
     *                        {@link Sequential#parameters()} order
     */
    public record Architecture(String name, int[] inputShape, long seed, List<Layer> layers, Map<String, int[]> parameterShapes) {
        /** Builds the model (allocating and initializing its weights); call once, the layers become the model's. */
        public Sequential build() {
            return new Sequential(name, inputShape, seed, layers);
        }

        /** Number of values of all parameters. */
        public long parameterCount() {
            long n = 0;
            for (int[] s : parameterShapes.values()) {
                n += Layer.Plan.count(s, "parameter");
            }
            return n;
        }
    }

    /**
     * Parses and checks {@code config} without allocating weights: every field strictly (exact arity, exact
     * integers within the bounds above, names known), then a dry run of the layers' {@link Layer#plan plans}
     * from the input shape on, with the limits above, giving each parameter's shape.
     *
     * @throws IllegalArgumentException naming the layer and field that is missing or invalid
     */
    public static Architecture parse(Map<?, ?> config) {
        String cls = ConfigFields.stringField(config, "class_name", "");
        if (!"Sequential".equals(cls)) {
            throw new IllegalArgumentException("field class_name must be 'Sequential', got '" + cls + "'");
        }
        String name = ConfigFields.stringField(config, "name", "");
        int[] inputShape = ConfigFields.ints(ConfigFields.required(config, "input_shape", ""), 1, MAX_RANK, 1,
                Integer.MAX_VALUE, "input_shape");
        long values = Layer.Plan.product(java.util.Arrays.stream(inputShape).asLongStream().toArray());
        if (values > MAX_ELEMENTS) {
            throw new IllegalArgumentException("field input_shape " + java.util.Arrays.toString(inputShape) + " has " + values
                    + " values per example, more than the limit of " + MAX_ELEMENTS);
        }
        long seed = ConfigFields.longField(config, "seed", Long.MIN_VALUE, Long.MAX_VALUE, "");
        List<?> list = ConfigFields.listField(config, "layers", "");
        if (list.isEmpty() || list.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("field layers must hold 1 to " + MAX_LAYERS + " layers, got " + list.size());
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> lm)) {
                throw new IllegalArgumentException("field layers[" + i + "] must be an object, got " + list.get(i));
            }
            layers.add(layer(lm, "layers[" + i + "]"));
        }
        Sequential.assignNames(layers);
        return new Architecture(name, inputShape, seed, List.copyOf(layers), dryRun(inputShape, layers));
    }

    /** Plans each layer on the previous one's output shape; returns the parameter shapes by name. */
    private static Map<String, int[]> dryRun(int[] inputShape, List<Layer> layers) {
        Map<String, int[]> params = new LinkedHashMap<>();
        int[] shape = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String at = "layers[" + i + "] (" + l.type() + " '" + l.name() + "')";
            Layer.Plan p;
            try {
                p = l.plan(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
            }
            long out = Layer.Plan.count(p.outputShape(), at);
            if (out > MAX_ELEMENTS || p.scratch() > MAX_ELEMENTS) {
                throw new IllegalArgumentException(at + ": output " + java.util.Arrays.toString(p.outputShape()) + " ("
                        + out + " values per example) or scratch (" + p.scratch() + " values per example) exceeds the limit of "
                        + MAX_ELEMENTS);
            }
            p.parameters().forEach((local, s) -> params.put(l.name() + "/" + local, s));
            shape = p.outputShape();
        }
        return java.util.Collections.unmodifiableMap(params);
    }

    /** One layer from its {@code {"class_name", "name", "config"}} object; {@code where} is its path for messages. */
    private static Layer layer(Map<?, ?> lm, String where) {
        String type = ConfigFields.stringField(lm, "class_name", where);
        String at = where + " (" + type + ")";
        Map<?, ?> c = ConfigFields.objectField(lm, "config", at);
        Layer layer = switch (type) {
            case "Conv2D" -> {
                int[] k = ConfigFields.pair(c, "kernel_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                yield new Conv2D(ConfigFields.intField(c, "filters", 1, MAX_UNITS, at), k[0], k[1], s[0], s[1],
                        ConfigFields.padding(c, at), ConfigFields.activation(c, at), ConfigFields.initializer(c, at));
            }
            case "Dense" -> new Dense(ConfigFields.intField(c, "units", 1, MAX_UNITS, at), ConfigFields.activation(c, at),
                    ConfigFields.initializer(c, at));
            case "MaxPooling2D" -> {
                int[] p = ConfigFields.pair(c, "pool_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                if (ConfigFields.padding(c, at) != Padding.VALID) {
                    throw new IllegalArgumentException("field " + at + ".padding: MaxPooling2D supports only 'valid'");
                }
                yield new MaxPooling2D(p[0], p[1], s[0], s[1]);
            }
            case "Dropout" -> new Dropout(ConfigFields.doubleField(c, "rate", 0, Math.nextDown(1.0), at));
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
            case "Flatten" -> new Flatten();
            case "ZeroPadding2D" -> {
                int[] p = ConfigFields.pairOfPairs(c, "padding", 0, MAX_SIZE, at);
                yield new ZeroPadding2D(p[0], p[1], p[2], p[3]);
            }
            default -> throw new IllegalArgumentException("field " + at + ": unknown layer type '" + type + "'");
        };
        String name = ConfigFields.stringField(lm, "name", at);
        try {
            layer.setName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + at + ".name: " + e.getMessage(), e);
        }
        return layer;
    }
}
