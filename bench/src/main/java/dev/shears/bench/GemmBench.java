package dev.shears.bench;

import dev.shears.kernels.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
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
 * Shears' dense GEMM against EJML's {@code CommonOps_FDRM.mult} (single-threaded) on the GEMM each
 * benchmarked layer performs at a batch: C(m,n) = A(m,k) B(k,n) with m = batch * output pixels.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx6g"})
public class GemmBench {
    @Param({"conv1", "conv2", "conv64", "dense32x128", "dense128x10", "dense1024"})
    public String shape;

    @Param({"1", "64"})
    public int batch;

    private FMatrixRMaj a;
    private FMatrixRMaj b;
    private FMatrixRMaj c;
    private int m;
    private int k;
    private int n;

    /** {m per example, k, n} of each shape's GEMM. */
    static int[] dims(String shape) {
        return switch (shape) {
            case "conv1" -> new int[] {24 * 24, 25, 16};
            case "conv2" -> new int[] {8 * 8, 400, 32};
            case "conv64" -> new int[] {28 * 28, 576, 64};
            case "dense32x128" -> new int[] {1, 32, 128};
            case "dense128x10" -> new int[] {1, 128, 10};
            case "dense1024" -> new int[] {1, 1024, 1024};
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    @Setup
    public void setup() {
        int[] d = dims(shape);
        m = d[0] * batch;
        k = d[1];
        n = d[2];
        Random rng = new Random(3);
        a = new FMatrixRMaj(m, k);
        b = new FMatrixRMaj(k, n);
        c = new FMatrixRMaj(m, n);
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = rng.nextFloat();
        }
        for (int i = 0; i < b.data.length; i++) {
            b.data[i] = (float) rng.nextGaussian();
        }
    }

    @Benchmark
    public float[] shears() {
        Gemm.gemm(c.data, 0, a.data, 0, b.data, 0, m, k, n, false);
        return c.data;
    }

    @Benchmark
    public FMatrixRMaj ejml() {
        CommonOps_FDRM.mult(a, b, c);
        return c;
    }
}
