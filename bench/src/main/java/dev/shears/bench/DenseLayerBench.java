package dev.shears.bench;

import dev.shears.infer.InferenceModel;
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
 * One conv or dense layer (fused bias, linear activation) through the inference runtime with every
 * kernel DENSE: im2col + Shears' GEMM for conv, GEMM for dense. The baseline of {@link SparseLayerBench}.
 * Microseconds per call (one batch); single-threaded ({@code -Dshears.threads=1}) so ratios are not thread noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx6g"})
public class DenseLayerBench {
    @Param({"conv1", "conv2", "conv64", "dense32x128", "dense128x10", "dense1024"})
    public String shape;

    @Param({"1", "64"})
    public int batch;

    private InferenceModel model;
    private float[] x;

    @Setup
    public void setup() {
        model = BenchModels.compiledLayer(shape, "DENSE", 0);
        x = BenchModels.input(model, batch);
    }

    @Benchmark
    public float[] layer() {
        return model.predict(x, batch);
    }
}
