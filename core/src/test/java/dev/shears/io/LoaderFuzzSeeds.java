package dev.shears.io;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.prune.ConstantSparsity;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningCheckpoint;
import dev.shears.prune.PruningConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed inputs of {@link LoaderFuzzTest}: a tiny model as safetensors and as a compact file, and a
 * pruning checkpoint. Run from the repository root:
 * {@code mvn -q -pl core test-compile exec:java -Dexec.skip=false -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.shears.io.LoaderFuzzSeeds}.
 */
public final class LoaderFuzzSeeds {
    private LoaderFuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "core/src/test/resources/dev/shears/io/LoaderFuzzTestInputs");
        Sequential model = Sequential.builder(6, 6, 1).seed(1).add(new Conv2D(2, 3, Activation.LINEAR)).add(new BatchNormalization())
                .add(new MaxPooling2D(2)).add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
        Files.createDirectories(dir.resolve("safetensorsModel"));
        ModelFiles.save(model, dir.resolve("safetensorsModel/seed-tiny.safetensors"));
        Files.createDirectories(dir.resolve("compactModel"));
        CompactModelFile.write(InferenceModel.compile(model), dir.resolve("compactModel/seed-tiny.shrs"));
        Sequential wrapped = Pruning.prune(model, PruningConfig.of(new ConstantSparsity(0.5, 0)));
        Pruning.step(wrapped, 0);
        Files.createDirectories(dir.resolve("pruningCheckpoint"));
        PruningCheckpoint.save(wrapped, new Adam(), dir.resolve("pruningCheckpoint/seed-tiny.safetensors"));
    }
}
