package dev.shears.bench;

import dev.shears.kernels.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The GEMMs of one training step of the tutorial model at batch 64, as {@code DenseConv} calls them, on one
 * thread: the second conv's forward (4096x400x32, cols · W), weight gradient (400x4096x32, cols^T · dY) and
 * input gradient (4096x32x400, dY · W^T), and the first conv's forward on the transposed unfolding
 * (36864x25x16, colsT^T · W). Microseconds per call; GFLOP/s is 2·m·k·n / time.
 *
 * <pre>{@code java -jar bench/target/benchmarks.jar TrainingGemmBench}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx2g"})
public class TrainingGemmBench {
    @Param({"conv2Forward", "conv2Weights", "conv2Input", "conv1Forward"})
    public String product;

    private float[] a;
    private float[] b;
    private float[] c;
    private int m;
    private int k;
    private int n;

    /** {m, k, n} of each product: C (m, n) from a k-long reduction. */
    static int[] dims(String product) {
        return switch (product) {
            case "conv2Forward" -> new int[] {4096, 400, 32};
            case "conv2Weights" -> new int[] {400, 4096, 32};
            case "conv2Input" -> new int[] {4096, 32, 400};
            case "conv1Forward" -> new int[] {36864, 25, 16};
            default -> throw new IllegalArgumentException("unknown product " + product);
        };
    }

    @Setup
    public void setup() {
        int[] d = dims(product);
        m = d[0];
        k = d[1];
        n = d[2];
        Random rng = new Random(5);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rng.nextGaussian();
        }
    }

    @Benchmark
    public float[] gemm() {
        switch (product) {
            case "conv2Forward" -> Gemm.gemm(c, 0, a, 0, b, 0, m, k, n, false);
            // A stored (k, m): the unfolded input (4096, 400) read transposed, B = dY (4096, 32)
            case "conv2Weights", "conv1Forward" -> Gemm.gemmTransA(c, 0, a, 0, b, 0, m, k, n, false);
            // B stored (n, k): the kernel (400, 32) read transposed
            case "conv2Input" -> Gemm.gemmTransB(c, 0, a, 0, b, 0, m, k, n, false);
            default -> throw new IllegalStateException(product);
        }
        return c;
    }
}
