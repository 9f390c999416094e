package dev.shears.bench.study;

import dev.shears.io.Json;
import dev.shears.train.History;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes the study's outputs into a scratch directory beside {@code --out} and swaps it into place only
 * when everything is written, so {@code --out} holds either the old report or the new one, never a part.
 * The swap is two renames (the old report aside to {@code .<name>.old-<n>}, the scratch directory to
 * {@code --out}); a run killed between them leaves no {@code --out}, and the next {@link #begin} puts the old
 * report back. Scratch directories ({@code .<name>.partial-<n>}) of killed runs are removed by the next
 * {@link #begin}; a shutdown hook removes the one of a run that is interrupted (Ctrl-C). Directories are
 * made with {@link Files#createDirectory}, so they get the umask's permissions as any file the study
 * writes (not the owner-only ones of {@code Files.createTempDirectory}).
 */
final class ReportWriter {
    private final Path target;
    private final Path scratch;
    private final Thread cleanup;
    private boolean committed;

    private ReportWriter(Path target, Path scratch) {
        this.target = target;
        this.scratch = scratch;
        this.cleanup = new Thread(() -> deleteTree(scratch), "shears-study-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Recovers from a killed run's leftovers, then makes a fresh scratch directory for {@code out}. */
    static ReportWriter begin(Path out) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        recover(target);
        Path scratch;
        do {
            scratch = parent.resolve(partialPrefix(target) + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        } while (!tryCreate(scratch));
        return new ReportWriter(target, scratch);
    }

    private static boolean tryCreate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    static String partialPrefix(Path target) {
        return "." + target.getFileName() + ".partial-";
    }

    static String oldPrefix(Path target) {
        return "." + target.getFileName() + ".old-";
    }

    /**
     * What killed runs left beside {@code target}: with no report in place, the report moved aside by an
     * interrupted swap is the last complete one and goes back; other set-aside reports and all scratch
     * directories are removed.
     */
    static void recover(Path target) throws IOException {
        List<Path> olds = siblings(target, oldPrefix(target));
        if (!Files.exists(target) && !olds.isEmpty()) {
            // the newest, should several swaps have been interrupted
            Path newest = olds.get(olds.size() - 1);
            Files.move(newest, target);
            olds.remove(newest);
        }
        for (Path p : olds) {
            deleteTree(p);
        }
        for (Path p : siblings(target, partialPrefix(target))) {
            deleteTree(p);
        }
    }

    /** Entries beside target whose names start with prefix, oldest first. */
    private static List<Path> siblings(Path target, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(target.getParent())) {
            List<Path> found = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList());
            found.sort(Comparator.comparing(ReportWriter::modified).thenComparing(Path::toString));
            return found;
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** The scratch directory everything is written into. */
    Path dir() {
        return scratch;
    }

    void write(ReportData d) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(d.top());
        json.put("baseline", d.baseline().toJson());
        json.put("pruned", d.pruned().toJson());
        json.put("pruning_plan", d.pruningRun().history().records("pruning_plan"));
        List<Object> sweep = new ArrayList<>();
        for (Study.SweepRow r : d.sweep()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target_sparsity", r.targetSparsity());
            m.putAll(r.result().toJson());
            sweep.add(m);
        }
        json.put("sweep", sweep);
        Files.writeString(scratch.resolve("results.json"), Json.write(json) + "\n", StandardCharsets.UTF_8);
        writeTrainingLog(d);
        writePlots(d);
        Files.writeString(scratch.resolve("report.md"), Markdown.render(d, LocalDate.now().toString()), StandardCharsets.UTF_8);
    }

    private void writeTrainingLog(ReportData d) throws IOException {
        StringBuilder sb = new StringBuilder("phase,epoch,loss,accuracy,val_loss,val_accuracy,seconds\n");
        appendLog(sb, "baseline", d.baselineRun().history());
        appendLog(sb, "pruning", d.pruningRun().history());
        Files.writeString(scratch.resolve("training_log.csv"), sb.toString(), StandardCharsets.UTF_8);
    }

    private static void appendLog(StringBuilder sb, String phase, History h) {
        for (int e = 0; e < h.epochs(); e++) {
            sb.append(phase).append(',').append(e + 1);
            for (String k : new String[] {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}) {
                List<Double> v = h.get(k);
                sb.append(',').append(e < v.size() ? String.format(Locale.ROOT, "%.6f", v.get(e)) : "");
            }
            sb.append('\n');
        }
    }

    private void writePlots(ReportData d) throws IOException {
        History base = d.baselineRun().history();
        History prune = d.pruningRun().history();
        int baseEpochs = base.epochs();
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> acc = new ArrayList<>();
        loss.add(series("baseline loss", base.get("loss"), 1));
        loss.add(series("baseline val_loss", base.get("val_loss"), 1));
        loss.add(series("pruning loss", prune.get("loss"), baseEpochs + 1));
        loss.add(series("pruning val_loss", prune.get("val_loss"), baseEpochs + 1));
        acc.add(series("baseline accuracy", base.get("accuracy"), 1));
        acc.add(series("baseline val_accuracy", base.get("val_accuracy"), 1));
        acc.add(series("pruning accuracy", prune.get("accuracy"), baseEpochs + 1));
        acc.add(series("pruning val_accuracy", prune.get("val_accuracy"), baseEpochs + 1));
        Charts.lines(scratch.resolve("loss.png"), "Loss per epoch", "epoch", "loss", loss, true);
        Charts.lines(scratch.resolve("accuracy.png"), "Accuracy per epoch", "epoch", "accuracy", acc, true);
        writeSparsityPlot(d);
        Map<String, float[]> hist = new LinkedHashMap<>();
        hist.put("baseline (all weights)", d.baselineWeights());
        hist.put("pruned (non-zero weights)", nonZero(d.prunedWeights()));
        Charts.histograms(scratch.resolve("weights.png"), "Magnitude of prunable weights", hist, 40);
        if (!d.sweep().isEmpty()) {
            List<Double> x = new ArrayList<>();
            List<Double> accY = new ArrayList<>();
            List<Double> sizeY = new ArrayList<>();
            List<Double> latY = new ArrayList<>();
            for (Study.SweepRow r : d.sweep()) {
                x.add(r.result().sparsity());
                accY.add(r.result().testAccuracy());
                sizeY.add(r.result().compactBytes() / 1024.0);
                latY.add(r.result().batch1LatencyUs());
            }
            Charts.lines(scratch.resolve("sweep_accuracy.png"), "Test accuracy vs sparsity", "sparsity", "accuracy",
                    List.of(new Charts.Series("test accuracy", x, accY)), true);
            Charts.lines(scratch.resolve("sweep_size.png"), "Compact file size vs sparsity", "sparsity", "KiB",
                    List.of(new Charts.Series("compact file", x, sizeY)), true);
            Charts.lines(scratch.resolve("sweep_latency.png"), "Batch-1 latency vs sparsity", "sparsity", "µs / image",
                    List.of(new Charts.Series("runtime, automatic kernels", x, latY)), true);
        }
    }

    /** Planned sparsity at every step against the overall sparsity of the kernels after each mask update. */
    private void writeSparsityPlot(ReportData d) throws IOException {
        History prune = d.pruningRun().history();
        long total = 0;
        for (Map<String, Object> r : prune.records("pruning_plan")) {
            total = ((Number) r.get("total_steps")).longValue();
        }
        List<Long> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        long stride = Math.max(1, total / 400);
        for (long s = 0; s < total; s += stride) {
            px.add(s);
            py.add(d.schedule().sparsityAt(s));
        }
        TreeMap<Long, long[]> byStep = new TreeMap<>();
        for (Map<String, Object> r : prune.records("pruning")) {
            long step = ((Number) r.get("step")).longValue();
            long[] kv = byStep.computeIfAbsent(step, k -> new long[2]);
            kv[0] += ((Number) r.get("nonzeros")).longValue();
            kv[1] += ((Number) r.get("size")).longValue();
        }
        List<Long> ax = new ArrayList<>();
        List<Double> ay = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : byStep.entrySet()) {
            ax.add(e.getKey());
            ay.add(1 - (double) e.getValue()[0] / e.getValue()[1]);
        }
        if (!ax.isEmpty() && total > ax.get(ax.size() - 1)) {
            ax.add(total);
            ay.add(ay.get(ay.size() - 1));
        }
        Charts.steps(scratch.resolve("sparsity.png"), "Pruning schedule: planned vs applied",
                new Charts.Series("planned (schedule)", px, py), new Charts.Series("applied (mask updates)", ax, ay));
    }

    private static Charts.Series series(String name, List<Double> y, int firstEpoch) {
        List<Integer> x = new ArrayList<>();
        for (int i = 0; i < y.size(); i++) {
            x.add(firstEpoch + i);
        }
        return new Charts.Series(name, x, y);
    }

    private static float[] nonZero(float[] w) {
        int n = 0;
        for (float v : w) {
            n += v != 0f ? 1 : 0;
        }
        float[] out = new float[n];
        int i = 0;
        for (float v : w) {
            if (v != 0f) {
                out[i++] = v;
            }
        }
        return out;
    }

    /** Moves the finished report into place, replacing an older one. */
    void commit() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(oldPrefix(target) + System.currentTimeMillis() + "-"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1));
            Files.move(target, old);
        }
        try {
            try {
                Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(scratch, target);
            }
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target); // put the old report back rather than leave none
            }
            throw e;
        }
        committed = true;
        if (old != null) {
            deleteTree(old);
        }
        Runtime.getRuntime().removeShutdownHook(cleanup);
    }

    /** Removes the scratch directory unless the report was committed. */
    void abandonIfUncommitted() {
        if (!committed) {
            deleteTree(scratch);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook itself cleans up
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover scratch directory is hidden and harmless
        }
    }
}
