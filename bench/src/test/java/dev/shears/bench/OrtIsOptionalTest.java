package dev.shears.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * shears.jar and shears-study.jar leave ONNX Runtime out, so no class they load may name an ONNX Runtime type
 * (a catch clause or a signature is enough to fail with NoClassDefFoundError): only {@link OrtModel} and
 * the benchmarks may, and the study reaches OrtModel after checking the class path by name.
 */
class OrtIsOptionalTest {
    @Test
    void onlyOrtModelAndTheBenchmarksNameOnnxRuntimeTypes() throws IOException, URISyntaxException {
        Path classes = Path.of(OrtModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> all;
        try (Stream<Path> s = Files.walk(classes.resolve("dev/shears/bench"))) {
            all = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(all.size() > 20, "found " + all.size() + " classes under " + classes);
        for (Path c : all) {
            String name = classes.relativize(c).toString();
            boolean allowed = name.startsWith("dev/shears/bench/OrtModel") || name.startsWith("dev/shears/bench/ModelBench")
                    || name.startsWith("dev/shears/bench/jmh_generated/");
            String bytes;
            try (InputStream in = Files.newInputStream(c)) {
                bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            if (!allowed) {
                assertFalse(bytes.contains("ai/onnxruntime/"), name + " names an ONNX Runtime type");
            }
        }
    }
}
