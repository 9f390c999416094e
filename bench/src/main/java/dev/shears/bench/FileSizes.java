package dev.shears.bench;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.nn.Sequential;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * File sizes of the tutorial model, dense safetensors vs the 80%-pruned compact file, raw and gzipped
 * (gzip is how the Keras tutorial compared them).
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar dev.shears.bench.FileSizes [dir]}</pre>
 */
public final class FileSizes {
    private FileSizes() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("shears-sizes");
        Path dense = dir.resolve("tutorial-dense.safetensors");
        ModelFiles.save(BenchModels.tutorial(), dense);
        Sequential pruned = BenchModels.prune(BenchModels.tutorial(), "CSR", 0.8);
        Path prunedSt = dir.resolve("tutorial-pruned80.safetensors");
        ModelFiles.save(pruned, prunedSt);
        Path compact = dir.resolve("tutorial-pruned80.shrs");
        InferenceModel model = InferenceModel.compile(pruned);
        CompactModelFile.write(model, compact);
        System.out.println("| file | bytes | gzip bytes |\n|---|---:|---:|");
        for (Path p : new Path[] {dense, prunedSt, compact}) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d |%n", p.getFileName(), Files.size(p), gzipSize(p));
        }
        System.out.printf(Locale.ROOT, "compact / dense = %.1f%%%n", 100.0 * Files.size(compact) / Files.size(dense));
        System.out.print(model.describe());
    }

    private static long gzipSize(Path f) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Files.readAllBytes(f));
        }
        return bytes.size();
    }
}
