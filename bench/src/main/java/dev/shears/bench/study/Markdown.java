package dev.shears.bench.study;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders report.md: the comparison table, the pruning plan, per-layer sparsity and the plots. */
final class Markdown {
    private Markdown() {
    }

    /** A learning rate as written to results.json: a constant's value, or the schedule's class and config. */
    private static String rate(Object schedule) {
        Map<?, ?> m = (Map<?, ?>) schedule;
        Map<?, ?> c = (Map<?, ?>) m.get("config");
        return "Constant".equals(m.get("class_name")) && c.size() == 1 ? String.valueOf(c.values().iterator().next())
                : m.get("class_name") + String.valueOf(c);
    }

    /** A figure, or why an ONNX Runtime figure is missing. */
    private static String ort(String figure) {
        return figure.contains("NaN") ? "not measured (no ONNX Runtime on the class path)" : figure;
    }

    static String render(ReportData d, String date) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> t = d.top();
        sb.append("# Shears pruning study\n\n");
        sb.append(String.format(Locale.ROOT, "Run on %s with %s thread(s); kernels: %s; %s, max heap %s MB.%n%n", date,
                t.get("threads"), t.get("kernels"), t.get("java"), t.get("max_heap_mb")));
        sb.append("Data: ").append(t.get("data_source")).append(String.format(Locale.ROOT, " — %,d training / %,d test images.%n",
                (Integer) t.get("train_images"), (Integer) t.get("test_images")));
        if (Boolean.TRUE.equals(t.get("data_is_sample"))) {
            sb.append("\n> **This run used the embedded sample, not the full Fashion-MNIST**: the figures are a smoke "
                    + "test, not the study's result.\n");
        }
        sb.append(String.format(Locale.ROOT, "%nModel: %s, %,d parameters.%n", t.get("model"), ((Number) t.get("parameters")).longValue()));
        sb.append(String.format(Locale.ROOT, "%nBaseline: %s epochs, batch %s, Adam, learning rate %s. Pruning: %s over %s epochs, "
                        + "Adam, learning rate %s, starting from the %s weights.%n%n", t.get("epochs"), t.get("batch_size"),
                rate(t.get("learning_rate")), t.get("schedule"), t.get("prune_epochs"), rate(t.get("prune_learning_rate")),
                t.get("prune_from")));
        sb.append("## Baseline vs pruned\n\n");
        sb.append("| | baseline | pruned |\n|---|---:|---:|\n");
        ModelResult b = d.baseline();
        ModelResult p = d.pruned();
        row(sb, "test accuracy (training engine)", pct(b.testAccuracy()), pct(p.testAccuracy()));
        row(sb, "test accuracy (inference runtime)", pct(b.runtimeTestAccuracy()), pct(p.runtimeTestAccuracy()));
        row(sb, "max \\|runtime - engine\\| on outputs", sci(b.runtimeMaxAbsDiff()), sci(p.runtimeMaxAbsDiff()));
        row(sb, "sparsity of prunable kernels", pct(b.sparsity()), pct(p.sparsity()));
        row(sb, "model file (safetensors)", bytes(b.fileBytes()), bytes(p.fileBytes()));
        row(sb, "model file, gzipped", bytes(b.gzipBytes()), bytes(p.gzipBytes()));
        row(sb, "compact runtime file", bytes(b.compactBytes()), bytes(p.compactBytes()));
        row(sb, "compact runtime file, gzipped", bytes(b.compactGzipBytes()), bytes(p.compactGzipBytes()));
        row(sb, "batch-1 latency, automatic kernels", us(b.batch1LatencyUs()), us(p.batch1LatencyUs()));
        row(sb, "batch-1 latency, dense kernels", us(b.batch1LatencyUsDense()), us(p.batch1LatencyUsDense()));
        row(sb, "batch-64 throughput, automatic kernels", ips(b.batch64ImagesPerS()), ips(p.batch64ImagesPerS()));
        row(sb, "batch-64 throughput, dense kernels", ips(b.batch64ImagesPerSDense()), ips(p.batch64ImagesPerSDense()));
        row(sb, "batch-1 latency, ONNX Runtime 1.29 (the model exported to ONNX)", ort(us(b.batch1LatencyUsOrt())),
                ort(us(p.batch1LatencyUsOrt())));
        row(sb, "batch-64 throughput, ONNX Runtime 1.29", ort(ips(b.batch64ImagesPerSOrt())), ort(ips(p.batch64ImagesPerSOrt())));
        row(sb, "training seconds per epoch", secs(b.secondsPerEpoch()), secs(p.secondsPerEpoch()));
        row(sb, "runtime kernels", b.kernels(), p.kernels());
        sb.append(String.format(Locale.ROOT, "%nPruned vs baseline: accuracy %+.2f points; compact file %.1f%% of the dense "
                        + "safetensors file; batch-1 latency %.2fx faster.%n",
                100 * (p.testAccuracy() - b.testAccuracy()), 100.0 * p.compactBytes() / b.fileBytes(),
                b.batch1LatencyUs() / p.batch1LatencyUs()));
        sb.append("\n## Pruning schedule check\n\n");
        for (Map<String, Object> r : d.pruningRun().history().records("pruning_plan")) {
            sb.append(String.format(Locale.ROOT, "%s planned mask updates over %s steps; the schedule reaches %.2f%% (final %.2f%%).%n",
                    r.get("planned_updates"), r.get("total_steps"), 100 * ((Number) r.get("reached_sparsity")).doubleValue(),
                    100 * ((Number) r.get("final_sparsity")).doubleValue()));
            Object w = r.get("warnings");
            if (w instanceof List<?> list && !list.isEmpty()) {
                sb.append("\n**Warnings:**\n\n");
                for (Object o : list) {
                    sb.append("- ").append(o).append('\n');
                }
            }
        }
        sb.append("\n![planned vs applied sparsity](sparsity.png)\n");
        sb.append("\n## Per-layer sparsity of the pruned model\n\n```\n").append(d.sparsity()).append("```\n");
        sb.append("\n## Training curves\n\n![loss](loss.png)\n\n![accuracy](accuracy.png)\n");
        sb.append("\n## Weight magnitudes before and after pruning\n\n![weights](weights.png)\n");
        if (!d.sweep().isEmpty()) {
            sb.append("\n## Sparsity sweep\n\n| target | sparsity | test accuracy | runtime accuracy | compact file | batch-1 latency | batch-64 throughput |\n");
            sb.append("|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Study.SweepRow r : d.sweep()) {
                ModelResult m = r.result();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", pct(r.targetSparsity()),
                        pct(m.sparsity()), pct(m.testAccuracy()), pct(m.runtimeTestAccuracy()), bytes(m.compactBytes()),
                        us(m.batch1LatencyUs()), ips(m.batch64ImagesPerS())));
            }
            sb.append("\n![accuracy vs sparsity](sweep_accuracy.png)\n\n![size vs sparsity](sweep_size.png)\n\n"
                    + "![latency vs sparsity](sweep_latency.png)\n");
        }
        sb.append("\n## Model\n\n```\n").append(d.summary()).append("```\n");
        sb.append("\nFiles: `results.json` (every figure), `training_log.csv` (per epoch), `pruning_log.csv` (every mask update).\n");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, String a, String b) {
        sb.append("| ").append(name).append(" | ").append(a).append(" | ").append(b).append(" |\n");
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.1e", v);
    }

    private static String bytes(long v) {
        return String.format(Locale.ROOT, "%,d B", v);
    }

    private static String us(double v) {
        return String.format(Locale.ROOT, "%.1f µs", v);
    }

    private static String ips(double v) {
        return String.format(Locale.ROOT, "%,.0f img/s", v);
    }

    private static String secs(double v) {
        return String.format(Locale.ROOT, "%.2f s", v);
    }
}
