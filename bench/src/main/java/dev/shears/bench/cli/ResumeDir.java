package dev.shears.bench.cli;

import dev.shears.io.AtomicFiles;
import dev.shears.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a long command keeps so that {@code --resume} can continue it after a crash or {@code kill -9}: a
 * directory beside its output, {@code .<output name>.resume}, holding {@value #RUN_FILE} (the options that
 * decide the results) and one {@link dev.shears.train.BackupAndRestore} directory per training phase. A run
 * without {@code --resume} deletes an old one and starts afresh, writing its own so that it can be resumed in
 * turn; a run with {@code --resume} first checks that its options are those of the interrupted run. The
 * command deletes the directory once its output is in place.
 *
 * <pre>{@code ResumeDir r = ResumeDir.open(ResumeDir.beside(out), options, Set.of("threads"), resume, err::println);}</pre>
 */
public final class ResumeDir {
    /** Suffix of the directory's name. */
    public static final String SUFFIX = ".resume";
    /** The options of the run that the directory belongs to, as JSON. */
    public static final String RUN_FILE = "run.json";

    private final Path dir;
    private final boolean resumed;

    private ResumeDir(Path dir, boolean resumed) {
        this.dir = dir;
        this.resumed = resumed;
    }

    /** The resume directory of {@code output}: {@code .<name>.resume} in the same directory. */
    public static Path beside(Path output) {
        Path abs = output.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + SUFFIX);
    }

    /**
     * Opens the resume directory of a run.
     *
     * @param dir      the directory ({@link #beside})
     * @param options  the run's options that decide its results, by name (numbers, strings, booleans, lists)
     * @param noteOnly options whose change is only noted (e.g. the thread count: the run can go on, but the
     *                 result may differ in the last bits from an uninterrupted one)
     * @param resume   whether {@code --resume} was given
     * @param note     receives one-line notes (nothing found to resume, a changed noteOnly option)
     * @throws IllegalArgumentException if resuming with options that differ from the interrupted run's
     */
    public static ResumeDir open(Path dir, Map<String, Object> options, Set<String> noteOnly, boolean resume,
                                 Consumer<String> note) throws IOException {
        Path runFile = dir.resolve(RUN_FILE);
        boolean found = resume && Files.isRegularFile(runFile);
        if (found) {
            compare(dir, Json.parse(Files.readString(runFile, StandardCharsets.UTF_8)), options, noteOnly, note);
            return new ResumeDir(dir, true);
        }
        if (resume) {
            note.accept("NOTE: no interrupted run to resume in " + dir + "; starting afresh");
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        AtomicFiles.write(runFile, (Json.write(options) + "\n").getBytes(StandardCharsets.UTF_8));
        return new ResumeDir(dir, false);
    }

    private static void compare(Path dir, Object parsed, Map<String, Object> options, Set<String> noteOnly,
                                Consumer<String> note) {
        Map<?, ?> saved = parsed instanceof Map<?, ?> m ? m : Map.of();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            String was = saved.containsKey(e.getKey()) ? Json.write(saved.get(e.getKey())) : "(not recorded)";
            String now = Json.write(e.getValue());
            if (was.equals(now)) {
                continue;
            }
            if (noteOnly.contains(e.getKey())) {
                note.accept("NOTE: the interrupted run used " + e.getKey() + " " + was + ", this one " + now
                        + "; the results may differ in the last bits from an uninterrupted run's");
            } else {
                throw new IllegalArgumentException("--resume: the interrupted run in " + dir + " used " + e.getKey()
                        + " " + was + ", this one " + now + "; resume with the same options, or run without --resume "
                        + "to start afresh");
            }
        }
    }

    /** Whether an interrupted run's state was found (with {@code --resume}). */
    public boolean resumed() {
        return resumed;
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** The backup directory of one training phase (created by the backup when it first writes). */
    public Path phase(String name) {
        return dir.resolve(name);
    }

    /** Deletes the directory, once the run's output is in place. */
    public void delete() throws IOException {
        deleteTree(dir);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Options as an ordered map, for {@link #open}: name, value, name, value, ... */
    public static Map<String, Object> options(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            Object v = nameValue[i + 1];
            m.put((String) nameValue[i], v instanceof Path p ? p.toAbsolutePath().normalize().toString() : v);
        }
        return m;
    }
}
