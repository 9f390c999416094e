package dev.shears.nn;

import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A layer of a {@link Sequential} model. A layer is configured at construction and built once by the
 * model, which passes the input shape (without the batch dimension) so the layer can create its
 * parameters; shapes are (height, width, channels) for images, as in Keras.
 *
 * <p>Subclasses implement {@link #doBuild}, {@link #forward}, {@link #type} and {@link #config}; layers with
 * weights override {@link #parameters()}, layers with non-trainable variables {@link #state()}.
 */
public abstract class Layer {
    private String name;
    private int[] inputShape;
    private int[] outputShape;

    /** Keras class name, e.g. "Conv2D". */
    public abstract String type();

    /** Hyperparameters as Keras names them (e.g. filters, kernel_size), used by summary and model files. */
    public abstract Map<String, Object> config();

    /**
     * Creates parameters for the given input shape and returns the output shape (both without batch).
     *
     * @throws dev.shears.tensor.ShapeMismatchException if the input shape is not one this layer accepts
     */
    protected abstract int[] doBuild(int[] inputShape, Random rng);

    /**
     * What building this layer for {@code inputShape} gives, computed from its configuration alone with
     * exact {@code long} arithmetic and without allocating: the output shape and the shape of each parameter
     * and state variable.
     * Model files are checked against it before any weights are allocated ({@link ModelConfig#parse}).
     * Layers override it, and their {@link #doBuild} uses it, so that the shapes are decided in one place;
     * the default refuses, so a layer type without a plan cannot be loaded from a file.
     *
     * @throws IllegalArgumentException (often a {@link dev.shears.tensor.ShapeMismatchException}) if the input
     *                                  does not fit or a shape would not fit a Java array
     */
    public Plan plan(int[] inputShape) {
        throw new IllegalArgumentException(type() + " layers cannot be checked before they are built (no Layer.plan)");
    }

    /**
     * The shapes a layer's build gives; every shape's dimensions are positive and its product fits one array.
     *
     * @param outputShape one example's output shape
     * @param parameters  each parameter's local name ("kernel", "bias") and shape, in {@link #parameters()} order
     * @param state       each state variable's local name ("moving_mean") and shape, in {@link #state()} order
     * @param scratch     values per example the forward pass holds besides its input and output (a Conv2D's
     *                    unfolded input), 0 if none
     */
    public record Plan(int[] outputShape, Map<String, int[]> parameters, Map<String, int[]> state, long scratch) {
        /** Largest array Shears allocates, as common JVMs allow. */
        public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

        /** @throws IllegalArgumentException for a non-positive dimension or a shape of more than {@link #MAX_ARRAY} values */
        public Plan {
            outputShape = outputShape.clone();
            count(outputShape, "output");
            parameters = checked(parameters, "parameter ");
            state = checked(state, "state ");
        }

        /** A plan without state. */
        public Plan(int[] outputShape, Map<String, int[]> parameters, long scratch) {
            this(outputShape, parameters, Map.of(), scratch);
        }

        /** A plan with parameters given as name, shape pairs in order, e.g. {@code "kernel", kernelShape, "bias", biasShape}. */
        public static Plan of(int[] outputShape, long scratch, Object... namesAndShapes) {
            return new Plan(outputShape, pairs(namesAndShapes), scratch);
        }

        /** A layer without parameters or scratch. */
        public static Plan of(int... outputShape) {
            return new Plan(outputShape, Map.of(), 0);
        }

        /** This plan with state variables given as name, shape pairs in order, e.g. {@code "moving_mean", shape}. */
        public Plan withState(Object... namesAndShapes) {
            return new Plan(outputShape, parameters, pairs(namesAndShapes), scratch);
        }

        private static Map<String, int[]> pairs(Object... namesAndShapes) {
            Map<String, int[]> m = new LinkedHashMap<>();
            for (int i = 0; i < namesAndShapes.length; i += 2) {
                m.put((String) namesAndShapes[i], (int[]) namesAndShapes[i + 1]);
            }
            return m;
        }

        private static Map<String, int[]> checked(Map<String, int[]> shapes, String what) {
            Map<String, int[]> copy = new LinkedHashMap<>();
            shapes.forEach((k, v) -> {
                count(v, what + k);
                copy.put(k, v.clone());
            });
            return java.util.Collections.unmodifiableMap(copy);
        }

        /** Number of values of {@code shape}, checked: dimensions positive, product at most {@link #MAX_ARRAY}. */
        public static long count(int[] shape, String what) {
            long n = 1;
            for (int d : shape) {
                if (d <= 0) {
                    throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape) + " has a dimension below 1");
                }
                n *= d; // n <= MAX_ARRAY < 2^31 and d < 2^31: no long overflow
                if (n > MAX_ARRAY) {
                    throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape)
                            + " has more values than one array can hold (" + MAX_ARRAY + ")");
                }
            }
            return n;
        }

        /** Product of non-negative factors, saturating at {@code Long.MAX_VALUE} instead of overflowing. */
        public static long product(long... factors) {
            long n = 1;
            for (long f : factors) {
                if (f != 0 && n > Long.MAX_VALUE / f) {
                    return Long.MAX_VALUE;
                }
                n *= f;
            }
            return n;
        }

        /** {@code v} as a dimension: it must lie in [1, Integer.MAX_VALUE]. */
        public static int dim(long v, String what) {
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " would be " + v + ", expected 1 to " + Integer.MAX_VALUE);
            }
            return (int) v;
        }
    }

    /** Forward pass on a batch {@code (n, inputShape...)}; {@code training} switches dropout on. */
    public abstract Tensor forward(Tensor x, boolean training);

    /** Trainable parameters, in a fixed order (kernel before bias). Empty for layers without weights. */
    public List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Penalties this layer adds to the training loss, Keras's {@code layer.losses} from weight regularizers:
     * scalar tensors (shape (1)) built from this layer's current weights, so they can be differentiated.
     * Empty for layers without regularizers (the default).
     */
    public List<Tensor> regularizationLosses() {
        return List.of();
    }

    /**
     * Non-trainable variables the layer updates by itself, e.g. BatchNormalization's moving statistics, named
     * like parameters ({@code layer/moving_mean}). Model files save and load them with the parameters; they are
     * not in {@link #parameters()}, so optimizers never update them and pruning never masks them. Empty by
     * default.
     */
    public List<Parameter> state() {
        return List.of();
    }

    /**
     * Non-trainable values this layer stores, counted by summary as Keras's "Non-trainable params": by default
     * the size of {@link #state()}; wrappers add their own (e.g. pruning masks).
     */
    public long nonTrainableCount() {
        long n = 0;
        for (Parameter p : state()) {
            n += p.size();
        }
        return n;
    }

    /** Builds the layer for {@code inputShape}; called once by {@link Sequential}. */
    public final int[] build(int[] inputShape, Random rng) {
        if (isBuilt()) {
            if (!Arrays.equals(this.inputShape, inputShape)) {
                throw new IllegalStateException("layer " + name + " was built for input " + Arrays.toString(this.inputShape)
                        + " and cannot be reused for " + Arrays.toString(inputShape));
            }
            return outputShape.clone();
        }
        if (name == null) {
            throw new IllegalStateException("layer must be named before it is built");
        }
        int[] out = doBuild(inputShape.clone(), rng);
        this.inputShape = inputShape.clone();
        this.outputShape = out.clone();
        return out;
    }

    /** Whether {@link #build} has run. */
    public boolean isBuilt() {
        return outputShape != null;
    }

    /** The layer's name (e.g. "conv2d_1"), or null before it joins a model. */
    public String name() {
        return name;
    }

    /**
     * Names the layer; the model does this with Keras-style names unless the user did first.
     *
     * @throws IllegalStateException once the layer is built
     */
    public Layer setName(String name) {
        if (isBuilt()) {
            throw new IllegalStateException("cannot rename layer " + this.name + " after it is built");
        }
        if (name == null || name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("layer name must be non-blank and contain no '/', got '" + name + "'");
        }
        this.name = name;
        return this;
    }

    /** Input shape without batch; a copy. */
    public int[] inputShape() {
        requireBuilt();
        return inputShape.clone();
    }

    /** Output shape without batch; a copy. */
    public int[] outputShape() {
        requireBuilt();
        return outputShape.clone();
    }

    /**
     * Tells the layer that {@code weights}, one of its parameters, is pruned by {@code keep} (the live mask,
     * row-major like the parameter, true = kept, updated in place by mask updates), and that from
     * {@code sparseFrom} sparsity on it may compute with the kept weights only. Called by the pruning wrapper,
     * which zeroes pruned weights before every forward pass either way. The default ignores it; Conv2D trains
     * sparse ({@link dev.shears.kernels.MaskedConv}). {@code keep} null: no longer pruned.
     */
    public void pruneWith(Parameter weights, boolean[] keep, double sparseFrom) {
    }

    /** The layer wrapped by this one, or this layer itself (wrappers such as pruning override). */
    public Layer unwrap() {
        return this;
    }

    protected final void requireBuilt() {
        if (!isBuilt()) {
            throw new IllegalStateException("layer " + name + " is not built yet; add it to a Sequential model first");
        }
    }

    /** Helper for subclasses' {@link #config}: an ordered map from key/value pairs. */
    protected static Map<String, Object> configOf(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Keras's default snake_case name for a type, e.g. Conv2D -> conv2d, MaxPooling2D -> max_pooling2d. */
    static String defaultBaseName(String type) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < type.length(); i++) {
            char ch = type.charAt(i);
            if (Character.isUpperCase(ch) && i > 0 && Character.isLowerCase(type.charAt(i - 1))) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(ch));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + " (" + type() + ")";
    }
}
