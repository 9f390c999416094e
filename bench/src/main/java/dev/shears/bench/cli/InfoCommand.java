package dev.shears.bench.cli;

import dev.shears.infer.InferenceModel;
import dev.shears.interop.ModelFormat;
import dev.shears.interop.Models;
import dev.shears.nn.Sequential;
import dev.shears.prune.SparsityReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shears info MODEL}: the file's format (from its content), the Keras-style summary, the sparsity
 * of each prunable kernel and the kernels the inference runtime runs.
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = ShearsCli.Version.class,
        description = "Show a model file's format, architecture, per-layer sparsity and the runtime's kernels.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "Model file: .safetensors, .shrs, .onnx, .keras or .h5.")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelFormat format = CliFiles.detect(model);
        // A compact file holds the runtime model with its kernel choice; the others are compiled here with
        // the automatic choice, which is what `predict` and a .shrs conversion would run.
        InferenceModel runtime;
        Sequential sequential;
        if (format == ModelFormat.COMPACT) {
            runtime = Models.loadRuntime(model);
            sequential = runtime.toSequential();
        } else {
            sequential = Models.load(model);
            runtime = InferenceModel.compile(sequential);
        }
        out.printf(Locale.ROOT, "File: %s (%,d bytes)%n", model, Files.size(model));
        out.println("Format: " + CliFiles.describe(format));
        out.printf(Locale.ROOT, "Input: %s per example, output: %d values%n%n", Arrays.toString(runtime.inputShape()),
                runtime.outputSize());
        out.print(sequential.summary());
        out.println();
        out.print(sparsityTable(SparsityReport.of(sequential)));
        out.println();
        out.println("Runtime kernels (" + (format == ModelFormat.COMPACT ? "as stored in the file" : "automatic choice") + "):");
        out.print(runtime.describe());
        out.flush();
        return 0;
    }

    /** One line per prunable kernel (biases are never pruned), then the total over all of them. */
    static String sparsityTable(SparsityReport report) {
        StringBuilder sb = new StringBuilder("Sparsity of prunable kernels:\n");
        String fmt = "  %-28s %10s %10s %9s%n";
        sb.append(String.format(Locale.ROOT, fmt, "parameter", "size", "nonzeros", "sparsity"));
        int rows = 0;
        for (SparsityReport.Row r : report.rows()) {
            if (r.prunable()) {
                sb.append(String.format(Locale.ROOT, fmt, r.parameter(), r.size(), r.nonzeros(),
                        String.format(Locale.ROOT, "%.2f%%", 100 * r.sparsity())));
                rows++;
            }
        }
        if (rows == 0) {
            sb.append("  (none: the model has no Conv2D or Dense kernels)\n");
        } else {
            sb.append(String.format(Locale.ROOT, "  all prunable kernels: %.2f%% sparse%n", 100 * report.prunableSparsity()));
        }
        return sb.toString();
    }
}
