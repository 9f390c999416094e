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

    /** The scalar GEMM's input block, one row per reduction step (see {@link ScalarGemm}). */
    float[][] inRows = new float[0][];
    /** The scalar GEMM's output block, one row per output row or column. */
    float[][] outRows = new float[0][];

    /** The scalar sparse kernel's output row (see {@code SparseKernels.csrShifted}). */
    float[][] sparseSum = new float[0][];
    /** The scalar sparse kernel's copies of four input runs. */
    float[][] sparseRuns = new float[0][];

    /** An input or its gradient as planes (n, c, h, w), for the transposed unfolding and its adjoint. */
    float[] planes = new float[0];

    /** The lanes of eight vectors, each summed in order by the masked convolution's kernel gradient. */
    float[] lanes = new float[0];

    /** One block of the sparse forward's output, (oc, BLOCK), before it is transposed into y. */
    float[] strip = new float[0];

    private Scratch() {
    }

    static Scratch get() {
        return LOCAL.get();
    }

    /** {@code buf} if it holds at least {@code size} floats, else a new array of that size. */
    static float[] atLeast(float[] buf, int size) {
        return buf.length >= size ? buf : new float[Math.max(size, buf.length + (buf.length >> 1))];
    }

    /** {@code buf} if it holds at least {@code rows} rows of {@code length} floats, else a new one that does. */
    static float[][] atLeast(float[][] buf, int rows, int length) {
        if (buf.length >= rows && (rows == 0 || buf[0].length >= length)) {
            return buf;
        }
        int oldLength = buf.length == 0 ? 0 : buf[0].length;
        return new float[Math.max(rows, buf.length)][Math.max(length, oldLength)];
    }
}
