package dev.shears.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * About two minutes of JMH on the key comparisons (one fork, four 1 s warm-ups and three 0.5 s
 * measurements each, of which the fastest counts). Not one minute: the Vector API code runs hundreds of
 * times slower until C2 has compiled it, which took up to four seconds per fork here (with two warm-ups the
 * dense conv layer still measured twice its speed), and interference on a shared machine only ever adds
 * time. Then a markdown table of the ratios, all measured in this one run: sparse vs dense for the
 * tutorial's second conv (as a lone layer, NHWC in and out, and as a kernel on its own layout) and dense
 * 1024x1024 at 80% and 95%, batch 1; the whole tutorial model dense (every layer forced DENSE, and unpruned
 * with the automatic kernel choice) vs 80%-pruned at batch 1 and 64; Shears' GEMM vs EJML on two GEMM shapes.
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar dev.shears.bench.QuickBench}</pre>
 */
public final class QuickBench {
    private final Map<String, Double> us = new HashMap<>();

    private QuickBench() {
    }

    public static void main(String[] args) throws RunnerException {
        QuickBench q = new QuickBench();
        q.run("DenseLayerBench", "shape", "conv2,dense1024", "batch", "1");
        q.run("SparseLayerBench", "shape", "conv2,dense1024", "batch", "1", "sparsity", "80,95");
        q.run("ConvKernelBench.dense", "shape", "conv2", "sparsity", "80"); // the dense kernel ignores the sparsity
        q.run("ConvKernelBench.planar", "shape", "conv2", "sparsity", "80,95");
        q.run("ModelBench", "batch", "1,64");
        q.run("GemmBench", "shape", "conv2,dense1024", "batch", "1");
        System.out.println(q.table());
    }

    private void run(String bench, String... params) throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder().include("dev\\.shears\\.bench\\." + bench.replace(".", "\\.") + "(\\.|$)")
                .forks(1).warmupIterations(4).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        for (int i = 0; i < params.length; i += 2) {
            b = b.param(params[i], params[i + 1].split(","));
        }
        Collection<RunResult> results = new Runner(b.build()).run();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            StringBuilder key = new StringBuilder(bench.replaceAll("\\..*", "")).append('.').append(method);
            for (String p : r.getParams().getParamsKeys()) {
                key.append(' ').append(p).append('=').append(r.getParams().getParam(p));
            }
            // The fastest iteration: on this shared machine interference only ever adds time.
            us.put(key.toString(), r.getPrimaryResult().getStatistics().getMin());
        }
    }

    private double get(String key) {
        Double v = us.get(key);
        if (v == null) {
            throw new IllegalStateException("no result for " + key + "; have " + us.keySet());
        }
        return v;
    }

    private String table() {
        StringBuilder sb = new StringBuilder("\n| comparison (batch 1 unless noted) | baseline µs | Shears µs | speed-up |\n|---|---:|---:|---:|\n");
        for (String shape : new String[] {"conv2", "dense1024"}) {
            double dense = get("DenseLayerBench.layer batch=1 shape=" + shape);
            for (String s : new String[] {"80", "95"}) {
                double sparse = get("SparseLayerBench.layer batch=1 shape=" + shape + " sparsity=" + s);
                row(sb, shape + " layer, CSR " + s + "% vs dense" + (shape.startsWith("conv") ? " (NHWC in and out)" : ""), dense, sparse);
            }
        }
        double denseKernel = get("ConvKernelBench.dense shape=conv2 sparsity=80");
        for (String s : new String[] {"80", "95"}) {
            row(sb, "conv2 kernel, planar CSR " + s + "% vs dense (each on its own layout)", denseKernel,
                    get("ConvKernelBench.planar shape=conv2 sparsity=" + s));
        }
        for (String n : new String[] {"1", "64"}) {
            double dense = get("ModelBench.predict batch=" + n + " variant=dense");
            double pruned = get("ModelBench.predict batch=" + n + " variant=pruned80");
            double auto = get("ModelBench.predict batch=" + n + " variant=denseAuto");
            int batch = Integer.parseInt(n);
            row(sb, String.format(Locale.ROOT, "tutorial model batch %s, pruned 80%% vs dense (%.1f vs %.1f µs/image, %.0f vs %.0f images/s)",
                    n, pruned / batch, dense / batch, 1e6 * batch / pruned, 1e6 * batch / dense), dense, pruned);
            row(sb, String.format(Locale.ROOT, "tutorial model batch %s, pruned 80%% vs unpruned with the automatic kernels (%.1f µs/image)",
                    n, auto / batch), auto, pruned);
        }
        for (String shape : new String[] {"conv2", "dense1024"}) {
            row(sb, "GEMM " + shape + ": Shears vs EJML", get("GemmBench.ejml batch=1 shape=" + shape),
                    get("GemmBench.shears batch=1 shape=" + shape));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String what, double baseline, double shears) {
        sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", what, baseline, shears, baseline / shears));
    }
}
