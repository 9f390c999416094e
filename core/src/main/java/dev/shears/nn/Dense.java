package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fully connected layer as in Keras: input (in), kernel (in, units), bias (units), output
 * activation(x · kernel + bias) of shape (units).
 *
 * <pre>{@code new Dense(128, Activation.RELU)}</pre>
 */
public final class Dense extends Layer {
    private final int units;
    private final Activation activation;
    private final Initializer kernelInitializer;
    private Parameter kernel;
    private Parameter bias;

    /** Glorot-uniform kernel, zero bias. */
    public Dense(int units, Activation activation) {
        this(units, activation, Initializer.GLOROT_UNIFORM);
    }

    /** @throws IllegalArgumentException if units is not positive */
    public Dense(int units, Activation activation, Initializer kernelInitializer) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be positive, got " + units);
        }
        this.units = units;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        this.kernelInitializer = java.util.Objects.requireNonNull(kernelInitializer, "kernelInitializer");
    }

    @Override
    public String type() {
        return "Dense";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("units", units, "activation", activation.kerasName(), "kernel_initializer", kernelInitializer.kerasName());
    }

    /** Output (units); kernel (in, units), bias (units). */
    @Override
    public Plan plan(int[] in) {
        if (in.length != 1) {
            throw new ShapeMismatchException("Dense " + name() + " needs a flat input (features), got "
                    + Arrays.toString(in) + "; add Flatten or GlobalAveragePooling2D before it");
        }
        return Plan.of(new int[] {units}, 0, "kernel", new int[] {in[0], units}, "bias", new int[] {units});
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        plan(in);
        float[] k = new float[in[0] * units];
        kernelInitializer.fill(k, in[0], units, rng);
        kernel = new Parameter(name() + "/kernel", Tensor.parameter(k, in[0], units), true);
        bias = new Parameter(name() + "/bias", Tensor.parameter(new float[units], units), false);
        return new int[] {units};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        return activation.apply(Ops.addBias(Ops.matmul(x, kernel.value()), bias.value()));
    }

    @Override
    public List<Parameter> parameters() {
        requireBuilt();
        return List.of(kernel, bias);
    }

    /** Output size. */
    public int units() {
        return units;
    }

    /** Activation applied after the bias. */
    public Activation activation() {
        return activation;
    }

    /** The kernel parameter (in, units). */
    public Parameter kernel() {
        requireBuilt();
        return kernel;
    }

    /** The bias parameter (units). */
    public Parameter bias() {
        requireBuilt();
        return bias;
    }
}
