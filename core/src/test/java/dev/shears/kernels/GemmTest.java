package dev.shears.kernels;

import static dev.shears.kernels.GemmVariants.SCALAR_GEMM;
import static dev.shears.kernels.GemmVariants.SCALAR_TRANS_A;
import static dev.shears.kernels.GemmVariants.SCALAR_TRANS_B;
import static dev.shears.kernels.GemmVariants.VECTOR_GEMM;
import static dev.shears.kernels.GemmVariants.VECTOR_TRANS_A;
import static dev.shears.kernels.GemmVariants.VECTOR_TRANS_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.kernels.GemmVariants.Product;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scalar and Vector API GEMMs against {@link ReferenceKernels}, EJML and hand-computed products. */
class GemmTest {
    /** Float error per term of a dot product of values in [-1, 1); scaled by k. */
    private static final float TOL_PER_K = 2e-6f;
    private static final int[] MS = {1, 5, 7, 24, 37, 100};
    private static final int[] KS = {1, 25, 130, 400};
    private static final int[] NS = {1, 3, 15, 16, 17, 33, 64, 70};
    private static final int OFF = 3;

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static void assertClose(float[] expected, float[] actual, float tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > tol) {
                throw new AssertionError(what + ": at " + i + " expected " + expected[i] + " got " + actual[i]);
            }
        }
    }

    /** Runs {@code fast} and {@code reference} with offsets, both accumulate modes, on all shapes. */
    private static void compare(Product fast, Product reference, String name) {
        Random rnd = new Random(42);
        for (int m : MS) {
            for (int k : KS) {
                for (int n : NS) {
                    float[] a = random(rnd, OFF + m * k);
                    float[] b = random(rnd, OFF + k * n + 5);
                    float[] c0 = random(rnd, OFF + m * n + 2);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] expected = c0.clone();
                        float[] actual = c0.clone();
                        reference.run(expected, OFF, a, OFF, b, OFF, m, k, n, acc);
                        fast.run(actual, OFF, a, OFF, b, OFF, m, k, n, acc);
                        assertClose(expected, actual, TOL_PER_K * (k + 1),
                                name + " m=" + m + " k=" + k + " n=" + n + " acc=" + acc);
                    }
                }
            }
        }
    }

    @Test
    void vectorApiIsEnabledUnderSurefireUnlessSwitchedOff() {
        // CI runs the suite a second time with -Dshears.vector=false, where the scalar kernels must be the ones running.
        boolean off = "false".equals(System.getProperty("shears.vector"));
        assertEquals(!off, Kernels.vectorEnabled(), Kernels.description());
        assertEquals(!off, Kernels.description().startsWith("Vector API"), Kernels.description());
    }

    @Test
    void vectorMatchesReference() {
        compare(VECTOR_GEMM, ReferenceKernels::gemm, "vector gemm");
        compare(VECTOR_TRANS_A, ReferenceKernels::gemmTransA, "vector gemmTransA");
        compare(VECTOR_TRANS_B, ReferenceKernels::gemmTransB, "vector gemmTransB");
    }

    @Test
    void scalarMatchesReference() {
        compare(SCALAR_GEMM, ReferenceKernels::gemm, "scalar gemm");
        compare(SCALAR_TRANS_A, ReferenceKernels::gemmTransA, "scalar gemmTransA");
        compare(SCALAR_TRANS_B, ReferenceKernels::gemmTransB, "scalar gemmTransB");
    }

    @Test
    void publicEntryPointsMatchReference() {
        compare(Gemm::gemm, ReferenceKernels::gemm, "Gemm.gemm");
        compare(Gemm::gemmTransA, ReferenceKernels::gemmTransA, "Gemm.gemmTransA");
        compare(Gemm::gemmTransB, ReferenceKernels::gemmTransB, "Gemm.gemmTransB");
    }

    /** Shapes big enough to be split over threads (rows and k), with 1, 2 and 3 threads. */
    @Test
    void parallelSplitsMatchReference() {
        int[][] shapes = {{1000, 25, 16}, {25, 9000, 16}, {400, 1500, 32}, {300, 32, 400}, {97, 3000, 17}};
        Random rnd = new Random(7);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setCommonThreads(threads);
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                float[] a = random(rnd, m * k);
                float[] b = random(rnd, k * n);
                for (Product[] pair : new Product[][] {
                        {Gemm::gemm, ReferenceKernels::gemm},
                        {Gemm::gemmTransA, ReferenceKernels::gemmTransA},
                        {Gemm::gemmTransB, ReferenceKernels::gemmTransB},
                        {SCALAR_TRANS_A, ReferenceKernels::gemmTransA}}) {
                    float[] expected = random(rnd, m * n);
                    float[] actual = expected.clone();
                    pair[1].run(expected, 0, a, 0, b, 0, m, k, n, true);
                    pair[0].run(actual, 0, a, 0, b, 0, m, k, n, true);
                    assertClose(expected, actual, TOL_PER_K * k, "threads=" + threads + " m=" + m + " k=" + k + " n=" + n);
                }
            }
        }
    }

    @Test
    void matchesEjml() {
        Random rnd = new Random(3);
        int[][] shapes = {{1, 1, 1}, {7, 25, 16}, {64, 128, 10}, {130, 400, 33}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            FMatrixRMaj a = new FMatrixRMaj(m, k, true, random(rnd, m * k));
            FMatrixRMaj b = new FMatrixRMaj(k, n, true, random(rnd, k * n));
            FMatrixRMaj expected = new FMatrixRMaj(m, n);
            CommonOps_FDRM.mult(a, b, expected);
            for (Product p : new Product[] {Gemm::gemm, VECTOR_GEMM, SCALAR_GEMM}) {
                float[] actual = new float[m * n];
                p.run(actual, 0, a.data, 0, b.data, 0, m, k, n, false);
                assertClose(expected.data, actual, TOL_PER_K * k, "ejml m=" + m + " k=" + k + " n=" + n);
            }
        }
    }

    /** [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154], via all three storage orders. */
    @Test
    void handComputed2x3x2() {
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] aT = {1, 4, 2, 5, 3, 6};
        float[] b = {7, 8, 9, 10, 11, 12};
        float[] bT = {7, 9, 11, 8, 10, 12};
        float[] expected = {58, 64, 139, 154};
        Product[][] variants = {
                {Gemm::gemm, VECTOR_GEMM, SCALAR_GEMM},
                {Gemm::gemmTransA, VECTOR_TRANS_A, SCALAR_TRANS_A},
                {Gemm::gemmTransB, VECTOR_TRANS_B, SCALAR_TRANS_B}};
        float[][] aIn = {a, aT, a};
        float[][] bIn = {b, b, bT};
        for (int v = 0; v < variants.length; v++) {
            for (Product impl : variants[v]) {
                float[] c = {100, 100, 100, 100};
                impl.run(c, 0, aIn[v], 0, bIn[v], 0, 2, 3, 2, false);
                assertArrayEquals(expected, c, 0f);
                impl.run(c, 0, aIn[v], 0, bIn[v], 0, 2, 3, 2, true);
                assertArrayEquals(new float[] {116, 128, 278, 308}, c, 0f);
            }
        }
    }

    @Test
    void zeroKClearsOrKeepsC() {
        float[] c = {1, 2, 3};
        Gemm.gemm(c, 0, new float[0], 0, new float[0], 0, 1, 0, 3, true);
        assertArrayEquals(new float[] {1, 2, 3}, c, 0f);
        Gemm.gemm(c, 0, new float[0], 0, new float[0], 0, 1, 0, 3, false);
        assertArrayEquals(new float[] {0, 0, 0}, c, 0f);
    }
}
