package dev.shears.bench.study;

import dev.shears.bench.OrtModel;
import dev.shears.data.Dataset;
import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.infer.WeightFormat;
import dev.shears.interop.Onnx;
import dev.shears.nn.Sequential;
import dev.shears.prune.SparsityReport;
import dev.shears.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.GZIPOutputStream;

/**
 * Compiles a trained model into the inference runtime and measures it: accuracy and agreement with the
 * training engine on the test set, file sizes (safetensors, compact, both gzipped), batch-1 latency and
 * batch-64 throughput with automatic and with forced dense kernels.
 */
final class RuntimeMeasurements {
    /** Timed rounds per figure; the median round is reported, which damps noise from other processes. */
    private static final int ROUNDS = 7;
    private final long roundNanos;

    private final float[] x;
    private final int[] labels;
    private final int n;
    private final int inSize;
    private final PrintStream out;

    /** @param roundNanos length of one timed round (the quick mode uses short rounds) */
    RuntimeMeasurements(Dataset test, PrintStream out, long roundNanos) {
        this.roundNanos = roundNanos;
        this.x = test.features();
        this.labels = test.labels();
        this.n = test.size();
        this.inSize = test.featureSize();
        this.out = out;
    }

    ModelResult measure(String tag, Study.Trained run, Sequential plain, Path safetensors, Path dir) throws IOException {
        InferenceModel auto = InferenceModel.compile(plain);
        InferenceModel dense = InferenceModel.compile(plain, InferenceModel.Options.defaults().withFormat(WeightFormat.DENSE));
        float[] engine = plain.predict(x, n, 256);
        float[] runtime = auto.predict(x, n);
        int classes = auto.outputSize();
        double maxDiff = 0;
        for (int i = 0; i < engine.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(engine[i] - runtime[i]));
        }
        Path compact = dir.resolve(tag + ".shrs");
        CompactModelFile.write(auto, compact);
        float[] reloaded = CompactModelFile.read(compact).predict(x, n);
        if (!Arrays.equals(reloaded, runtime)) {
            throw new IllegalStateException(tag + ": the compact file's predictions differ from the compiled model's");
        }
        out.printf(Locale.ROOT, "%n== Runtime (%s)%n%s", tag, auto.describe());
        double[] ort = ortFigures(tag, plain, runtime, dir);
        ModelResult r = new ModelResult(run.evaluation().accuracy(), run.evaluation().loss(), accuracy(runtime, classes),
                maxDiff, SparsityReport.of(plain).prunableSparsity(), run.secondsPerEpoch(), Files.size(safetensors),
                gzipSize(safetensors), Files.size(compact), gzipSize(compact), latencyUs(auto::predict), latencyUs(dense::predict),
                throughput(auto::predict), throughput(dense::predict), kernels(auto.formats()), ort[0], ort[1]);
        out.printf(Locale.ROOT, "%s: runtime accuracy %.4f, max |diff| %.1e, batch-1 %.1f us (dense %.1f us), "
                        + "batch-64 %,.0f img/s (dense %,.0f img/s), compact file %,d B%n", tag, r.runtimeTestAccuracy(),
                r.runtimeMaxAbsDiff(), r.batch1LatencyUs(), r.batch1LatencyUsDense(), r.batch64ImagesPerS(),
                r.batch64ImagesPerSDense(), r.compactBytes());
        if (!Double.isNaN(r.batch1LatencyUsOrt())) {
            out.printf(Locale.ROOT, "%s: ONNX Runtime batch-1 %.1f us, batch-64 %,.0f img/s%n", tag, r.batch1LatencyUsOrt(),
                    r.batch64ImagesPerSOrt());
        }
        return r;
    }

    /** One batch of inference: outputs of {@code n} examples. */
    @FunctionalInterface
    interface Predictor {
        float[] predict(float[] x, int n);
    }

    /**
     * ONNX Runtime's batch-1 latency and batch-64 throughput on {@code plain} exported to ONNX (NHWC input,
     * the study's thread count), after checking that it gives Shears' outputs; NaN, NaN when ONNX Runtime
     * is not on the class path (shears.jar and shears-study.jar leave it out).
     */
    private double[] ortFigures(String tag, Sequential plain, float[] runtime, Path dir) throws IOException {
        // Checked without loading OrtModel: shears.jar and shears-study.jar carry no ONNX Runtime classes.
        if (!ortOnClassPath()) {
            out.println("ONNX Runtime is not on the class path (it is in the benchmarks jar and mvn exec:java): "
                    + "its rows are left empty");
            return new double[] {Double.NaN, Double.NaN};
        }
        Path onnx = dir.resolve(tag + ".onnx");
        Onnx.export(plain, onnx);
        try (OrtModel ort = new OrtModel(onnx, dev.shears.kernels.Parallel.common().threads(), plain.inputShape())) {
            float[] theirs = ort.predict(x, n);
            double diff = 0;
            for (int i = 0; i < theirs.length; i++) {
                diff = Math.max(diff, Math.abs(theirs[i] - runtime[i]));
            }
            if (diff > 1e-4) {
                throw new IllegalStateException(tag + ": ONNX Runtime's outputs differ from Shears' by " + diff);
            }
            return new double[] {latencyUs(ort::predict), throughput(ort::predict)};
        }
    }

    private static boolean ortOnClassPath() {
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, RuntimeMeasurements.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private double accuracy(float[] scores, int classes) {
        int[] predicted = Trainer.argmaxRows(scores, n, classes);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / n;
    }

    /** Median over rounds of the mean microseconds per single-image call. */
    private double latencyUs(Predictor model) {
        float[] one = new float[inSize];
        double[] rounds = new double[ROUNDS + 1];
        for (int r = 0; r <= ROUNDS; r++) {
            long t0 = System.nanoTime();
            long calls = 0;
            int i = 0;
            while (System.nanoTime() - t0 < roundNanos) {
                System.arraycopy(x, i * inSize, one, 0, inSize);
                model.predict(one, 1);
                calls++;
                i = (i + 1) % n;
            }
            rounds[r] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        // round 0 is warm-up
        return median(Arrays.copyOfRange(rounds, 1, rounds.length));
    }

    /** Median over rounds of images per second at batch 64. */
    private double throughput(Predictor model) {
        int batch = Math.min(64, n);
        float[] chunk = new float[batch * inSize];
        double[] rounds = new double[ROUNDS + 1];
        for (int r = 0; r <= ROUNDS; r++) {
            long t0 = System.nanoTime();
            long images = 0;
            int start = 0;
            while (System.nanoTime() - t0 < roundNanos) {
                if (start + batch > n) {
                    start = 0;
                }
                System.arraycopy(x, start * inSize, chunk, 0, batch * inSize);
                model.predict(chunk, batch);
                images += batch;
                start += batch;
            }
            rounds[r] = images / ((System.nanoTime() - t0) / 1e9);
        }
        return median(Arrays.copyOfRange(rounds, 1, rounds.length));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static long gzipSize(Path file) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(Files.readAllBytes(file));
        }
        return buf.size();
    }

    private static String kernels(Map<String, WeightFormat> ks) {
        StringJoiner j = new StringJoiner(", ");
        ks.forEach((layer, k) -> j.add(layer + "=" + k));
        return j.toString();
    }
}
