package dev.shears.bench.cli;

import dev.shears.interop.ModelFormat;
import dev.shears.interop.Models;
import dev.shears.interop.Onnx;
import dev.shears.nn.Sequential;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shears convert IN OUT}: reads any model file (format from its content) and writes the format
 * OUT's extension names. A compact {@code .shrs} input is rebuilt into a trainable model first, so it
 * converts like any other.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = ShearsCli.Version.class,
        description = "Convert a model file. IN: .safetensors, .shrs, .onnx, .keras or .h5 (detected from the "
                + "content); OUT: .safetensors, .shrs or .onnx (chosen by the extension).")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "Model file to read.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Model file to write (.safetensors, .shrs or .onnx).")
    Path out;

    @Option(names = "--nchw", description = "ONNX output: take NCHW input [N, C, H, W] (PyTorch's layout) instead of NHWC.")
    boolean nchw;

    @Option(names = "--sparse-initializers", description = "ONNX output: store large pruned kernels as sparse_initializer "
            + "(values + int64 indices; smaller above about 67%% sparsity).")
    boolean sparseInitializers;

    @Override
    public Integer call() throws Exception {
        ModelFormat outFormat = CliFiles.modelOutputFormat(out);
        ModelFormat inFormat = CliFiles.detect(in);
        Sequential model = CliFiles.loadTrainable(in, inFormat, CliFiles.allowNonFinite(spec));
        if (outFormat == ModelFormat.ONNX) {
            Onnx.export(model, out, Onnx.ExportOptions.defaults().withSparseInitializers(sparseInitializers)
                    .withInputLayout(nchw ? Onnx.InputLayout.NCHW : Onnx.InputLayout.NHWC));
        } else if (nchw || sparseInitializers) {
            throw new IllegalArgumentException("--nchw and --sparse-initializers apply to .onnx output only, not " + out);
        } else {
            Models.save(model, out);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "%s (%s, %,d bytes) -> %s (%s, %,d bytes)%n", in, CliFiles.describe(inFormat), Files.size(in),
                out, CliFiles.describe(outFormat), Files.size(out));
        w.flush();
        return 0;
    }
}
