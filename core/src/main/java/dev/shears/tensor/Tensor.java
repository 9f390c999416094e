package dev.shears.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A float32 tensor: a flat row-major {@code float[]} plus a shape, with reverse-mode autograd.
 *
 * <p>An op creates its output with {@link #derived} and, when the output {@link #requiresGrad()},
 * registers a backward closure with {@link #setBackward} that adds the op's input gradients
 * ({@code +=}) from this tensor's {@link #grad()}. {@link #backward()} on a scalar sorts the graph without
 * recursion, runs the closures in reverse topological order and then frees the graph, keeping only the
 * gradients of leaf tensors (the parameters).
 *
 * <pre>{@code Tensor w = Tensor.parameter(new float[] {2f}, 1); Ops.mul(w, w).backward(); // w.grad() = {4}}</pre>
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;
    private final boolean requiresGrad;
    private float[] grad;
    private Tensor[] parents;
    private Runnable backwardFn;
    /** Set by the softmax op so that a cross-entropy loss can use the logits and stay numerically stable. */
    private Tensor softmaxInput;

    private Tensor(float[] data, int[] shape, boolean requiresGrad, Tensor[] parents) {
        long size = Shapes.size(shape);
        if (size != data.length) {
            throw new ShapeMismatchException("data has " + data.length + " values but shape "
                    + Arrays.toString(shape) + " needs " + size);
        }
        this.data = data;
        this.shape = shape.clone();
        this.requiresGrad = requiresGrad;
        this.parents = parents;
    }

    /** A constant tensor (no gradient) wrapping {@code data} without copying. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape, false, null);
    }

    /** A constant tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(Shapes.size(shape))], shape, false, null);
    }

    /** A leaf tensor that collects gradients (a trainable parameter); wraps {@code data}. */
    public static Tensor parameter(float[] data, int... shape) {
        return new Tensor(data, shape, true, null);
    }

    /**
     * The output of an op over {@code inputs}. It records the inputs (and so requires grad) only when
     * grad mode is on and at least one input requires grad.
     */
    public static Tensor derived(float[] data, int[] shape, Tensor... inputs) {
        boolean track = false;
        if (GradMode.isEnabled()) {
            for (Tensor t : inputs) {
                if (t.requiresGrad) {
                    track = true;
                    break;
                }
            }
        }
        return new Tensor(data, shape, track, track ? inputs.clone() : null);
    }

    /** Registers the op's backward closure; ignored when this tensor does not require grad. */
    public void setBackward(Runnable backward) {
        if (requiresGrad && parents != null) {
            this.backwardFn = backward;
        }
    }

    /** The values, row-major; the live array, not a copy. */
    public float[] data() {
        return data;
    }

    /** The shape; a copy. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int shape(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of values. */
    public int size() {
        return data.length;
    }

    /** Whether gradients flow into this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * The gradient buffer, allocated (as zeros) on first use: an op output's from the open {@link BufferPool}
     * scope, if any (it lives only as long as the graph), a leaf's (a parameter's) always anew, as it
     * accumulates across steps.
     */
    public float[] grad() {
        if (grad == null) {
            grad = parents == null ? new float[data.length] : BufferPool.floats(data.length);
        }
        return grad;
    }

    /** Whether a gradient buffer has been allocated. */
    public boolean hasGrad() {
        return grad != null;
    }

    /** Sets the gradient to zero (keeps the buffer). */
    public void zeroGrad() {
        if (grad != null) {
            Arrays.fill(grad, 0f);
        }
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (data.length != 1) {
            throw new ShapeMismatchException("item() needs a one-element tensor, got shape " + Arrays.toString(shape));
        }
        return data[0];
    }

    /** A constant tensor sharing this tensor's data, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data, shape, false, null);
    }

    /** For ops: remember that this tensor is softmax(input). */
    public void markSoftmaxOf(Tensor input) {
        this.softmaxInput = input;
    }

    /** The logits this tensor is the softmax of, or null. */
    public Tensor softmaxInput() {
        return softmaxInput;
    }

    /**
     * Back-propagates from this scalar: seeds its gradient with 1, runs every recorded backward closure
     * in reverse topological order, then frees the graph. Leaf gradients accumulate across calls.
     *
     * @throws IllegalStateException if this tensor has more than one value or does not require grad
     */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape));
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward() on a tensor that does not require grad (no parameter in its graph, or computed under no-grad)");
        }
        List<Tensor> order = topologicalOrder();
        grad()[0] += 1f;
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backwardFn != null && t.grad != null) {
                t.backwardFn.run();
            }
        }
        for (Tensor t : order) {
            if (t.parents != null) {
                t.parents = null;
                t.backwardFn = null;
                t.grad = null;
            }
        }
    }

    /** Post-order DFS with an explicit stack, so deep graphs cannot overflow the call stack. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        IdentityHashMap<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] ps = t.parents;
            if (ps != null && next < ps.length) {
                frame[1] = next + 1;
                Tensor p = ps[next];
                if (p.requiresGrad && visited.put(p, Boolean.TRUE) == null) {
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " (grad)" : "");
    }
}
