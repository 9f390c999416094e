package dev.shears.ops;

import dev.shears.kernels.Elementwise;
import dev.shears.kernels.Gemm;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Differentiable tensor operations. Each op validates shapes, computes its output with a kernel, and
 * registers its backward right below, accumulating ({@code +=}) into the inputs' gradients.
 *
 * <pre>{@code Tensor y = Ops.relu(Ops.addBias(Ops.matmul(x, w), b));}</pre>
 */
public final class Ops {
    private Ops() {
    }

    /** Matrix product: a (m,k) · b (k,n) -> (m,n). */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() != 2 || b.rank() != 2 || a.shape(1) != b.shape(0)) {
            throw new ShapeMismatchException("matmul needs (m,k) x (k,n), got " + Arrays.toString(a.shape())
                    + " x " + Arrays.toString(b.shape()));
        }
        int m = a.shape(0);
        int k = a.shape(1);
        int n = b.shape(1);
        float[] c = BufferPool.floats(m * n);
        // c is freshly zeroed: accumulating equals overwriting and skips the zero fill.
        Gemm.gemm(c, 0, a.data(), 0, b.data(), 0, m, k, n, true);
        Tensor out = Tensor.derived(c, new int[] {m, n}, a, b);
        out.setBackward(() -> {
            if (a.requiresGrad()) {
                // dA (m,k) += dC (m,n) · B^T
                Gemm.gemmTransB(a.grad(), 0, out.grad(), 0, b.data(), 0, m, n, k, true);
            }
            if (b.requiresGrad()) {
                // dB (k,n) += A^T · dC
                Gemm.gemmTransA(b.grad(), 0, a.data(), 0, out.grad(), 0, k, m, n, true);
            }
        });
        return out;
    }

    /** Adds {@code bias} (c) to every row of x (..., c). */
    public static Tensor addBias(Tensor x, Tensor bias) {
        int c = x.shape(-1);
        if (bias.rank() != 1 || bias.shape(0) != c) {
            throw new ShapeMismatchException("addBias: bias must match the last dimension of x",
                    new int[] {c}, bias.shape());
        }
        int rows = x.size() / c;
        float[] y = x.data().clone();
        Elementwise.addBiasRows(y, bias.data(), rows, c);
        Tensor out = Tensor.derived(y, x.shape(), x, bias);
        out.setBackward(() -> {
            if (x.requiresGrad()) {
                addInto(x.grad(), out.grad());
            }
            if (bias.requiresGrad()) {
                Elementwise.biasBackward(bias.grad(), out.grad(), rows, c);
            }
        });
        return out;
    }

    /** Element-wise a + b (same shape). */
    public static Tensor add(Tensor a, Tensor b) {
        checkSameShape("add", a, b);
        float[] y = BufferPool.floats(a.size());
        for (int i = 0; i < y.length; i++) {
            y[i] = a.data()[i] + b.data()[i];
        }
        Tensor out = Tensor.derived(y, a.shape(), a, b);
        out.setBackward(() -> {
            if (a.requiresGrad()) {
                addInto(a.grad(), out.grad());
            }
            if (b.requiresGrad()) {
                addInto(b.grad(), out.grad());
            }
        });
        return out;
    }

    /** Element-wise a - b (same shape). */
    public static Tensor sub(Tensor a, Tensor b) {
        checkSameShape("sub", a, b);
        float[] y = BufferPool.floats(a.size());
        for (int i = 0; i < y.length; i++) {
            y[i] = a.data()[i] - b.data()[i];
        }
        Tensor out = Tensor.derived(y, a.shape(), a, b);
        out.setBackward(() -> {
            if (a.requiresGrad()) {
                addInto(a.grad(), out.grad());
            }
            if (b.requiresGrad()) {
                float[] gb = b.grad();
                float[] g = out.grad();
                for (int i = 0; i < g.length; i++) {
                    gb[i] -= g[i];
                }
            }
        });
        return out;
    }

    /** Element-wise a * b (same shape). */
    public static Tensor mul(Tensor a, Tensor b) {
        checkSameShape("mul", a, b);
        float[] y = BufferPool.floats(a.size());
        for (int i = 0; i < y.length; i++) {
            y[i] = a.data()[i] * b.data()[i];
        }
        Tensor out = Tensor.derived(y, a.shape(), a, b);
        out.setBackward(() -> {
            float[] g = out.grad();
            if (a.requiresGrad()) {
                float[] ga = a.grad();
                for (int i = 0; i < g.length; i++) {
                    ga[i] += g[i] * b.data()[i];
                }
            }
            if (b.requiresGrad()) {
                float[] gb = b.grad();
                for (int i = 0; i < g.length; i++) {
                    gb[i] += g[i] * a.data()[i];
                }
            }
        });
        return out;
    }

    /** Sum of all values, a scalar of shape (1). */
    public static Tensor sum(Tensor x) {
        double s = 0;
        for (float v : x.data()) {
            s += v;
        }
        Tensor out = Tensor.derived(new float[] {(float) s}, new int[] {1}, x);
        out.setBackward(() -> {
            float g = out.grad()[0];
            float[] gx = x.grad();
            for (int i = 0; i < gx.length; i++) {
                gx[i] += g;
            }
        });
        return out;
    }

    /** Mean of all values, a scalar of shape (1). */
    public static Tensor mean(Tensor x) {
        return scale(sum(x), 1f / x.size());
    }

    /** x * s for a constant s. */
    public static Tensor scale(Tensor x, float s) {
        float[] y = BufferPool.floats(x.size());
        for (int i = 0; i < y.length; i++) {
            y[i] = x.data()[i] * s;
        }
        Tensor out = Tensor.derived(y, x.shape(), x);
        out.setBackward(() -> {
            float[] g = out.grad();
            float[] gx = x.grad();
            for (int i = 0; i < g.length; i++) {
                gx[i] += g[i] * s;
            }
        });
        return out;
    }

    /** max(x, 0) element-wise. */
    public static Tensor relu(Tensor x) {
        float[] y = BufferPool.floats(x.size());
        Elementwise.relu(y, x.data(), y.length);
        Tensor out = Tensor.derived(y, x.shape(), x);
        out.setBackward(() -> Elementwise.reluBackward(x.grad(), out.grad(), y, y.length));
        return out;
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        int c = x.shape(-1);
        int rows = x.size() / c;
        float[] y = BufferPool.floats(x.size());
        Elementwise.softmaxRows(y, x.data(), rows, c);
        Tensor out = Tensor.derived(y, x.shape(), x);
        out.markSoftmaxOf(x);
        out.setBackward(() -> Elementwise.softmaxRowsBackward(x.grad(), out.grad(), y, rows, c));
        return out;
    }

    /** Same values, new shape (same total size); shares the data array. */
    public static Tensor reshape(Tensor x, int... shape) {
        Tensor out = Tensor.derived(x.data(), shape, x);
        out.setBackward(() -> addInto(x.grad(), out.grad()));
        return out;
    }

    /** (n, ...) -> (n, prod(...)). */
    public static Tensor flatten(Tensor x) {
        int n = x.shape(0);
        return reshape(x, n, x.size() / n);
    }

    /**
     * Inverted dropout: in training, zeroes each value with probability {@code rate} and scales the
     * survivors by 1/(1-rate), so inference is the identity; when not training, returns x itself.
     */
    public static Tensor dropout(Tensor x, float rate, boolean training, SplittableRandom rng) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        if (!training || rate == 0f) {
            return x;
        }
        float keepScale = 1f / (1f - rate);
        float[] mask = BufferPool.floats(x.size());
        float[] y = BufferPool.floats(x.size());
        float[] xd = x.data();
        for (int i = 0; i < y.length; i++) {
            if (rng.nextFloat() >= rate) {
                mask[i] = keepScale;
                y[i] = xd[i] * keepScale;
            }
        }
        Tensor out = Tensor.derived(y, x.shape(), x);
        out.setBackward(() -> {
            float[] g = out.grad();
            float[] gx = x.grad();
            for (int i = 0; i < g.length; i++) {
                gx[i] += g[i] * mask[i];
            }
        });
        return out;
    }

    static void addInto(float[] dst, float[] src) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] += src[i];
        }
    }

    private static void checkSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new ShapeMismatchException(op + " needs equal shapes", a.shape(), b.shape());
        }
    }
}
