package dev.shears.kernels;

import java.util.Random;

/**
 * Throughput of the GEMM implementations on the shapes of one training step of the tutorial CNN
 * (batch 64), run by hand, never by surefire:
 *
 * <pre>{@code mvn -q -pl core test-compile && java --add-modules jdk.incubator.vector \
 *   -cp core/target/classes:core/target/test-classes dev.shears.kernels.KernelBench}</pre>
 *
 * Prints GFLOP/s (best of several timed repetitions) for the naive reference, the scalar and the Vector
 * API kernels on 1 and 2 threads, and the summed GEMM time of one step.
 */
public final class KernelBench {
    private static final String[] NAMES = {"conv1 fwd", "conv1 dW", "conv2 fwd", "conv2 dW", "conv2 dX",
        "dense1 fwd", "dense1 dW", "dense1 dX", "dense2 fwd", "dense2 dW", "dense2 dX"};
    /** {kind (0 gemm, 1 transA, 2 transB), m, k, n}. */
    private static final int[][] SHAPES = {{0, 36864, 25, 16}, {1, 25, 36864, 16}, {0, 4096, 400, 32},
        {1, 400, 4096, 32}, {2, 4096, 32, 400}, {0, 64, 32, 128}, {1, 32, 64, 128}, {2, 64, 128, 32},
        {0, 64, 128, 10}, {1, 128, 64, 10}, {2, 64, 10, 128}};

    private KernelBench() {
    }

    public static void main(String[] args) {
        System.out.println("kernels: " + Kernels.description());
        if (args.length > 0 && args[0].equals("elementwise")) {
            elementwise();
            return;
        }
        if (!Kernels.vectorEnabled()) {
            float[] c = new float[4];
            Gemm.gemm(c, 0, new float[] {1, 2, 3, 4, 5, 6}, 0, new float[] {7, 8, 9, 10, 11, 12}, 0, 2, 3, 2, false);
            System.out.println("scalar Gemm 2x3x2: " + java.util.Arrays.toString(c));
            return;
        }
        GemmVariants.Product[][] impls = {
            {ReferenceKernels::gemm, ReferenceKernels::gemmTransA, ReferenceKernels::gemmTransB},
            {GemmVariants.SCALAR_GEMM, GemmVariants.SCALAR_TRANS_A, GemmVariants.SCALAR_TRANS_B},
            {GemmVariants.VECTOR_GEMM, GemmVariants.VECTOR_TRANS_A, GemmVariants.VECTOR_TRANS_B}};
        System.out.printf("%-11s %-22s %9s %9s %9s %9s %9s %9s%n", "shape", "m x k x n",
                "ref 1t", "scal 1t", "scal 2t", "vec 1t", "vec 2t", "vec2t us");
        double[] stepUs = new double[4];
        for (int s = 0; s < SHAPES.length; s++) {
            int[] sh = SHAPES[s];
            if (args.length > 0 && !java.util.Arrays.asList(args).contains(NAMES[s].replace(' ', '-'))) {
                continue;
            }
            double flops = 2.0 * sh[1] * sh[2] * sh[3];
            double[] gf = new double[5];
            int col = 0;
            for (int impl = 0; impl < impls.length; impl++) {
                for (int threads = 1; threads <= 2; threads++) {
                    if (impl == 0 && threads == 2) {
                        continue;
                    }
                    Parallel.setCommonThreads(threads);
                    double sec = time(impls[impl][sh[0]], sh[1], sh[2], sh[3]);
                    gf[col++] = flops / sec / 1e9;
                    if (impl > 0) {
                        stepUs[(impl - 1) * 2 + threads - 1] += sec * 1e6;
                    }
                }
            }
            System.out.printf("%-11s %-22s %9.1f %9.1f %9.1f %9.1f %9.1f %9.0f%n", NAMES[s],
                    sh[1] + "x" + sh[2] + "x" + sh[3], gf[0], gf[1], gf[2], gf[3], gf[4], flops / gf[4] / 1e3);
        }
        System.out.printf("GEMM time per step (us): scalar 1t %.0f, scalar 2t %.0f, vector 1t %.0f, vector 2t %.0f%n",
                stepUs[0], stepUs[1], stepUs[2], stepUs[3]);
        System.out.printf("x 938 steps (s):         scalar 1t %.2f, scalar 2t %.2f, vector 1t %.2f, vector 2t %.2f%n",
                stepUs[0] * 938e-6, stepUs[1] * 938e-6, stepUs[2] * 938e-6, stepUs[3] * 938e-6);
    }

    /** relu, relu backward, bias add and bias backward on conv1's output (36864 x 16), microseconds. */
    private static void elementwise() {
        int rows = 36864, cols = 16, len = rows * cols;
        float[] x = new float[len], y = new float[len], d = new float[len], bias = new float[cols];
        Random rnd = new Random(2);
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        GemmVariants.Product[] ops = {
            (c, co, a, ao, b, bo, m, k, n, acc) -> Elementwise.reluScalar(y, x, len),
            (c, co, a, ao, b, bo, m, k, n, acc) -> VectorElementwise.relu(y, x, len),
            (c, co, a, ao, b, bo, m, k, n, acc) -> Elementwise.reluBackwardScalar(d, x, y, len),
            (c, co, a, ao, b, bo, m, k, n, acc) -> VectorElementwise.reluBackward(d, x, y, len),
            (c, co, a, ao, b, bo, m, k, n, acc) -> Elementwise.addBiasRowsScalar(y, bias, rows, cols),
            (c, co, a, ao, b, bo, m, k, n, acc) -> VectorElementwise.addBiasRows(y, bias, rows, cols),
            (c, co, a, ao, b, bo, m, k, n, acc) -> Elementwise.biasBackwardScalar(bias, x, rows, cols),
            (c, co, a, ao, b, bo, m, k, n, acc) -> VectorElementwise.biasBackward(bias, x, rows, cols)};
        String[] names = {"relu", "reluBackward", "addBiasRows", "biasBackward"};
        for (int i = 0; i < ops.length; i += 2) {
            System.out.printf("%-13s scalar %6.0f us, vector %6.0f us%n", names[i / 2],
                    time(ops[i], 1, 1, 1) * 1e6, time(ops[i + 1], 1, 1, 1) * 1e6);
        }
    }

    /** Best seconds per call over repetitions filling about 0.4 s, after a warm-up. */
    private static double time(GemmVariants.Product p, int m, int k, int n) {
        Random rnd = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat();
        }
        long warmEnd = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < warmEnd) {
            p.run(c, 0, a, 0, b, 0, m, k, n, false);
        }
        double best = Double.MAX_VALUE;
        long end = System.nanoTime() + 400_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            p.run(c, 0, a, 0, b, 0, m, k, n, false);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }
}
