package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume after {@code kill -9}: a child JVM ({@link BackupChild}) trains with a backup and is killed with
 * {@link Process#destroyForcibly()}; a second child resumes from the backup; its final model file must
 * equal, byte for byte, the one of a child that ran without interruption.
 */
class KillAndResumeTest {
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    /** A running child with its output lines (stdout and stderr) collected by a reader thread. */
    private record Child(Process process, BlockingQueue<String> lines, List<String> seen) {
        /** Waits for a line starting with {@code prefix}, collecting all lines seen; false on end of output or timeout. */
        boolean awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null) {
                    if (l.equals(EOF)) {
                        return false;
                    }
                    seen.add(l);
                    if (l.startsWith(prefix)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static final String EOF = "\u0000eof";

    private static Child start(Path backup, Path out, long pauseAt) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // surefire may run tests from a manifest-only jar; it passes the real class path in this property
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Dshears.threads=1",
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", cp, BackupChild.class.getName(), backup.toString(),
                out.toString(), Long.toString(pauseAt)).redirectErrorStream(true);
        Process p = pb.start();
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    q.add(l);
                }
            } catch (IOException ignored) {
                // the child was killed: its output simply ends
            }
            q.add(EOF);
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return new Child(p, q, new ArrayList<>());
    }

    /** Runs a child to its end; returns its output. */
    private static List<String> runToEnd(Path backup, Path out) throws Exception {
        Child c = start(backup, out, -1);
        boolean done = c.awaitLine("done");
        assertTrue(c.process().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(done && c.process().exitValue() == 0, "child failed: " + String.join("\n", c.seen()));
        return c.seen();
    }

    private static void kill(Child c) throws InterruptedException {
        c.process().destroyForcibly();
        assertTrue(c.process().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void killedMidEpochResumesToTheUninterruptedWeights() throws Exception {
        Path reference = dir.resolve("reference.safetensors");
        List<String> straight = runToEnd(dir.resolve("b0"), reference);
        assertTrue(straight.contains("resumed -1"), String.join("\n", straight));

        Path backup = dir.resolve("b1");
        long pauseAt = 8 * 2 + 3; // the fourth batch of epoch 2
        Child victim = start(backup, dir.resolve("never.safetensors"), pauseAt);
        assertTrue(victim.awaitLine("paused"), "child did not reach step " + pauseAt + ": " + victim.seen());
        assertTrue(victim.seen().contains("epoch 1 finished") && victim.seen().contains("step " + (pauseAt - 1)),
                "two epochs and part of the third ran: " + victim.seen());
        kill(victim);
        assertTrue(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)));

        Path resumedOut = dir.resolve("resumed.safetensors");
        List<String> resumed = runToEnd(backup, resumedOut);
        assertTrue(resumed.contains("resumed 2"), "resumes after the last finished epoch: " + resumed);
        assertFalse(resumed.contains("step " + (8 * 2 - 1)), "epochs 0 and 1 are not run again: " + resumed);
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(resumedOut),
                "the resumed run's final model equals the uninterrupted run's, bit for bit");
        assertFalse(Files.exists(backup), "the backup is deleted after the resumed run ends");
    }

    @Test
    void killedAroundABackupWriteResumesToTheSameWeights() throws Exception {
        Path reference = dir.resolve("reference.safetensors");
        runToEnd(dir.resolve("b0"), reference);
        // Kill as soon as epoch 0 ends: the backup is being written about then (before, during or after
        // the write); whichever it was, the run must resume to the same weights.
        Path backup = dir.resolve("b1");
        Child victim = start(backup, dir.resolve("never.safetensors"), -1);
        assertTrue(victim.awaitLine("epoch 0 finished"), "child did not finish epoch 0: " + victim.seen());
        kill(victim);
        Path resumedOut = dir.resolve("resumed.safetensors");
        List<String> resumed = runToEnd(backup, resumedOut);
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(resumedOut), "after " + resumed.get(0));
        if (Files.exists(backup)) {
            try (Stream<Path> left = Files.list(backup)) {
                assertEquals(List.of(), left.toList(), "no temporary file survives the resumed run");
            }
        }
    }
}
