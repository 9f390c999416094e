package dev.shears.infer;

/** How a compiled Conv2D or Dense layer multiplies by its kernel. */
public enum WeightFormat {
    /** All weights stored and multiplied: im2col + {@link dev.shears.kernels.Gemm} for conv, Gemm for dense. */
    DENSE,
    /** Non-zeros only, CSR over output channels ({@link dev.shears.kernels.Csr}). */
    CSR,
    /** Non-zero 1x4 blocks along the input axis, one index per block ({@link dev.shears.kernels.Bsr4}). */
    BLOCK4,
    /** 2:4 structured: two values and a 4-bit position byte per group of four inputs ({@link dev.shears.kernels.TwoFour}). */
    TWO_FOUR;

    /** Whether this kernel skips zeros. */
    public boolean sparse() {
        return this != DENSE;
    }
}
