package dev.shears.nn;

import dev.shears.kernels.MaskedConv;
import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * 2-D convolution as in Keras: input (h, w, c), kernel (kh, kw, c, filters), bias (filters), output
 * (oh, ow, filters).
 *
 * <pre>{@code new Conv2D(16, 5, Activation.RELU)  // Conv2D(16, (5, 5), activation='relu')
 * Conv2D.builder(32, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU)
 *         .kernelRegularizer(Regularizer.l2(1e-4)).build()}</pre>
 */
public final class Conv2D extends Layer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final Activation activation;
    private final Initializer kernelInitializer;
    private final Regularizer kernelRegularizer;
    private Parameter kernel;
    /** The kernel's pruning mask while a pruning wrapper trains this layer, else null. */
    private MaskedConv.Mask kernelMask;
    private Parameter bias;

    /**
     * Square kernel, stride 1, valid padding, glorot_uniform kernel and zero bias: Keras's
     * {@code Conv2D(filters, kernel_size, activation=...)}.
     *
     * @throws IllegalArgumentException for non-positive filters or kernel size
     */
    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(builder(filters, kernelSize).activation(activation));
    }

    private Conv2D(Builder b) {
        if (b.filters <= 0) {
            throw new IllegalArgumentException("Conv2D filters must be positive, got " + b.filters);
        }
        if (b.kernelH <= 0 || b.kernelW <= 0) {
            throw new IllegalArgumentException("Conv2D kernel size must be positive, got " + b.kernelH + "x" + b.kernelW);
        }
        if (b.strideH <= 0 || b.strideW <= 0) {
            throw new IllegalArgumentException("Conv2D strides must be positive, got " + b.strideH + "x" + b.strideW);
        }
        this.filters = b.filters;
        this.kernelH = b.kernelH;
        this.kernelW = b.kernelW;
        this.strideH = b.strideH;
        this.strideW = b.strideW;
        this.padding = java.util.Objects.requireNonNull(b.padding, "padding");
        this.activation = java.util.Objects.requireNonNull(b.activation, "activation");
        this.kernelInitializer = java.util.Objects.requireNonNull(b.kernelInitializer, "kernelInitializer");
        this.kernelRegularizer = b.kernelRegularizer;
    }

    /**
     * A builder for a layer of {@code filters} outputs and a square kernel, with Keras's defaults: stride 1,
     * valid padding, linear activation, glorot_uniform kernel, no regularizer.
     *
     * <pre>{@code Conv2D.builder(32, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU).build()}</pre>
     */
    public static Builder builder(int filters, int kernelSize) {
        return new Builder(filters, kernelSize, kernelSize);
    }

    /** A builder for a layer with a {@code kernelH x kernelW} kernel; see {@link #builder(int, int)}. */
    public static Builder builder(int filters, int kernelH, int kernelW) {
        return new Builder(filters, kernelH, kernelW);
    }

    /** Named options of a {@link Conv2D}, as Keras's keyword arguments; {@link #build()} checks them. */
    public static final class Builder {
        private final int filters;
        private final int kernelH;
        private final int kernelW;
        private int strideH = 1;
        private int strideW = 1;
        private Padding padding = Padding.VALID;
        private Activation activation = Activation.LINEAR;
        private Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
        private Regularizer kernelRegularizer;

        private Builder(int filters, int kernelH, int kernelW) {
            this.filters = filters;
            this.kernelH = kernelH;
            this.kernelW = kernelW;
        }

        /** The same stride along height and width (Keras's {@code strides=s}). */
        public Builder strides(int stride) {
            return strides(stride, stride);
        }

        /** Strides along height and width. */
        public Builder strides(int strideH, int strideW) {
            this.strideH = strideH;
            this.strideW = strideW;
            return this;
        }

        /** {@link Padding#VALID} (the default) or {@link Padding#SAME}. */
        public Builder padding(Padding padding) {
            this.padding = padding;
            return this;
        }

        /** The activation applied after the bias (default linear). */
        public Builder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** How the kernel is initialized (default glorot_uniform; the bias starts at zero). */
        public Builder kernelInitializer(Initializer initializer) {
            this.kernelInitializer = initializer;
            return this;
        }

        /** Keras's {@code kernel_regularizer}, or none when null (the default). */
        public Builder kernelRegularizer(Regularizer regularizer) {
            this.kernelRegularizer = regularizer;
            return this;
        }

        /**
         * The layer.
         *
         * @throws IllegalArgumentException for non-positive filters, kernel sizes or strides
         * @throws NullPointerException     for a null padding, activation or initializer
         */
        public Conv2D build() {
            return new Conv2D(this);
        }
    }

    /**
     * A copy of this (unbuilt) layer, name included, with a kernel regularizer.
     *
     * @throws IllegalStateException if this layer is already built
     */
    public Conv2D withKernelRegularizer(Regularizer regularizer) {
        if (isBuilt()) {
            throw new IllegalStateException("layer " + name() + " is built; set the regularizer before adding it to a model");
        }
        Conv2D copy = builder(filters, kernelH, kernelW).strides(strideH, strideW).padding(padding).activation(activation)
                .kernelInitializer(kernelInitializer)
                .kernelRegularizer(java.util.Objects.requireNonNull(regularizer, "regularizer")).build();
        if (name() != null) {
            copy.setName(name());
        }
        return copy;
    }

    @Override
    public String type() {
        return "Conv2D";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = configOf("filters", filters, "kernel_size", List.of(kernelH, kernelW),
                "strides", List.of(strideH, strideW), "padding", padding.name().toLowerCase(java.util.Locale.ROOT),
                "activation", activation.kerasName(), "kernel_initializer", kernelInitializer.kerasName());
        if (kernelRegularizer != null) {
            c.put("kernel_regularizer", kernelRegularizer.toConfig());
        }
        return c;
    }

    /** Output (oh, ow, filters); kernel (kh, kw, c, filters), bias (filters); scratch: the unfolded input oh*ow*kh*kw*c. */
    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("Conv2D " + name() + " needs input (height, width, channels), got "
                    + Arrays.toString(in) + (in.length == 1 ? " (a flat vector: Conv2D cannot follow Flatten or Dense)" : ""));
        }
        int oh = ConvOps.outputSize(in[0], kernelH, strideH, padding);
        int ow = ConvOps.outputSize(in[1], kernelW, strideW, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("Conv2D " + name() + ": kernel " + kernelH + "x" + kernelW
                    + " does not fit input " + Arrays.toString(in) + " with " + padding + " padding");
        }
        int c = in[2];
        return Plan.of(new int[] {oh, ow, filters}, Plan.product(oh, ow, kernelH, kernelW, c),
                "kernel", new int[] {kernelH, kernelW, c, filters}, "bias", new int[] {filters});
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        int[] out = plan(in).outputShape();
        int c = in[2];
        float[] k = new float[kernelH * kernelW * c * filters];
        kernelInitializer.fill(k, kernelH * kernelW * c, kernelH * kernelW * filters, rng);
        kernel = new Parameter(name() + "/kernel", Tensor.parameter(k, kernelH, kernelW, c, filters), true);
        bias = new Parameter(name() + "/bias", Tensor.parameter(new float[filters], filters), false);
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        if (kernelMask != null) {
            kernelMask.refresh();
        }
        boolean relu = activation == Activation.RELU;
        Tensor y = ConvOps.conv2d(x, kernel.value(), bias.value(), strideH, strideW, padding, relu, kernelMask);
        return relu ? y : activation.apply(y);
    }

    /** Trains sparse under the kernel's pruning mask: see {@link ConvOps#conv2d(Tensor, Tensor, Tensor, int, int, Padding, boolean, MaskedConv.Mask)}. */
    @Override
    public void pruneWith(Parameter weights, boolean[] keep, double sparseFrom) {
        requireBuilt();
        if (weights == kernel) {
            kernelMask = keep == null ? null : new MaskedConv.Mask(keep, kernel.size() / filters, filters, sparseFrom);
        }
    }

    @Override
    public List<Parameter> parameters() {
        requireBuilt();
        return List.of(kernel, bias);
    }

    /** Keras's kernel penalty, {@code regularizer(kernel)}, when a regularizer is set. */
    @Override
    public List<Tensor> regularizationLosses() {
        requireBuilt();
        return kernelRegularizer == null ? List.of() : List.of(kernelRegularizer.penalty(kernel.value()));
    }

    /** The kernel regularizer, if any. */
    public Optional<Regularizer> kernelRegularizer() {
        return Optional.ofNullable(kernelRegularizer);
    }

    /** Number of filters (output channels). */
    public int filters() {
        return filters;
    }

    /** Kernel height and width. */
    public int[] kernelSize() {
        return new int[] {kernelH, kernelW};
    }

    /** Strides (vertical, horizontal). */
    public int[] strides() {
        return new int[] {strideH, strideW};
    }

    /** Padding mode. */
    public Padding padding() {
        return padding;
    }

    /** Activation applied after the bias. */
    public Activation activation() {
        return activation;
    }

    /** The kernel parameter (kh, kw, c, filters). */
    public Parameter kernel() {
        requireBuilt();
        return kernel;
    }

    /** The bias parameter (filters). */
    public Parameter bias() {
        requireBuilt();
        return bias;
    }
}
