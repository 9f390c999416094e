package dev.shears.tensor;

import java.util.Arrays;

/**
 * The float arrays of the tensors one training step creates (activations, their gradients, op scratch),
 * handed back when the step ends and reused by the next, whose shapes are the same: a step in steady state
 * allocates almost nothing, and the garbage collector has nothing large to move or zero.
 *
 * <p>A pool lends arrays only while one of its scopes is open on the current thread ({@link #open()}); ops
 * ask through {@link #floats(int)}, which outside any scope is simply {@code new float[size]}. Closing the
 * scope takes back every array lent since it opened. So whoever opens a scope owns every tensor created in
 * it: the {@code Trainer} does so around each step and each evaluation batch, reads the loss and the
 * outputs it needs, and closes it; nothing created in the scope may be used after. Tensors created outside
 * a scope (a caller's own {@code model.forward}, parameters, optimizer slots) are never pooled, so the
 * public API behaves as before. Parameter gradients are never pooled either (see {@link Tensor#grad()}).
 * A layer must therefore not keep a tensor from one forward pass for the next.
 *
 * <p>Arrays are matched by exact length; an epoch's last, shorter batch gets (and keeps) its own set. The
 * per-thread current pool is the only static state, as {@link GradMode}'s switch is.
 *
 * <pre>{@code BufferPool pool = new BufferPool();
 * try (BufferPool.Scope s = pool.open()) { double loss = step(); }  // arrays back in the pool here}</pre>
 */
public final class BufferPool {
    private static final ThreadLocal<BufferPool> ACTIVE = new ThreadLocal<>();
    /** What {@link #open()} returns when a scope is already open on the thread: the outer one owns the arrays. */
    private static final Scope NESTED = () -> { };

    private float[][] free = new float[16][];
    private int freeCount;
    private float[][] lent = new float[16][];
    private int lentCount;
    private final Scope scope = this::release;

    /** Closes a pool's scope; closing takes every array lent in it back. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes this pool lend arrays on the current thread until the returned scope is closed. When a scope (of
     * any pool) is already open on the thread, the new one changes nothing: the outer scope keeps lending
     * and takes everything back when it closes.
     */
    public Scope open() {
        if (ACTIVE.get() != null) {
            return NESTED;
        }
        ACTIVE.set(this);
        return scope;
    }

    /** {@code size} floats, all zero: lent by the pool whose scope is open on this thread, else new. */
    public static float[] floats(int size) {
        BufferPool pool = ACTIVE.get();
        return pool == null ? new float[size] : pool.lend(size);
    }

    /** Arrays held for reuse, not counting those lent out now. */
    public int freeArrays() {
        return freeCount;
    }

    /** Bytes lent by the scope open now (0 when none is). */
    public long lentBytes() {
        long bytes = 0;
        for (int i = 0; i < lentCount; i++) {
            bytes += 4L * lent[i].length;
        }
        return bytes;
    }

    private float[] lend(int size) {
        float[] b = null;
        for (int i = freeCount - 1; i >= 0; i--) {
            if (free[i].length == size) {
                b = free[i];
                free[i] = free[--freeCount];
                free[freeCount] = null;
                Arrays.fill(b, 0f);
                break;
            }
        }
        if (b == null) {
            b = new float[size];
        }
        if (lentCount == lent.length) {
            lent = Arrays.copyOf(lent, lentCount * 2);
        }
        lent[lentCount++] = b;
        return b;
    }

    private void release() {
        if (ACTIVE.get() != this) {
            throw new IllegalStateException("a buffer pool's scope must be closed on the thread that opened it");
        }
        ACTIVE.remove();
        if (freeCount + lentCount > free.length) {
            free = Arrays.copyOf(free, Math.max(free.length * 2, freeCount + lentCount));
        }
        System.arraycopy(lent, 0, free, freeCount, lentCount);
        freeCount += lentCount;
        Arrays.fill(lent, 0, lentCount, null);
        lentCount = 0;
    }
}
