package dev.shears.nn;

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
    /** Largest number of filters (Conv2D), units (Dense) or depth multiplier (DepthwiseConv2D) accepted from a config. */
    public static final int MAX_UNITS = 1 << 20;
    /**
     * Largest number of values per example accepted for the input, for any layer's output, and for a layer's
     * scratch (a Conv2D's unfolded input): 2^26 floats, 256 MB.
     */
    public static final long MAX_ELEMENTS = 1L << 26;
    /** Largest rank of the input shape and of a Reshape's target shape. */
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
     * As {@link #fromConfig(Map)}, with the custom layer types of {@code layers}.
     *
     * @throws IllegalArgumentException naming the layer and field that is missing or invalid
     */
    public static Sequential fromConfig(Map<?, ?> config, LayerRegistry layers) {
        return parse(config, layers).build();
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
     * @param stateShapes     every state variable building will create ({@code batch_normalization/moving_mean}), in
     *                        {@link Sequential#state()} order
     */
    public record Architecture(String name, int[] inputShape, long seed, List<Layer> layers, Map<String, int[]> parameterShapes,
                               Map<String, int[]> stateShapes) {
        /** Builds the model (allocating and initializing its weights); call once, the layers become the model's. */
        public Sequential build() {
            return new Sequential(name, inputShape, seed, layers);
        }

        /** Every tensor a model file holds for this architecture: the parameters, then the state variables. */
        public Map<String, int[]> savedShapes() {
            Map<String, int[]> all = new LinkedHashMap<>(parameterShapes);
            all.putAll(stateShapes);
            return all;
        }

        /** The shapes of layer {@code layer}'s parameters, then its state variables, by local name ({@code kernel}). */
        public Map<String, int[]> shapesOf(String layer) {
            Map<String, int[]> out = new LinkedHashMap<>();
            savedShapes().forEach((k, v) -> {
                if (k.startsWith(layer + "/")) {
                    out.put(k.substring(layer.length() + 1), v);
                }
            });
            return out;
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
        return parse(config, LayerRegistry.builtIn());
    }

    /**
     * As {@link #parse(Map)}, rebuilding the custom layer types of {@code layers} with their factories; the
     * layer a factory returns must report the registered type.
     *
     * @throws IllegalArgumentException naming the layer and field that is missing or invalid, or the custom
     *                                  layer whose factory refused its config
     */
    public static Architecture parse(Map<?, ?> config, LayerRegistry layers) {
        java.util.Objects.requireNonNull(layers, "layers");
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
        List<Layer> built = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> lm)) {
                throw new IllegalArgumentException("field layers[" + i + "] must be an object, got " + list.get(i));
            }
            built.add(layer(lm, "layers[" + i + "]", layers));
        }
        Sequential.assignNames(built);
        return dryRun(name, inputShape, seed, built);
    }

    /** Plans each layer on the previous one's output shape; returns the parameter and the state shapes by name. */
    private static Architecture dryRun(String name, int[] inputShape, long seed, List<Layer> layers) {
        Map<String, int[]> params = new LinkedHashMap<>();
        Map<String, int[]> state = new LinkedHashMap<>();
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
            p.state().forEach((local, s) -> state.put(l.name() + "/" + local, s));
            shape = p.outputShape();
        }
        return new Architecture(name, inputShape, seed, List.copyOf(layers), java.util.Collections.unmodifiableMap(params),
                java.util.Collections.unmodifiableMap(state));
    }

    /** One layer from its {@code {"class_name", "name", "config"}} object; {@code where} is its path for messages. */
    private static Layer layer(Map<?, ?> lm, String where, LayerRegistry registry) {
        String type = ConfigFields.stringField(lm, "class_name", where);
        String at = where + " (" + type + ")";
        Map<?, ?> c = ConfigFields.objectField(lm, "config", at);
        Layer layer = switch (type) {
            case "Conv2D" -> {
                int[] k = ConfigFields.pair(c, "kernel_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                yield Conv2D.builder(ConfigFields.intField(c, "filters", 1, MAX_UNITS, at), k[0], k[1])
                        .strides(s[0], s[1]).padding(ConfigFields.padding(c, at)).activation(ConfigFields.activation(c, at))
                        .kernelInitializer(ConfigFields.initializer(c, at)).kernelRegularizer(ConfigFields.regularizer(c, at))
                        .build();
            }
            case "Dense" -> new Dense(ConfigFields.intField(c, "units", 1, MAX_UNITS, at), ConfigFields.activation(c, at),
                    ConfigFields.initializer(c, at), ConfigFields.regularizer(c, at));
            case "DepthwiseConv2D" -> {
                int[] k = ConfigFields.pair(c, "kernel_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                yield DepthwiseConv2D.builder(k[0], k[1]).strides(s[0], s[1]).padding(ConfigFields.padding(c, at))
                        .depthMultiplier(ConfigFields.intField(c, "depth_multiplier", 1, MAX_UNITS, at))
                        .activation(ConfigFields.activation(c, at)).useBias(ConfigFields.booleanField(c, "use_bias", at))
                        .depthwiseInitializer(ConfigFields.named(c, "depthwise_initializer", Initializer::fromKerasName, at))
                        .build();
            }
            case "MaxPooling2D" -> {
                int[] p = ConfigFields.pair(c, "pool_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                if (ConfigFields.padding(c, at) != Padding.VALID) {
                    throw new IllegalArgumentException("field " + at + ".padding: MaxPooling2D supports only 'valid'");
                }
                yield new MaxPooling2D(p[0], p[1], s[0], s[1]);
            }
            case "AveragePooling2D" -> {
                int[] p = ConfigFields.pair(c, "pool_size", 1, MAX_SIZE, at);
                int[] s = ConfigFields.pair(c, "strides", 1, MAX_SIZE, at);
                yield new AveragePooling2D(p[0], p[1], s[0], s[1], ConfigFields.padding(c, at));
            }
            case "GlobalMaxPooling2D" -> {
                if (c.containsKey("keepdims") && ConfigFields.booleanField(c, "keepdims", at)) {
                    throw new IllegalArgumentException("field " + at + ".keepdims must be false (Shears has no keepdims), got true");
                }
                yield new GlobalMaxPooling2D();
            }
            case "Activation" -> new ActivationLayer(ConfigFields.activation(c, at));
            case "Reshape" -> reshape(c, at);
            case "BatchNormalization" -> batchNormalization(c, at);
            case "Dropout" -> new Dropout(ConfigFields.doubleField(c, "rate", 0, Math.nextDown(1.0), at));
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
            case "Flatten" -> new Flatten();
            case "ZeroPadding2D" -> {
                int[] p = ConfigFields.pairOfPairs(c, "padding", 0, MAX_SIZE, at);
                yield new ZeroPadding2D(p[0], p[1], p[2], p[3]);
            }
            default -> custom(type, c, at, registry);
        };
        String name = ConfigFields.stringField(lm, "name", at);
        try {
            layer.setName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + at + ".name: " + e.getMessage(), e);
        }
        return layer;
    }

    /** A registered custom layer from its config, or an error naming the type and how to register it. */
    private static Layer custom(String type, Map<?, ?> c, String at, LayerRegistry registry) {
        LayerRegistry.Factory factory = registry.factory(type);
        if (factory == null) {
            throw new IllegalArgumentException("field " + at + ": unknown layer type '" + type + "'; a custom layer loads "
                    + "when the loader gets a LayerRegistry that has it: LayerRegistry.builtIn().with(\"" + type
                    + "\", factory)" + (registry.customTypes().isEmpty() ? "" : " (registered: " + registry.customTypes() + ")"));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        c.forEach((k, v) -> config.put(String.valueOf(k), v));
        Layer layer;
        try {
            layer = factory.fromConfig(java.util.Collections.unmodifiableMap(config));
        } catch (RuntimeException e) {
            // A user's factory may fail in any way on a config it does not expect: report it as this field's error.
            throw new IllegalArgumentException("field " + at + ".config: the " + type + " factory refused it: " + e, e);
        }
        if (layer == null || !type.equals(layer.type())) {
            throw new IllegalArgumentException("field " + at + ": the " + type + " factory returned "
                    + (layer == null ? "null" : "a layer of type '" + layer.type() + "'") + ", expected type '" + type + "'");
        }
        if (layer.isBuilt()) {
            throw new IllegalArgumentException("field " + at + ": the " + type + " factory returned a built layer; return a new one");
        }
        return layer;
    }

    /** target_shape: 1 to {@link #MAX_RANK} positive integers, one of which may be -1 (inferred). */
    private static Reshape reshape(Map<?, ?> c, String at) {
        String field = at + ".target_shape";
        int[] shape = ConfigFields.ints(ConfigFields.required(c, "target_shape", at), 1, MAX_RANK, -1, Integer.MAX_VALUE, field);
        try {
            return new Reshape(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + field + ": " + e.getMessage(), e);
        }
    }

    /** momentum in [0, 1], epsilon positive and finite, center and scale; axis, if given, must be -1. */
    private static BatchNormalization batchNormalization(Map<?, ?> c, String at) {
        if (c.containsKey("axis")) {
            ConfigFields.exactLong(c.get("axis"), -1, -1, at + ".axis (only the last axis is supported)");
        }
        return new BatchNormalization(ConfigFields.doubleField(c, "momentum", 0, 1, at),
                ConfigFields.doubleField(c, "epsilon", Double.MIN_VALUE, Double.MAX_VALUE, at),
                ConfigFields.booleanField(c, "center", at), ConfigFields.booleanField(c, "scale", at));
    }
}
