package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Fully connected layer as in Keras: input (in), kernel (in, units), bias (units), output
 * activation(x · kernel + bias) of shape (units).
 *
 * <pre>{@code new Dense(128, Activation.RELU)  // .withKernelRegularizer(Regularizer.l2(1e-4))}</pre>
 */
public final class Dense extends Layer {
    private final int units;
    private final Activation activation;
    private final Initializer kernelInitializer;
    private final Regularizer kernelRegularizer;
    private Parameter kernel;
    private Parameter bias;

    /** Glorot-uniform kernel, zero bias. */
    public Dense(int units, Activation activation) {
        this(units, activation, Initializer.GLOROT_UNIFORM);
    }

    /** @throws IllegalArgumentException if units is not positive */
    public Dense(int units, Activation activation, Initializer kernelInitializer) {
        this(units, activation, kernelInitializer, null);
    }

    /**
     * With a kernel regularizer (Keras's {@code kernel_regularizer}), or none when null.
     *
     * @throws IllegalArgumentException if units is not positive
     */
    public Dense(int units, Activation activation, Initializer kernelInitializer, Regularizer kernelRegularizer) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be positive, got " + units);
        }
        this.units = units;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        this.kernelInitializer = java.util.Objects.requireNonNull(kernelInitializer, "kernelInitializer");
        this.kernelRegularizer = kernelRegularizer;
    }

    /**
     * A copy of this (unbuilt) layer, name included, with a kernel regularizer.
     *
     * @throws IllegalStateException if this layer is already built
     */
    public Dense withKernelRegularizer(Regularizer regularizer) {
        if (isBuilt()) {
            throw new IllegalStateException("layer " + name() + " is built; set the regularizer before adding it to a model");
        }
        Dense copy = new Dense(units, activation, kernelInitializer, java.util.Objects.requireNonNull(regularizer, "regularizer"));
        if (name() != null) {
            copy.setName(name());
        }
        return copy;
    }

    @Override
    public String type() {
        return "Dense";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = configOf("units", units, "activation", activation.kerasName(),
                "kernel_initializer", kernelInitializer.kerasName());
        if (kernelRegularizer != null) {
            c.put("kernel_regularizer", kernelRegularizer.toConfig());
        }
        return c;
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
