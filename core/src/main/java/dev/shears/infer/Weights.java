package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.Csr;
import dev.shears.kernels.Parallel;
import dev.shears.kernels.SparseKernels;
import dev.shears.kernels.TwoFour;

/**
 * A compiled layer's kernel (k, oc) and bias (oc) in the representation its {@link Kernel} multiplies:
 * the dense row-major array, or one of the sparse forms over the transpose (oc, k).
 */
final class Weights {
    /** Multiply-adds per parallel chunk below which splitting costs more than it saves. */
    private static final int GRAIN_FLOPS = 1 << 15;

    final Kernel kernel;
    final int k;
    final int oc;
    final double sparsity;
    final float[] bias;
    final float[] dense;
    private final Csr csr;
    private final Bsr4 bsr4;
    private final TwoFour twoFour;
    private final long stored;

    Weights(Kernel kernel, float[] w, float[] bias, int k, int oc) {
        this.kernel = kernel;
        this.k = k;
        this.oc = oc;
        this.sparsity = KernelRule.sparsity(w);
        this.bias = bias.clone();
        this.dense = kernel == Kernel.DENSE ? w.clone() : null;
        this.csr = kernel == Kernel.CSR ? Csr.ofTransposed(w, k, oc) : null;
        this.bsr4 = kernel == Kernel.BLOCK4 ? Bsr4.ofTransposed(w, k, oc) : null;
        this.twoFour = kernel == Kernel.TWO_FOUR ? TwoFour.ofTransposed(w, k, oc) : null;
        this.stored = switch (kernel) {
            case DENSE -> w.length;
            case CSR -> csr.nnz();
            case BLOCK4 -> 4L * bsr4.blocks();
            case TWO_FOUR -> twoFour.values().length;
        };
    }

    /** The kernel (k, oc) as a dense row-major array (a new array for sparse forms). */
    float[] denseKernel() {
        return switch (kernel) {
            case DENSE -> dense.clone();
            case CSR -> csr.toDenseTransposed();
            case BLOCK4 -> bsr4.toDenseTransposed();
            case TWO_FOUR -> twoFour.toDenseTransposed();
        };
    }

    /** Number of weight values the kernel stores (zeros inside blocks and 2:4 padding included). */
    long storedValues() {
        return stored;
    }

    /**
     * A planar conv's weights ({@link SparseKernels#planarConv}): the CSR non-zeros regrouped by groups of
     * {@code groupChannels} input channels, each with its offset into its group's shifted copies, and the
     * bias as {@link SparseKernels#startLanes}.
     */
    record Planar(int groupChannels, float[] values, int[] offsets, int[] ptr, float[] start) {
    }

    /**
     * CSR only: this conv kernel, rows (ky, kx, ch) with {@code c} channels and width {@code kw}, as
     * {@link Planar} weights for shifted copies (c, kw, hp, ow), in channel groups whose copies take at most
     * {@code groupBytes}.
     */
    Planar planar(int c, int kw, int hp, int ow, int groupBytes) {
        int perChannel = kw * hp * ow * Float.BYTES;
        int groups = (c + Math.max(1, groupBytes / perChannel) - 1) / Math.max(1, groupBytes / perChannel);
        int g = (c + groups - 1) / groups; // spread evenly: 16 channels at most 6 a group -> 6, 6, 4
        float[] v = csr.values();
        int[] col = csr.colIdx();
        int[] rowPtr = csr.rowPtr();
        float[] values = new float[v.length];
        int[] offsets = new int[v.length];
        int[] ptr = new int[groups * oc + 1];
        int at = 0;
        for (int group = 0; group < groups; group++) {
            for (int r = 0; r < oc; r++) {
                for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
                    int ch = col[i] % c;
                    if (ch / g != group) {
                        continue;
                    }
                    int kx = (col[i] / c) % kw;
                    int ky = col[i] / c / kw;
                    values[at] = v[i];
                    offsets[at++] = (((ch - group * g) * kw + kx) * hp + ky) * ow;
                }
                ptr[group * oc + r + 1] = at;
            }
        }
        return new Planar(g, values, offsets, ptr, SparseKernels.startLanes(bias));
    }

    private int grain(int p) {
        long perRow = Math.max(1, stored / oc) * (long) p;
        return (int) Math.max(1, GRAIN_FLOPS / perRow);
    }

    /** Sparse kinds only: out (oc, p) = W^T (oc, k) · bT (k, p), split over output channels. */
    void multiplyTransposed(float[] out, float[] bT, int p) {
        Parallel.common().forRange(oc, grain(p), (from, to) -> {
            switch (kernel) {
                case CSR -> SparseKernels.csr(out, csr, bT, p, from, to);
                case BLOCK4 -> SparseKernels.bsr4(out, bsr4, bT, p, from, to);
                case TWO_FOUR -> SparseKernels.twoFour(out, twoFour, bT, p, from, to);
                case DENSE -> throw new IllegalStateException("dense weights have no transposed sparse multiply");
            }
        });
    }
}
