package dev.shears.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.nn.Sequential;
import dev.shears.prune.PruningCheckpoint;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz targets (Jazzer) for core's file readers, on their in-memory entry points. Each must
 * load the bytes or throw its checked format exception; anything else is a finding. A model that loads
 * must also predict and compile.
 *
 * <p>Every build replays the seeds and past findings in {@code LoaderFuzzTestInputs/<method>/}; seeds are
 * written by {@code LoaderFuzzSeeds}. To fuzz one target:
 * {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest='LoaderFuzzTest#safetensorsModel'} (see the README).
 */
class LoaderFuzzTest {
    private static final Path NAME = Path.of("fuzz-input");
    /** Inputs of more values than this are not run through predict (the time per input would balloon). */
    private static final long PREDICT_LIMIT = 1 << 16;

    static void exercise(Sequential model) {
        exercise(InferenceModel.compile(model), model.inputShape());
        long size = 1;
        for (int d : model.inputShape()) {
            size *= d;
        }
        if (size <= PREDICT_LIMIT) {
            model.predict(new float[(int) size], 1, 1);
        }
    }

    static void exercise(InferenceModel model, int[] inputShape) {
        long size = 1;
        for (int d : inputShape) {
            size *= d;
        }
        if (size <= PREDICT_LIMIT) {
            model.predict(new float[(int) size], 1);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void safetensorsModel(byte[] data) {
        try {
            exercise(ModelFiles.fromContents(Safetensors.read(data, NAME), NAME));
        } catch (ModelFormatException expected) {
            // a refusal naming the field is the right answer to bad bytes
        }
    }

    @FuzzTest(maxDuration = "10m")
    void compactModel(byte[] data) {
        try {
            InferenceModel m = CompactModelFile.fromBytes(data, NAME, true);
            exercise(m, m.inputShape());
            exercise(m.toSequential());
        } catch (java.io.IOException expected) {
            // CompactFormatException
        }
    }

    @FuzzTest(maxDuration = "10m")
    void pruningCheckpoint(byte[] data) {
        try {
            exercise(PruningCheckpoint.fromContents(Safetensors.read(data, NAME), NAME).model());
        } catch (ModelFormatException expected) {
            // refused by name
        }
    }
}
