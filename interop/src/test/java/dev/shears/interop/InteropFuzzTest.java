package dev.shears.interop;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz targets (Jazzer) for the interop parsers. Each must either load the bytes or throw
 * its checked {@link ModelFormatException}; anything else (an unchecked exception, an error, a hang) is a
 * finding. A model that loads must also run {@code predict} and {@link InferenceModel#compile}.
 *
 * <p>Every build replays the seeds and past findings in {@code InteropFuzzTestInputs/<method>/} (regression
 * mode). To fuzz one target: {@code JAZZER_FUZZ=1 mvn -pl interop test -Dtest='InteropFuzzTest#onnx'} (see
 * the README).
 */
class InteropFuzzTest {
    /** Inputs of more values than this are not run through predict (the time per input would balloon). */
    private static final long PREDICT_LIMIT = 1 << 16;
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("shears-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, byte[] data) {
        try {
            return Files.write(DIR.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a loaded model once in the engine and once compiled: a model that loads must work. */
    private static void exercise(Sequential model) {
        long size = 1;
        for (int d : model.inputShape()) {
            size *= d;
        }
        if (size > PREDICT_LIMIT) {
            return;
        }
        float[] x = new float[(int) size];
        model.predict(x, 1, 1);
        InferenceModel.compile(model).predict(x, 1);
    }

    @FuzzTest(maxDuration = "10m")
    void onnx(byte[] data) throws IOException {
        try {
            exercise(Onnx.load(write("m.onnx", data)));
        } catch (ModelFormatException expected) {
            // a refusal with the file and field named is the right answer to bad bytes
        }
    }

    @FuzzTest(maxDuration = "10m")
    void kerasModel(byte[] data) throws IOException {
        // Both containers: the content decides which reader runs, whatever the name.
        for (String name : new String[] {"m.keras", "m.h5"}) {
            try {
                exercise(KerasModels.load(write(name, data)));
            } catch (ModelFormatException expected) {
                // refused by name
            }
        }
    }

    @FuzzTest(maxDuration = "10m")
    void kerasWeights(byte[] data) throws IOException {
        Sequential model = Sequential.builder(6, 6, 1).add(new Conv2D(2, 3, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Flatten()).add(new Dropout(0.1)).add(new Dense(3, Activation.SOFTMAX)).build();
        try {
            KerasModels.loadWeights(model, write("w.h5", data));
            exercise(model);
        } catch (ModelFormatException expected) {
            // refused by name
        }
    }

    @FuzzTest(maxDuration = "10m")
    void npy(byte[] data) throws IOException {
        try {
            Npy.Array a = Npy.read(write("a.npy", data));
            long n = 1;
            for (int d : a.shape()) {
                n *= d;
            }
            if (n != a.data().length) {
                throw new AssertionError("shape " + java.util.Arrays.toString(a.shape()) + " but " + a.data().length + " values");
            }
        } catch (ModelFormatException expected) {
            // refused by name
        }
    }
}
