package dev.shears.bench;

import dev.shears.nn.Loss;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.prune.ConstantSparsity;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.train.Trainer;
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
 * One training step of the tutorial model at batch 64, as {@code Trainer.fit} runs it
 * ({@code Trainer.trainOnBatch}): forward with gradients, sparse categorical cross-entropy, backward, Adam,
 * gradients zeroed. Milliseconds per step;
 * an epoch of Fashion-MNIST is 938 steps.
 *
 * <p>{@code kernels=vector} runs the Vector API kernels, {@code scalar} the plain-Java fallback that a JVM
 * without {@code --add-modules jdk.incubator.vector} gets (set by {@code -Dshears.vector=false} before any
 * kernel loads; each parameter value runs in its own fork). Two threads, as the study trains. With
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per step.
 *
 * <pre>{@code java -jar bench/target/benchmarks.jar TrainStepBench}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=2", "-Xmx2g"})
public class TrainStepBench {
    /** Batch size of the tutorial's training. */
    static final int BATCH = 64;

    @Param({"vector", "scalar"})
    public String kernels;

    /** Whether the step reuses its tensors' arrays ({@code Trainer.reuseBuffers}); {@code -p reuse=true,false}. */
    @Param({"true"})
    public boolean reuse;

    /**
     * {@code none}: the dense model. {@code masked-S}: pruned to sparsity S (e.g. {@code masked-0.8}) and
     * trained on the dense-masked path; {@code sparse-S}: the same with sparse training (the kept weights
     * only, bit-identical results). Masks are recomputed every 100 steps, as in a pruning run.
     */
    @Param({"none"})
    public String pruning;

    private long step;
    private Sequential model;
    private Adam adam;
    private Loss loss;
    private float[] x;
    private Trainer trainer;
    private int[] labels;

    @Setup
    public void setup() {
        // Before the first kernel class initializes: Kernels reads the property once per JVM.
        System.setProperty("shears.vector", Boolean.toString(kernels.equals("vector")));
        model = BenchModels.tutorial();
        if (!pruning.equals("none")) {
            String[] kind = pruning.split("-");
            model = Pruning.prune(model, PruningConfig.of(new ConstantSparsity(Double.parseDouble(kind[1]), 0)));
            Pruning.sparseTraining(model, kind[0].equals("sparse") ? 0.0 : 2.0);
        }
        adam = new Adam();
        loss = Loss.sparseCategoricalCrossentropy(false);
        Random r = new Random(7);
        x = new float[BATCH * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = r.nextInt(10);
        }
        trainer = new Trainer(model, adam, loss);
        trainer.reuseBuffers(reuse);
    }

    /** {@code Trainer.trainOnBatch}: the step as {@code fit} runs it, its tensors' arrays reused from step to step. */
    @Benchmark
    public double step() {
        if (!pruning.equals("none")) {
            Pruning.step(model, step++);
        }
        return trainer.trainOnBatch(x, labels, BATCH);
    }
}
