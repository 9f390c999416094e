package dev.shears.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The layer types a loader can rebuild from a model file: Shears' own, plus the custom {@link Layer}
 * subclasses registered here. A registry is an immutable value passed to the loaders that read an
 * architecture ({@code ModelFiles.load(path, registry)}, {@code Models.load(path, registry)},
 * {@link ModelConfig#parse(Map, LayerRegistry)}, {@code Pruning.strip(model, registry)}); there is no global
 * registry, so two parts of one program cannot change what the other loads.
 *
 * <p>A custom layer saves like a built-in one: its {@link Layer#type()} is the file's {@code class_name} and
 * its {@link Layer#config()} the {@code config} object; its factory gets that object back (JSON-decoded:
 * numbers as {@code Long} or {@code Double}, arrays as lists) and must build an equal, unbuilt layer. The
 * inference runtime runs a custom layer through its own forward pass, as {@code describe()} says.
 *
 * <pre>{@code LayerRegistry layers = LayerRegistry.builtIn().with("ScaledTanh", ScaledTanh::fromConfig);
 * Sequential model = ModelFiles.load(Path.of("model.safetensors"), layers);}</pre>
 */
public final class LayerRegistry {
    /** The {@code class_name}s of Shears' own layers, which cannot be registered again. */
    public static final Set<String> BUILT_IN_TYPES = Set.of("Conv2D", "Dense", "DepthwiseConv2D", "MaxPooling2D",
            "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D", "Activation", "Reshape",
            "BatchNormalization", "Dropout", "Flatten", "ZeroPadding2D");

    private static final LayerRegistry BUILT_IN = new LayerRegistry(Map.of());

    /** Builds an unbuilt layer from its saved {@code config} object. */
    @FunctionalInterface
    public interface Factory {
        /**
         * The layer for {@code config}.
         *
         * @throws IllegalArgumentException naming the field when the config is not one this layer accepts
         */
        Layer fromConfig(Map<String, Object> config);
    }

    private final Map<String, Factory> custom;

    private LayerRegistry(Map<String, Factory> custom) {
        this.custom = custom;
    }

    /** Shears' own layers only: what every loader reads when given no registry. */
    public static LayerRegistry builtIn() {
        return BUILT_IN;
    }

    /**
     * This registry plus the custom layer type {@code type}.
     *
     * @throws IllegalArgumentException if {@code type} is blank, a built-in type, or already registered
     */
    public LayerRegistry with(String type, Factory factory) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factory, "factory");
        if (type.isBlank()) {
            throw new IllegalArgumentException("a custom layer type needs a name");
        }
        if (BUILT_IN_TYPES.contains(type)) {
            throw new IllegalArgumentException("'" + type + "' is a built-in layer type; give the custom layer another type()");
        }
        if (custom.containsKey(type)) {
            throw new IllegalArgumentException("layer type '" + type + "' is already registered");
        }
        Map<String, Factory> all = new LinkedHashMap<>(custom);
        all.put(type, factory);
        return new LayerRegistry(Collections.unmodifiableMap(all));
    }

    /** The registered custom types, in registration order. */
    public Set<String> customTypes() {
        return custom.keySet();
    }

    /** Whether {@code type} is a built-in or a registered layer type. */
    public boolean knows(String type) {
        return BUILT_IN_TYPES.contains(type) || custom.containsKey(type);
    }

    /** The factory of a custom type, or null. */
    Factory factory(String type) {
        return custom.get(type);
    }
}
