package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.ops.ConvOps.Padding;
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
 * new Conv2D(16, 5, Activation.RELU).withKernelRegularizer(Regularizer.l2(1e-4))}</pre>
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
    private Parameter bias;

    /** Square kernel, stride 1, valid padding, glorot_uniform kernel and zero bias. */
    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize, 1, 1, Padding.VALID, activation, Initializer.GLOROT_UNIFORM);
    }

    /**
     * Full form.
     *
     * @throws IllegalArgumentException for non-positive filters, kernel sizes or strides
     */
    public Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                  Activation activation, Initializer kernelInitializer) {
        this(filters, kernelH, kernelW, strideH, strideW, padding, activation, kernelInitializer, null);
    }

    /**
     * Full form with a kernel regularizer (Keras's {@code kernel_regularizer}), or none when null.
     *
     * @throws IllegalArgumentException for non-positive filters, kernel sizes or strides
     */
    public Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                  Activation activation, Initializer kernelInitializer, Regularizer kernelRegularizer) {
        if (filters <= 0) {
            throw new IllegalArgumentException("Conv2D filters must be positive, got " + filters);
        }
        if (kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2D kernel size must be positive, got " + kernelH + "x" + kernelW);
        }
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("Conv2D strides must be positive, got " + strideH + "x" + strideW);
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = java.util.Objects.requireNonNull(padding, "padding");
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        this.kernelInitializer = java.util.Objects.requireNonNull(kernelInitializer, "kernelInitializer");
        this.kernelRegularizer = kernelRegularizer;
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
        Conv2D copy = new Conv2D(filters, kernelH, kernelW, strideH, strideW, padding, activation, kernelInitializer,
                java.util.Objects.requireNonNull(regularizer, "regularizer"));
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
        if (activation == Activation.RELU) {
            return ConvOps.conv2d(x, kernel.value(), bias.value(), strideH, strideW, padding, true);
        }
        return activation.apply(ConvOps.conv2d(x, kernel.value(), bias.value(), strideH, strideW, padding));
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
