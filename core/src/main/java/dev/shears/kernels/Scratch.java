package dev.shears.kernels;

/**
 * Per-thread scratch buffers for the kernels, grown on demand and kept for reuse, so that no kernel call
 * allocates once warm. Each purpose has its own buffer, so a kernel may hold one while calling another.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** B transposed, for gemmTransB. */
    float[] transposed = new float[0];
    /** A zero-padded panel of B's last columns (k rows of one vector). */
    float[] tailPanel = new float[0];
    /** A tile of C computed for the tail columns before it is merged. */
    float[] tile = new float[0];
    /** Partial products of the other threads' k chunks, summed by the caller. */
    float[] partials = new float[0];

    private Scratch() {
    }

    static Scratch get() {
        return LOCAL.get();
    }

    /** {@code buf} if it holds at least {@code size} floats, else a new array of that size. */
    static float[] atLeast(float[] buf, int size) {
        return buf.length >= size ? buf : new float[Math.max(size, buf.length + (buf.length >> 1))];
    }
}
