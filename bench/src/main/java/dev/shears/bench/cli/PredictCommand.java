package dev.shears.bench.cli;

import dev.shears.infer.InferenceModel;
import dev.shears.interop.Npy;
import dev.shears.io.AtomicFiles;
import dev.shears.kernels.Parallel;
import dev.shears.train.Trainer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shears predict MODEL --input X --output Y}: runs any model file through the inference runtime on
 * the examples in X ({@link InputArrays}) and writes the outputs {@code (n, outputs)} as {@code .npy} or
 * {@code .csv}; {@code --classes} prints each example's arg-max.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = ShearsCli.Version.class,
        description = "Run a model on the examples in a file and write its outputs.")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "Model file: .safetensors, .shrs, .onnx, .keras or .h5.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X", description = "Examples in the model's input layout "
            + "[N, H, W, C] or [N, features]: a float32 .npy, a .safetensors file holding one F32 tensor, or an IDX "
            + "file (unsigned bytes are scaled by 1/255; [N, H, W] is taken as one channel).")
    Path input;

    @Option(names = "--output", paramLabel = "Y", description = "Where to write the outputs [N, outputs]: .npy "
            + "(float32) or .csv (one row per example). Optional with --classes.")
    Path output;

    @Option(names = "--classes", description = "Print the index of each example's largest output, one per line.")
    boolean classes;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per call to the runtime (default: ${DEFAULT-VALUE}).")
    int batchSize = 256;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        validate();
        if (threads != null) {
            Parallel.setCommonThreads(threads);
        }
        boolean csv = output != null && isCsv(output);
        if (output != null) {
            CliFiles.requireOutputDirectory(output);
        }
        CliFiles.requireReadableFile(model);
        InferenceModel runtime = CliFiles.loadRuntime(model, CliFiles.allowNonFinite(spec));
        Npy.Array x = InputArrays.read(input);
        int n = InputArrays.examples(input, x.shape(), runtime.inputShape());
        float[] y = predict(runtime, x.data(), n);
        int outputs = runtime.outputSize();
        if (output != null) {
            if (csv) {
                AtomicFiles.write(output, toCsv(y, n, outputs).getBytes(StandardCharsets.UTF_8));
            } else {
                Npy.write(output, y, n, outputs);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (classes) {
            for (int c : Trainer.argmaxRows(y, n, outputs)) {
                out.println(c);
            }
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (output == null && !classes) {
            throw new IllegalArgumentException("predict needs --output Y (.npy or .csv), --classes, or both");
        }
        if (output != null && !isCsv(output) && !isNpy(output)) {
            throw new IllegalArgumentException(output + ": unknown output extension; expected .npy or .csv");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be positive, got " + threads);
        }
    }

    /** The outputs of all {@code n} examples, run {@code batchSize} at a time. */
    private float[] predict(InferenceModel runtime, float[] x, int n) {
        int in = Arrays.stream(runtime.inputShape()).reduce(1, (a, b) -> a * b);
        int outputs = runtime.outputSize();
        float[] y = new float[n * outputs];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            float[] chunk = new float[b * in];
            System.arraycopy(x, start * in, chunk, 0, b * in);
            System.arraycopy(runtime.predict(chunk, b), 0, y, start * outputs, b * outputs);
        }
        return y;
    }

    /** One line per example; {@link Float#toString} gives the shortest text that reads back to the same float. */
    static String toCsv(float[] y, int n, int outputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < outputs; j++) {
                sb.append(j == 0 ? "" : ",").append(y[i * outputs + j]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static boolean isCsv(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    private static boolean isNpy(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }
}
