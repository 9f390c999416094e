package dev.shears.nn;

import dev.shears.data.Dataset;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.GradMode;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Shapes;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A stack of layers, built at construction: each layer gets the previous layer's output shape, so shape
 * errors surface here rather than at the first batch. Layers are named Keras-style (conv2d, conv2d_1, ...)
 * unless named by the user; parameters are named {@code layer/kernel} and {@code layer/bias}.
 *
 * <pre>{@code
 * Sequential model = Sequential.builder(28, 28, 1).seed(42)
 *         .add(new Conv2D(16, 5, Activation.RELU)).add(new MaxPooling2D(2))
 *         .add(new GlobalAveragePooling2D()).add(new Dense(10, Activation.SOFTMAX))
 *         .build();
 * }</pre>
 */
public final class Sequential {
    /** Examples per batch of {@link #predict(float[], int)}, Keras's default. */
    public static final int DEFAULT_PREDICT_BATCH = 32;

    private final String name;
    private final int[] inputShape;
    private final long seed;
    private final List<Layer> layers;
    private long trainingStep;

    /**
     * Builds the model; layers already built (e.g. shared with another model) must match their input shape.
     *
     * @param inputShape one example's shape, e.g. (28, 28, 1)
     * @param seed       seeds weight initialization and dropout
     */
    public Sequential(String name, int[] inputShape, long seed, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a Sequential model needs at least one layer");
        }
        Shapes.size(inputShape);
        this.name = name;
        this.inputShape = inputShape.clone();
        this.seed = seed;
        this.layers = List.copyOf(layers);
        assignNames(this.layers);
        Random rng = new Random(seed);
        int[] shape = this.inputShape;
        for (Layer layer : this.layers) {
            shape = layer.build(shape, rng);
        }
    }

    /** Starts a builder for inputs of the given per-example shape, e.g. {@code builder(28, 28, 1)}. */
    public static Builder builder(int... inputShape) {
        return new Builder(inputShape);
    }

    /** Names the unnamed layers Keras-style (conv2d, conv2d_1, ...), after checking that given names are unique. */
    static void assignNames(List<Layer> layers) {
        Set<String> used = new HashSet<>();
        for (Layer l : layers) {
            if (l.name() != null && !used.add(l.name())) {
                throw new IllegalArgumentException("two layers are named '" + l.name() + "'");
            }
        }
        Map<String, Integer> counters = new HashMap<>();
        for (Layer l : layers) {
            if (l.name() == null) {
                String base = Layer.defaultBaseName(l.type());
                String candidate;
                do {
                    int k = counters.merge(base, 1, Integer::sum) - 1;
                    candidate = k == 0 ? base : base + "_" + k;
                } while (!used.add(candidate));
                l.setName(candidate);
            }
        }
    }

    /**
     * Forward pass on a batch {@code (n, inputShape...)}. With {@code training} true, dropout is active
     * and the model's training step advances by one.
     *
     * @throws ShapeMismatchException if x's shape is not (n, inputShape...)
     */
    public Tensor forward(Tensor x, boolean training) {
        int[] s = x.shape();
        if (s.length != inputShape.length + 1 || !Arrays.equals(Shapes.tail(s), inputShape)) {
            throw new ShapeMismatchException("model " + name + " input", Shapes.prepend(s.length > 0 ? s[0] : 1, inputShape), s);
        }
        if (training) {
            for (Layer l : layers) {
                if (l.unwrap() instanceof Dropout d) {
                    d.setStep(trainingStep);
                }
            }
            trainingStep++;
        }
        Tensor y = x;
        for (Layer l : layers) {
            y = l.forward(y, training);
        }
        return y;
    }

    /**
     * Inference on {@code n} examples given as one flat array, {@code x (n, inputShape...)}, in batches of
     * {@link #DEFAULT_PREDICT_BATCH}, recording no graph; the same call as {@code InferenceModel.predict}.
     *
     * @return outputs (n, outputShape...) flattened row-major
     * @throws ShapeMismatchException if x does not hold n examples
     */
    public float[] predict(float[] x, int n) {
        return predict(x, n, DEFAULT_PREDICT_BATCH);
    }

    /**
     * The index of the largest output of each of the {@code n} examples (the predicted class); the same call
     * as {@code InferenceModel.classify}.
     *
     * @throws ShapeMismatchException if x does not hold n examples
     */
    public int[] classify(float[] x, int n) {
        int outSize = Math.toIntExact(Shapes.size(outputShape()));
        return dev.shears.kernels.Elementwise.argmaxRows(predict(x, n), n, outSize);
    }

    /**
     * Inference on {@code n} examples given as one flat array, in batches, recording no graph.
     *
     * @return outputs (n, outputShape...) flattened row-major
     */
    public float[] predict(float[] x, int n, int batchSize) {
        int inSize = Math.toIntExact(Shapes.size(inputShape));
        int outSize = Math.toIntExact(Shapes.size(outputShape()));
        if (x.length != (long) n * inSize) {
            throw new ShapeMismatchException("predict: " + x.length + " values is not " + n + " examples of shape "
                    + Arrays.toString(inputShape));
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        float[] out = new float[n * outSize];
        // Each batch's tensors go back to this pool once its output is copied out; the next batch reuses them.
        BufferPool buffers = new BufferPool();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int start = 0; start < n; start += batchSize) {
                int b = Math.min(batchSize, n - start);
                try (BufferPool.Scope scope = buffers.open()) {
                    float[] xb = BufferPool.floats(b * inSize);
                    System.arraycopy(x, start * inSize, xb, 0, b * inSize);
                    Tensor y = forward(Tensor.of(xb, Shapes.prepend(b, inputShape)), false);
                    System.arraycopy(y.data(), 0, out, start * outSize, b * outSize);
                }
            }
        }
        return out;
    }

    /** Inference over a whole data set; outputs (size, outputShape...) flattened. */
    public float[] predict(Dataset data, int batchSize) {
        if (!Arrays.equals(data.featureShape(), inputShape)) {
            throw new ShapeMismatchException("predict: data set examples vs model input", inputShape, data.featureShape());
        }
        return predict(data.features(), data.size(), batchSize);
    }

    /** All trainable parameters, layer by layer. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.parameters());
        }
        return all;
    }

    /**
     * The weight penalties of all layers (wrapped layers included), Keras's {@code model.losses}: scalar
     * tensors from the current weights, to be added to the training loss. Empty when no layer has a regularizer.
     */
    public List<Tensor> regularizationLosses() {
        List<Tensor> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(l.unwrap().regularizationLosses());
        }
        return out;
    }

    /**
     * All non-trainable state variables ({@link Layer#state()}, e.g. BatchNormalization's moving
     * statistics), layer by layer: saved with the model, never given to an optimizer.
     */
    public List<Parameter> state() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.state());
        }
        return all;
    }

    /** The parameter with that name. */
    public Parameter parameter(String name) {
        for (Parameter p : parameters()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("model " + this.name + " has no parameter '" + name + "'");
    }

    /** Number of trainable values. */
    public long trainableCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size();
        }
        return n;
    }

    /** Number of non-trainable values (state such as moving statistics, pruning masks). */
    public long nonTrainableCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.nonTrainableCount();
        }
        return n;
    }

    /** The layers, in order; unmodifiable. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Model name ("sequential" by default). */
    public String name() {
        return name;
    }

    /** One example's input shape; a copy. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** One example's output shape. */
    public int[] outputShape() {
        return layers.get(layers.size() - 1).outputShape();
    }

    /** The seed used for initialization and dropout. */
    public long seed() {
        return seed;
    }

    /** Number of training forward passes so far (selects dropout masks). */
    public long trainingStep() {
        return trainingStep;
    }

    /** Restores the training step, e.g. when resuming from a checkpoint. */
    public void setTrainingStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("training step must be >= 0, got " + step);
        }
        this.trainingStep = step;
    }

    /** The Keras-style summary table (layer, output shape, parameter count, totals). */
    public String summary() {
        return Summary.render(this);
    }

    /** Builds a {@link Sequential} layer by layer. */
    public static final class Builder {
        private final int[] inputShape;
        private final List<Layer> layers = new ArrayList<>();
        private long seed = 0;
        private String name = "sequential";

        private Builder(int[] inputShape) {
            this.inputShape = inputShape.clone();
        }

        /** Adds a layer. */
        public Builder add(Layer layer) {
            layers.add(java.util.Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /** Seed for initialization and dropout (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Model name (default "sequential"). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Builds and initializes the model. */
        public Sequential build() {
            return new Sequential(name, inputShape, seed, layers);
        }
    }
}
