package dev.shears.bench;

import dev.shears.infer.InferenceModel;
import dev.shears.infer.WeightFormat;
import dev.shears.interop.Onnx;
import dev.shears.kernels.Parallel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole tutorial model through the inference runtime: {@code variant=dense} is the unpruned model
 * with every layer DENSE; {@code denseAuto} the unpruned model with the automatic kernel choice (which
 * runs the one-channel first conv planar even unpruned); {@code pruned80} is the same model with 80% of each
 * kernel zeroed by magnitude, kernels chosen by the automatic rule; {@code ort} and {@code ortPruned80} are the
 * same two models exported by {@code Onnx.export} and run by ONNX Runtime 1.29 for Java with as many intra-op
 * threads as Shears has ({@code threads}, default 1)
 * (whose {@code predictInto} is their {@code predict}: ONNX Runtime for Java returns new arrays). Microseconds per call; divide by batch for per image.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx6g"})
public class ModelBench {
    @Param({"dense", "denseAuto", "pruned80", "ort", "ortPruned80"})
    public String variant;

    @Param({"1", "64"})
    public int batch;

    /** {@code vector} or {@code scalar} kernels, as in {@link TrainStepBench}: {@code -p kernels=vector,scalar}. */
    @Param({"vector"})
    public String kernels;

    /** Threads for Shears' pool and ONNX Runtime's intra-op pool alike: {@code -p threads=1,2}. */
    @Param({"1"})
    public int threads;

    private InferenceModel model;
    private float[] x;
    private float[] out;

    private OrtModel ort;

    @Setup
    public void setup() throws Exception {
        System.setProperty("shears.vector", Boolean.toString(kernels.equals("vector")));
        Parallel.setCommonThreads(threads);
        Sequential m = BenchModels.tutorial();
        x = BenchModels.input(m, batch);
        if (variant.startsWith("ort")) {
            Sequential exported = variant.equals("ort") ? m : BenchModels.prune(m, "CSR", 0.8);
            java.nio.file.Path file = java.nio.file.Files.createTempFile("shears-modelbench", ".onnx");
            Onnx.export(exported, file);
            ort = new OrtModel(file, threads, exported.inputShape());
            java.nio.file.Files.delete(file);
            model = InferenceModel.compile(exported); // sizes the output array only
        } else if (variant.equals("dense")) {
            model = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.DENSE));
        } else if (variant.equals("denseAuto")) {
            model = InferenceModel.compile(m);
        } else {
            model = InferenceModel.compile(BenchModels.prune(m, "CSR", 0.8));
        }
        out = new float[batch * model.outputSize()];
    }

    @TearDown
    public void tearDown() {
        if (ort != null) {
            ort.close();
        }
    }

    @Benchmark
    public float[] predict() {
        return ort != null ? ort.predict(x, batch) : model.predict(x, batch);
    }

    /** Into the caller's array: with {@code -prof gc}, {@code gc.alloc.rate.norm} shows a warm call allocates nothing. */
    @Benchmark
    public float[] predictInto() {
        if (ort != null) {
            return ort.predict(x, batch);
        }
        model.predict(x, batch, out);
        return out;
    }
}
