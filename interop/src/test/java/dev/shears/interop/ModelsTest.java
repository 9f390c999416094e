package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format detection from content, and one load/save for every format. */
class ModelsTest {
    @TempDir
    Path dir;

    @Test
    void detectsEveryFormatFromContentNotName() throws Exception {
        Sequential model = OnnxExportTest.mlp();
        Path st = dir.resolve("a.bin");
        ModelFiles.save(model, st);
        assertEquals(ModelFormat.SAFETENSORS, ModelFormat.detect(st));
        Path shrs = dir.resolve("b.bin");
        CompactModelFile.write(InferenceModel.compile(model), shrs);
        assertEquals(ModelFormat.COMPACT, ModelFormat.detect(shrs));
        assertEquals(ModelFormat.KERAS, ModelFormat.detect(TestData.fixture("keras_mlp.keras")));
        assertEquals(ModelFormat.KERAS_H5, ModelFormat.detect(TestData.fixture("keras_mlp.weights.h5")));
        assertEquals(ModelFormat.ONNX, ModelFormat.detect(TestData.fixture("torch_mlp.onnx")));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFormat.detect(text));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    }

    @Test
    void loadsEveryTrainableFormatAndSavesEveryWritableOne() throws Exception {
        float[] x = TestData.testImages();
        float[] want = Npy.read(TestData.fixture("keras_mlp_expected.npy")).data();
        Sequential keras = Models.load(TestData.fixture("keras_mlp.keras"));
        for (String ext : new String[] {".safetensors", ".onnx", ".shrs"}) {
            Path out = dir.resolve("m" + ext);
            Models.save(keras, out);
            float[] got = Models.loadRuntime(out).predict(x, TestData.IMAGES);
            assertTrue(TestData.maxDiff(want, got) <= OnnxExportTest.TOLERANCE, ext);
        }
        assertArrayEquals(keras.parameters().get(0).data(), Models.load(dir.resolve("m.onnx")).parameters().get(0).data(), 0f);
        assertArrayEquals(keras.parameters().get(0).data(), Models.load(dir.resolve("m.safetensors")).parameters().get(0).data(), 0f);
    }

    @Test
    void compactFilesAreRuntimeOnlyAndTheErrorNamesTheRightLoader() throws Exception {
        Path shrs = dir.resolve("m.shrs");
        CompactModelFile.write(InferenceModel.compile(OnnxExportTest.mlp()), shrs);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.load(shrs));
        assertTrue(e.getMessage().contains("Models.loadRuntime") && e.getMessage().contains("CompactModelFile.read"), e.getMessage());
    }

    @Test
    void kerasOutputIsRefusedWithTheWayOut() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.save(OnnxExportTest.mlp(), dir.resolve("m.keras")));
        assertTrue(e.getMessage().contains(".onnx"), e.getMessage());
        assertThrows(ModelFormatException.class, () -> Models.save(OnnxExportTest.mlp(), dir.resolve("m.txt")));
    }
}
