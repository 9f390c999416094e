package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.ops.ConvOps.Padding;
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

    /** Square kernel, stride 1, valid padding, depth multiplier 1, glorot_uniform kernel and zero bias. */
    public DepthwiseConv2D(int kernelSize, Activation activation) {
        this(kernelSize, kernelSize, 1, 1, Padding.VALID, 1, activation, true, Initializer.GLOROT_UNIFORM);
    }

    /**
     * Full form.
     *
     * @throws IllegalArgumentException for a non-positive kernel size, stride or depth multiplier
     */
    public DepthwiseConv2D(int kernelH, int kernelW, int strideH, int strideW, Padding padding, int depthMultiplier,
                           Activation activation, boolean useBias, Initializer depthwiseInitializer) {
        if (kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D kernel size must be positive, got " + kernelH + "x" + kernelW);
        }
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D strides must be positive, got " + strideH + "x" + strideW);
        }
        if (depthMultiplier <= 0) {
            throw new IllegalArgumentException("DepthwiseConv2D depth_multiplier must be positive, got " + depthMultiplier);
        }
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = Objects.requireNonNull(padding, "padding");
        this.depthMultiplier = depthMultiplier;
        this.activation = Objects.requireNonNull(activation, "activation");
        this.useBias = useBias;
        this.depthwiseInitializer = Objects.requireNonNull(depthwiseInitializer, "depthwiseInitializer");
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
