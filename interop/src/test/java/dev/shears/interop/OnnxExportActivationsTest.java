package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.Dense;
import dev.shears.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Activations the ONNX export cannot write yet are refused by name, not dropped from the graph. */
class OnnxExportActivationsTest {
    @TempDir
    Path dir;

    @Test
    void activationWithoutAnOnnxNodeIsRefused() {
        for (Activation a : new Activation[] {Activation.GELU, Activation.SIGMOID, Activation.SILU}) {
            Sequential m = Sequential.builder(4).add(new Dense(3, a)).build();
            Path f = dir.resolve(a.kerasName() + ".onnx");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Onnx.export(m, f));
            assertTrue(e.getMessage().contains("'" + a.kerasName() + "'"), e.getMessage());
            assertFalse(Files.exists(f), "no partial file");
        }
    }
}
