package dev.shears.ops;

import dev.shears.kernels.BatchNorm;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * Differentiable batch normalization over the last axis (Keras's BatchNormalization, axis -1): x (..., c)
 * is seen as (rows, c) and each channel is normalised with its own mean μ and variance σ²,
 * <pre>
 * y = (x - μ) / sqrt(σ² + ε) · γ + β,   computed as  y = x · s + (β - μ · s),  s = γ / sqrt(σ² + ε)
 * </pre>
 * as TensorFlow does. In training mode μ and σ² are the batch's own (biased variance), in inference mode
 * given values (the moving statistics). A null gamma means γ = 1, a null beta β = 0.
 *
 * <pre>{@code Tensor y = NormOps.batchNormTraining(x, gamma, beta, 1e-3f, batchMean, batchVariance);}</pre>
 */
public final class NormOps {
    private NormOps() {
    }

    /**
     * Training-mode batch normalization: normalises with the batch's per-channel mean and biased variance,
     * which it writes to {@code meanOut} and {@code varianceOut} (c) for the moving averages. Gradients
     * flow into x (through μ and σ² too), gamma and beta.
     *
     * @throws ShapeMismatchException if gamma, beta or the output arrays do not have c values
     */
    public static Tensor batchNormTraining(Tensor x, Tensor gamma, Tensor beta, float epsilon, float[] meanOut, float[] varianceOut) {
        int c = channels(x, gamma, beta, meanOut, varianceOut);
        int rows = x.size() / c;
        BatchNorm.moments(meanOut, varianceOut, x.data(), rows, c);
        float[] mean = meanOut.clone();
        float[] invStd = BufferPool.floats(c);
        BatchNorm.invStd(invStd, varianceOut, epsilon, c);
        float[] g = gamma == null ? null : gamma.data();
        float[] scale = BufferPool.floats(c);
        float[] shift = BufferPool.floats(c);
        BatchNorm.scaleShift(scale, shift, g, beta == null ? null : beta.data(), mean, varianceOut, epsilon, c);
        Tensor out = affine(x, gamma, beta, scale, shift);
        out.setBackward(() -> {
            float[] dY = out.grad();
            double[] sumDy = new double[c];
            double[] sumDyXhat = new double[c];
            BatchNorm.gradientSums(sumDy, sumDyXhat, dY, x.data(), mean, invStd, rows, c);
            // dGamma (c) += Σ dY·x̂, dBeta (c) += Σ dY
            affineParameterGradients(gamma, beta, sumDy, sumDyXhat);
            if (x.requiresGrad()) {
                // dX (rows,c) += γ·invStd·(dY - mean(dY) - x̂·mean(dY·x̂)): μ and σ² are functions of x
                BatchNorm.inputGradient(x.grad(), dY, x.data(), mean, invStd, g, sumDy, sumDyXhat, rows, c);
            }
        });
        return out;
    }

    /**
     * Inference-mode batch normalization with fixed statistics (copied, so later updates of the arrays do
     * not change this op's backward). Gradients flow into x, gamma and beta, not into the statistics.
     *
     * @throws ShapeMismatchException if gamma, beta, mean or variance do not have c values
     */
    public static Tensor batchNormInference(Tensor x, Tensor gamma, Tensor beta, float[] mean, float[] variance, float epsilon) {
        int c = channels(x, gamma, beta, mean, variance);
        int rows = x.size() / c;
        float[] mu = mean.clone();
        float[] invStd = BufferPool.floats(c);
        BatchNorm.invStd(invStd, variance, epsilon, c);
        float[] scale = BufferPool.floats(c);
        float[] shift = BufferPool.floats(c);
        BatchNorm.scaleShift(scale, shift, gamma == null ? null : gamma.data(), beta == null ? null : beta.data(), mu, variance,
                epsilon, c);
        Tensor out = affine(x, gamma, beta, scale, shift);
        out.setBackward(() -> {
            float[] dY = out.grad();
            if ((gamma != null && gamma.requiresGrad()) || (beta != null && beta.requiresGrad())) {
                double[] sumDy = new double[c];
                double[] sumDyXhat = new double[c];
                BatchNorm.gradientSums(sumDy, sumDyXhat, dY, x.data(), mu, invStd, rows, c);
                affineParameterGradients(gamma, beta, sumDy, sumDyXhat);
            }
            if (x.requiresGrad()) {
                // dX (rows,c) += dY · s: the statistics are constants here
                BatchNorm.scaleGradient(x.grad(), dY, scale, rows, c);
            }
        });
        return out;
    }

    /** y (rows,c) = x·scale + shift; the output tensor, its backward not yet set. */
    private static Tensor affine(Tensor x, Tensor gamma, Tensor beta, float[] scale, float[] shift) {
        int c = scale.length;
        float[] y = BufferPool.floats(x.size());
        BatchNorm.affine(y, x.data(), scale, shift, x.size() / c, c);
        Tensor[] inputs = gamma == null && beta == null ? new Tensor[] {x}
                : gamma == null ? new Tensor[] {x, beta} : beta == null ? new Tensor[] {x, gamma} : new Tensor[] {x, gamma, beta};
        return Tensor.derived(y, x.shape(), inputs);
    }

    private static void affineParameterGradients(Tensor gamma, Tensor beta, double[] sumDy, double[] sumDyXhat) {
        if (gamma != null && gamma.requiresGrad()) {
            float[] dGamma = gamma.grad();
            for (int ch = 0; ch < dGamma.length; ch++) {
                dGamma[ch] += (float) sumDyXhat[ch];
            }
        }
        if (beta != null && beta.requiresGrad()) {
            float[] dBeta = beta.grad();
            for (int ch = 0; ch < dBeta.length; ch++) {
                dBeta[ch] += (float) sumDy[ch];
            }
        }
    }

    /** The channel count c = x's last dimension, after checking every per-channel argument has c values. */
    private static int channels(Tensor x, Tensor gamma, Tensor beta, float[] a, float[] b) {
        if (x.rank() < 2) {
            throw new ShapeMismatchException("batch normalization needs x (batch, ..., channels), got " + Arrays.toString(x.shape()));
        }
        int c = x.shape(-1);
        int[] expected = {c};
        if (gamma != null && (gamma.rank() != 1 || gamma.size() != c)) {
            throw new ShapeMismatchException("batch normalization gamma", expected, gamma.shape());
        }
        if (beta != null && (beta.rank() != 1 || beta.size() != c)) {
            throw new ShapeMismatchException("batch normalization beta", expected, beta.shape());
        }
        if (a.length != c || b.length != c) {
            throw new ShapeMismatchException("batch normalization statistics", expected, new int[] {a.length == c ? b.length : a.length});
        }
        return c;
    }
}
