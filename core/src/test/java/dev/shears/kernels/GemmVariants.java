package dev.shears.kernels;

/** The scalar and Vector API GEMMs called directly, bypassing {@link Kernels}' choice (tests and bench). */
final class GemmVariants {
    private GemmVariants() {
    }

    /** One of the three products, as implemented by some class. */
    @FunctionalInterface
    interface Product {
        void run(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int k, int n, boolean acc);
    }

    static final Product VECTOR_GEMM = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemm(VectorGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);
    static final Product VECTOR_TRANS_A = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemmTransA(VectorGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);
    static final Product VECTOR_TRANS_B = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemmTransB(VectorGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);
    static final Product SCALAR_GEMM = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemm(ScalarGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);
    static final Product SCALAR_TRANS_A = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemmTransA(ScalarGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);
    static final Product SCALAR_TRANS_B = (c, co, a, ao, b, bo, m, k, n, acc) ->
            GemmDriver.gemmTransB(ScalarGemm.BLOCK, c, co, a, ao, b, bo, m, k, n, acc);

}
