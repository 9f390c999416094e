package dev.shears.nn;

import dev.shears.kernels.BatchNorm;
import dev.shears.ops.NormOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Batch normalization as in Keras 3, over the last axis (channels for NHWC images, features for flat
 * inputs): input and output (..., c), per channel y = (x - μ) / sqrt(σ² + ε) · γ + β.
 * <ul>
 * <li>Training ({@code forward(x, true)}): μ and σ² are the batch's mean and biased variance over every
 * axis but the last, and the moving statistics are updated with them, moving = moving·momentum +
 * batch·(1 - momentum).</li>
 * <li>Inference: μ and σ² are the moving statistics.</li>
 * </ul>
 * γ ({@code gamma}, ones, absent when {@code scale} is false) and β ({@code beta}, zeros, absent when
 * {@code center} is false) are trainable and never prunable. The moving mean (zeros) and variance (ones)
 * are the layer's {@link #state()}: saved with the model, not trained, counted by summary as non-trainable,
 * as in Keras. Keras's default axis -1 is the only one supported; there is no frozen ({@code
 * trainable=False}) mode.
 *
 * <pre>{@code new BatchNormalization()  // BatchNormalization(momentum=0.99, epsilon=1e-3)}</pre>
 */
public final class BatchNormalization extends Layer {
    private final double momentum;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private Parameter gamma;
    private Parameter beta;
    private Parameter movingMean;
    private Parameter movingVariance;

    /** Keras's defaults: momentum 0.99, epsilon 1e-3, center and scale. */
    public BatchNormalization() {
        this(0.99, 1e-3, true, true);
    }

    /**
     * Full form.
     *
     * @param center whether the layer has β
     * @param scale  whether the layer has γ
     * @throws IllegalArgumentException unless 0 &lt;= momentum &lt;= 1 and epsilon &gt; 0
     */
    public BatchNormalization(double momentum, double epsilon, boolean center, boolean scale) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got " + momentum);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("BatchNormalization epsilon must be positive and finite, got " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
    }

    @Override
    public String type() {
        return "BatchNormalization";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("axis", -1, "momentum", momentum, "epsilon", epsilon, "center", center, "scale", scale);
    }

    /**
     * Output the input's shape (..., c); parameters gamma (c) if scale, beta (c) if center; state moving_mean (c)
     * and moving_variance (c).
     */
    @Override
    public Plan plan(int[] in) {
        if (in.length < 1) {
            throw new ShapeMismatchException("BatchNormalization " + name() + " needs an input with a channel axis, got "
                    + Arrays.toString(in));
        }
        int[] c = {in[in.length - 1]};
        List<Object> params = new ArrayList<>();
        if (scale) {
            params.addAll(List.of("gamma", c));
        }
        if (center) {
            params.addAll(List.of("beta", c));
        }
        return Plan.of(in, 0, params.toArray()).withState("moving_mean", c, "moving_variance", c);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        plan(in);
        int c = in[in.length - 1];
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        gamma = scale ? new Parameter(name() + "/gamma", Tensor.parameter(ones.clone(), c), false) : null;
        beta = center ? new Parameter(name() + "/beta", Tensor.parameter(new float[c], c), false) : null;
        movingMean = new Parameter(name() + "/moving_mean", Tensor.of(new float[c], c), false);
        movingVariance = new Parameter(name() + "/moving_variance", Tensor.of(ones, c), false);
        return in.clone();
    }

    /**
     * Normalises x (n, ..., c); in training mode with the batch statistics, which then update the moving
     * ones, else with the moving statistics.
     */
    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        Tensor g = gamma == null ? null : gamma.value();
        Tensor b = beta == null ? null : beta.value();
        if (!training) {
            return NormOps.batchNormInference(x, g, b, movingMean.data(), movingVariance.data(), (float) epsilon);
        }
        int c = channels();
        float[] batchMean = new float[c];
        float[] batchVariance = new float[c];
        Tensor y = NormOps.batchNormTraining(x, g, b, (float) epsilon, batchMean, batchVariance);
        BatchNorm.updateMoving(movingMean.data(), batchMean, momentum, c);
        BatchNorm.updateMoving(movingVariance.data(), batchVariance, momentum, c);
        return y;
    }

    /** γ then β, those the layer has. */
    @Override
    public List<Parameter> parameters() {
        requireBuilt();
        List<Parameter> ps = new ArrayList<>(2);
        if (gamma != null) {
            ps.add(gamma);
        }
        if (beta != null) {
            ps.add(beta);
        }
        return List.copyOf(ps);
    }

    /** The moving mean, then the moving variance. */
    @Override
    public List<Parameter> state() {
        requireBuilt();
        return List.of(movingMean, movingVariance);
    }

    /** Number of channels normalised. */
    public int channels() {
        requireBuilt();
        return movingMean.size();
    }

    /** Weight of the old value in the moving averages. */
    public double momentum() {
        return momentum;
    }

    /** ε, added to the variance. */
    public double epsilon() {
        return epsilon;
    }

    /** Whether the layer has β. */
    public boolean center() {
        return center;
    }

    /** Whether the layer has γ. */
    public boolean scale() {
        return scale;
    }

    /** γ (c), or null when {@link #scale()} is false. */
    public Parameter gamma() {
        requireBuilt();
        return gamma;
    }

    /** β (c), or null when {@link #center()} is false. */
    public Parameter beta() {
        requireBuilt();
        return beta;
    }

    /** The moving mean (c). */
    public Parameter movingMean() {
        requireBuilt();
        return movingMean;
    }

    /** The moving variance (c). */
    public Parameter movingVariance() {
        requireBuilt();
        return movingVariance;
    }
}
