package dev.shears.interop;

import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;

/** Keras import. (Work in progress.) */
public final class KerasModels {
    private KerasModels() {
    }

    /** Reads a Keras 3 {@code .keras} file or a legacy TF 2.x full-model {@code .h5}. */
    public static Sequential load(Path file) throws IOException {
        throw new UnsupportedOperationException("Keras import is being written");
    }

    /** Fills {@code model} from a Keras 3 {@code .weights.h5} or a legacy {@code .h5} weights file. */
    public static void loadWeights(Sequential model, Path file) throws IOException {
        throw new UnsupportedOperationException("Keras import is being written");
    }
}
