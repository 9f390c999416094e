package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Depthwise 2-D convolution as in Keras 3: input (h, w, c), kernel (kh, kw, c, depth_multiplier), bias
 * (c * depth_multiplier) unless {@code use_bias} is false, output (oh, ow, c * depth_multiplier) where
 * output channel {@code ch * depth_multiplier + m} convolves input channel ch alone with
 * {@code kernel[:, :, ch, m]}. Strides and 'valid' / 'same' padding as {@link Conv2D}. The kernel is
 * prunable, the bias is not.
 *
 * <pre>{@code new DepthwiseConv2D(3, Activation.RELU)  // DepthwiseConv2D(3, activation='relu')}</pre>
 */
public final class DepthwiseConv2D extends Layer {
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final int depthMultiplier;
    private final Activation activation;
    private final boolean useBias;
    private final Initializer depthwiseInitializer;
    private Parameter kernel;
    private Parameter bias;

    /**
     * Square kernel, stride 1, valid padding, depth multiplier 1, glorot_uniform kernel and zero bias: Keras's
     * {@code DepthwiseConv2D(kernel_size, activation=...)}.
     *
     * @throws IllegalArgumentException for a non-positive kernel size
     */
    public DepthwiseConv2D(int kernelSize, Activation activation) {
        this(builder(kernelSize).activation(activation));
    }

    private DepthwiseConv2D(Builder b) {
        if (b.kernelH <= 0 || b.kernelW <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D kernel size must be positive, got " + b.kernelH + "x" + b.kernelW);
        }
        if (b.strideH <= 0 || b.strideW <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D strides must be positive, got " + b.strideH + "x" + b.strideW);
        }
        if (b.depthMultiplier <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D depth_multiplier must be positive, got " + b.depthMultiplier);
        }
        this.kernelH = b.kernelH;
        this.kernelW = b.kernelW;
        this.strideH = b.strideH;
        this.strideW = b.strideW;
        this.padding = Objects.requireNonNull(b.padding, "padding");
        this.depthMultiplier = b.depthMultiplier;
        this.activation = Objects.requireNonNull(b.activation, "activation");
        this.useBias = b.useBias;
        this.depthwiseInitializer = Objects.requireNonNull(b.depthwiseInitializer, "depthwiseInitializer");
    }

    /**
     * A builder for a square kernel with Keras's defaults: stride 1, valid padding, depth multiplier 1, linear
     * activation, a bias, glorot_uniform kernel.
     *
     * <pre>{@code DepthwiseConv2D.builder(3).padding(Padding.SAME).activation(Activation.RELU6).build()}</pre>
     */
    public static Builder builder(int kernelSize) {
        return new Builder(kernelSize, kernelSize);
    }

    /** A builder for a {@code kernelH x kernelW} kernel; see {@link #builder(int)}. */
    public static Builder builder(int kernelH, int kernelW) {
        return new Builder(kernelH, kernelW);
    }

    /** Named options of a {@link DepthwiseConv2D}, as Keras's keyword arguments; {@link #build()} checks them. */
    public static final class Builder {
        private final int kernelH;
        private final int kernelW;
        private int strideH = 1;
        private int strideW = 1;
        private Padding padding = Padding.VALID;
        private int depthMultiplier = 1;
        private Activation activation = Activation.LINEAR;
        private boolean useBias = true;
        private Initializer depthwiseInitializer = Initializer.GLOROT_UNIFORM;

        private Builder(int kernelH, int kernelW) {
            this.kernelH = kernelH;
            this.kernelW = kernelW;
        }

        /** The same stride along height and width. */
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

        /** Output channels per input channel (default 1). */
        public Builder depthMultiplier(int depthMultiplier) {
            this.depthMultiplier = depthMultiplier;
            return this;
        }

        /** The activation applied after the bias (default linear). */
        public Builder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** Whether the layer has a bias (default true). */
        public Builder useBias(boolean useBias) {
            this.useBias = useBias;
            return this;
        }

        /** How the kernel is initialized (default glorot_uniform). */
        public Builder depthwiseInitializer(Initializer initializer) {
            this.depthwiseInitializer = initializer;
            return this;
        }

        /**
         * The layer.
         *
         * @throws IllegalArgumentException for a non-positive kernel size, stride or depth multiplier
         * @throws NullPointerException     for a null padding, activation or initializer
         */
        public DepthwiseConv2D build() {
            return new DepthwiseConv2D(this);
        }
    }

    @Override
    public String type() {
        return "DepthwiseConv2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("kernel_size", List.of(kernelH, kernelW), "strides", List.of(strideH, strideW),
                "padding", padding.name().toLowerCase(java.util.Locale.ROOT), "depth_multiplier", depthMultiplier,
                "activation", activation.kerasName(), "use_bias", useBias, "depthwise_initializer", depthwiseInitializer.kerasName());
    }

    /** Output (oh, ow, c*dm); kernel (kh, kw, c, dm), bias (c*dm) if use_bias; no scratch (a direct kernel). */
    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("DepthwiseConv2D " + name() + " needs input (height, width, channels), got "
                    + Arrays.toString(in) + (in.length == 1 ? " (a flat vector: DepthwiseConv2D cannot follow Flatten or Dense)" : ""));
        }
        int oh = ConvOps.outputSize(in[0], kernelH, strideH, padding);
        int ow = ConvOps.outputSize(in[1], kernelW, strideW, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("DepthwiseConv2D " + name() + ": kernel " + kernelH + "x" + kernelW
                    + " does not fit input " + Arrays.toString(in) + " with " + padding + " padding");
        }
        int oc = Plan.dim((long) in[2] * depthMultiplier, "DepthwiseConv2D " + name() + " output channels");
        int[] kernelShape = {kernelH, kernelW, in[2], depthMultiplier};
        int[] out = {oh, ow, oc};
        return useBias ? Plan.of(out, 0, "kernel", kernelShape, "bias", new int[] {oc}) : Plan.of(out, 0, "kernel", kernelShape);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        int[] out = plan(in).outputShape();
        int c = in[2];
        float[] k = new float[kernelH * kernelW * c * depthMultiplier];
        // Keras's fans for a (kh, kw, c, dm) kernel: receptive field times its last two dimensions
        depthwiseInitializer.fill(k, kernelH * kernelW * c, kernelH * kernelW * depthMultiplier, rng);
        kernel = new Parameter(name() + "/kernel", Tensor.parameter(k, kernelH, kernelW, c, depthMultiplier), true);
        int oc = out[2];
        bias = useBias ? new Parameter(name() + "/bias", Tensor.parameter(new float[oc], oc), false) : null;
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        return activation.apply(ConvOps.depthwiseConv2d(x, kernel.value(), bias == null ? null : bias.value(), strideH, strideW, padding));
    }

    /** The kernel, then the bias if the layer has one. */
    @Override
    public List<Parameter> parameters() {
        requireBuilt();
        return bias == null ? List.of(kernel) : List.of(kernel, bias);
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

    /** Filters per input channel. */
    public int depthMultiplier() {
        return depthMultiplier;
    }

    /** Activation applied after the bias. */
    public Activation activation() {
        return activation;
    }

    /** Whether the layer has a bias. */
    public boolean useBias() {
        return useBias;
    }

    /** The kernel parameter (kh, kw, c, depth_multiplier). */
    public Parameter kernel() {
        requireBuilt();
        return kernel;
    }

    /** The bias parameter (c * depth_multiplier), or null when {@link #useBias()} is false. */
    public Parameter bias() {
        requireBuilt();
        return bias;
    }
}
