package dev.shears.examples;

import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;

/**
 * An example, not part of the library's API proper: the Fashion-MNIST CNN of the Keras weight-pruning
 * tutorial this project reproduces (18,762 parameters) and its one-call pruning setup: PolynomialDecay 0.5 -> 0.8 from step 0 to the run's real step count. The
 * study, the benchmarks and the tests share this definition; the README's "Use Shears in your project" shows
 * the same model written out with the public API.
 *
 * <pre>{@code Sequential pruned = PruningTutorialExample.prune(PruningTutorialExample.model(42), 54_000, 64, 6);}</pre>
 */
public final class PruningTutorialExample {
    private PruningTutorialExample() {
    }

    /**
     * Conv2D(16, 5, relu), MaxPooling2D(2), Conv2D(32, 5, relu), MaxPooling2D(2), Dropout(0.2),
     * GlobalAveragePooling2D, Flatten, Dense(128, relu), Dense(10, softmax) on (28, 28, 1).
     */
    public static Sequential model(long seed) {
        return Sequential.builder(28, 28, 1).seed(seed)
                .add(new Conv2D(16, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Conv2D(32, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Dropout(0.2)).add(new GlobalAveragePooling2D()).add(new Flatten())
                .add(new Dense(128, Activation.RELU)).add(new Dense(10, Activation.SOFTMAX))
                .build();
    }

    /**
     * Wraps every layer of {@code model} with {@code PolynomialDecay(0.5, 0.8, 0, ceil(trainSize / batchSize) * epochs)},
     * frequency 100 (the tutorial's parameters, with the end step computed from the real training data).
     */
    public static Sequential prune(Sequential model, int trainSize, int batchSize, int epochs) {
        return Pruning.prune(model, PruningConfig.of(PolynomialDecay.overTraining(0.5, 0.8, trainSize, batchSize, epochs)));
    }
}
