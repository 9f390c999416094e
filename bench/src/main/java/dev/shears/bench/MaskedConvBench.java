package dev.shears.bench;

import dev.shears.kernels.MaskedConv;
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
 * The masked convolution's products ({@link MaskedConv}, sparse training) for the tutorial's convolutions at
 * batch 64, one thread: {@code conv2} (4096 positions, patch 400, 32 outputs) and {@code conv1} (36864
 * positions, patch 25, 16 outputs), with a random mask of the given sparsity, on the dense-masked path (the
 * ordered GEMM over the masked kernel) and the sparse one (kept weights only). The kernel gradient is
 * computed for kept weights only on both paths. Microseconds per call; useful GFLOP/s = 2 · kept weights ·
 * positions / time (the dense-masked path also multiplies the pruned zeros).
 *
 * <pre>{@code java -jar bench/target/benchmarks.jar MaskedConvBench -p shape=conv2 -p sparsity=0.8}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx2g"})
public class MaskedConvBench {
    @Param({"conv2", "conv1"})
    public String shape;

    @Param({"0.5", "0.8", "0.9"})
    public double sparsity;

    @Param({"dense-masked", "sparse"})
    public String path;

    private int rows;
    private float[] kernel;
    private float[] unfoldedT;
    private float[] y;
    private float[] dYT;
    private float[] dUnfoldedT;
    private float[] dKernel;
    private MaskedConv.Mask mask;

    @Setup
    public void setup() {
        rows = shape.equals("conv2") ? 4096 : 36864;
        int patch = shape.equals("conv2") ? 400 : 25;
        int oc = shape.equals("conv2") ? 32 : 16;
        Random rng = new Random(3);
        boolean[] keep = new boolean[patch * oc];
        kernel = new float[patch * oc];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = rng.nextDouble() >= sparsity;
            kernel[i] = keep[i] ? (float) rng.nextGaussian() : 0f;
        }
        mask = new MaskedConv.Mask(keep, patch, oc, path.equals("sparse") ? 0.0 : 2.0);
        unfoldedT = random(rng, MaskedConv.blockedSize(patch, rows));
        dYT = random(rng, MaskedConv.blockedSize(oc, rows));
        dUnfoldedT = new float[MaskedConv.blockedSize(patch, rows)];
        y = new float[rows * oc];
        dKernel = new float[patch * oc];
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextFloat();
        }
        return a;
    }

    /** y (rows, oc) = unfold(x) · W. */
    @Benchmark
    public float[] forward() {
        MaskedConv.forward(y, unfoldedT, kernel, rows, mask);
        return y;
    }

    /** dUT (patch, rows) = W · dYT. */
    @Benchmark
    public float[] inputGradient() {
        MaskedConv.backwardInput(dUnfoldedT, dYT, kernel, rows, mask);
        return dUnfoldedT;
    }

    /** dW (patch, oc) += uT · dYT^T at the kept weights. */
    @Benchmark
    public float[] kernelGradient() {
        MaskedConv.backwardKernel(dKernel, unfoldedT, dYT, rows, mask);
        return dKernel;
    }
}
