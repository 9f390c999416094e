package dev.shears.bench;

import dev.shears.infer.InferenceModel;
import dev.shears.infer.Kernel;
import dev.shears.nn.Sequential;
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
 * One conv or dense layer (fused bias, linear activation) through the inference runtime, with the kernel
 * forced: {@code kernel=DENSE} is im2col + Shears' GEMM, the others the sparse kernels on weights pruned
 * to {@code sparsity}% in the kernel's pattern (TWO_FOUR is always 50%). Times are per call (a batch).
 * Single-threaded by default ({@code -Dshears.threads=1} in the fork) so ratios are not thread noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx6g"})
public class LayerBench {
    @Param({"conv1", "conv2", "conv64", "dense32x128", "dense128x10", "dense1024"})
    public String shape;

    @Param({"0", "50", "70", "80", "90", "95"})
    public int sparsity;

    @Param({"1", "64"})
    public int batch;

    @Param({"DENSE", "CSR", "BLOCK4", "TWO_FOUR"})
    public String kernel;

    private InferenceModel model;
    private float[] x;

    @Setup
    public void setup() {
        Sequential m = BenchModels.layer(shape);
        Kernel k = Kernel.valueOf(kernel);
        if (k != Kernel.DENSE) {
            BenchModels.prune(m, kernel, sparsity / 100.0);
        }
        model = InferenceModel.compile(m, InferenceModel.Options.auto().force(k));
        x = BenchModels.input(m, batch);
    }

    @Benchmark
    public float[] layer() {
        return model.predict(x, batch);
    }
}
