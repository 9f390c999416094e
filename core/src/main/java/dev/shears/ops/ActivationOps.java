package dev.shears.ops;

import dev.shears.kernels.Activations;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.Tensor;

/**
 * Differentiable element-wise activations with Keras's formulas (ReLU and softmax are in {@link Ops}).
 * Each op writes a new tensor of x's shape through a {@link Activations} kernel and registers its
 * backward right below, accumulating into x's gradient.
 *
 * <pre>{@code Tensor y = ActivationOps.gelu(Ops.addBias(Ops.matmul(x, w), b));}</pre>
 */
public final class ActivationOps {
    private ActivationOps() {
    }

    /** sigmoid(x) = 1 / (1 + e^-x). */
    public static Tensor sigmoid(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Activations.sigmoid(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ y (1 - y)
        out.setBackward(() -> Activations.sigmoidBackward(x.grad(), out.grad(), y, y.length));
        return out;
    }

    /** tanh(x). */
    public static Tensor tanh(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Activations.tanh(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ (1 - y²)
        out.setBackward(() -> Activations.tanhBackward(x.grad(), out.grad(), y, y.length));
        return out;
    }

    /**
     * leaky_relu(x) = x for x > 0, else slope · x; Keras 3's default {@code negative_slope} is 0.2.
     *
     * @throws IllegalArgumentException for a slope that is not finite
     */
    public static Tensor leakyRelu(Tensor x, float slope) {
        if (!Float.isFinite(slope)) {
            throw new IllegalArgumentException("leaky_relu negative_slope must be finite, got " + slope);
        }
        float[] y = BufferPool.floats(x.size());
        Activations.leakyRelu(y, x.data(), slope, y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ (x > 0 ? 1 : slope)
        out.setBackward(() -> Activations.leakyReluBackward(x.grad(), out.grad(), x.data(), slope, y.length));
        return out;
    }

    /**
     * elu(x) = x for x >= 0, else alpha · (e^x - 1); Keras's default alpha is 1.
     *
     * @throws IllegalArgumentException for an alpha that is not finite
     */
    public static Tensor elu(Tensor x, float alpha) {
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("elu alpha must be finite, got " + alpha);
        }
        float[] y = BufferPool.floats(x.size());
        Activations.elu(y, x.data(), alpha, y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ (x >= 0 ? 1 : y + alpha)
        out.setBackward(() -> Activations.eluBackward(x.grad(), out.grad(), x.data(), y, alpha, y.length));
        return out;
    }

    /** Exact GELU, Keras's default: gelu(x) = x Φ(x) = 0.5 x (1 + erf(x / √2)). */
    public static Tensor gelu(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Activations.gelu(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ (Φ(x) + x φ(x))
        out.setBackward(() -> Activations.geluBackward(x.grad(), out.grad(), x.data(), y.length));
        return out;
    }

    /** silu(x) = x · sigmoid(x), also called swish. */
    public static Tensor silu(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Activations.silu(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY ⊙ s (1 + x (1 - s)), s = sigmoid(x)
        out.setBackward(() -> Activations.siluBackward(x.grad(), out.grad(), x.data(), y.length));
        return out;
    }

    /** relu6(x) = min(max(x, 0), 6). */
    public static Tensor relu6(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Activations.relu6(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        // dX += dY where 0 < x < 6
        out.setBackward(() -> Activations.relu6Backward(x.grad(), out.grad(), x.data(), y.length));
        return out;
    }
}
