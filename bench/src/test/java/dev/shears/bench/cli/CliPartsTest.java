package dev.shears.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.ModelFormatException;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.PruningPlan;
import dev.shears.tensor.ShapeMismatchException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CliPartsTest {
    private static final Path FILE = Path.of("x.npy");

    @Test
    void inputShapesThatFitTheModel() {
        int[] image = {28, 28, 1};
        assertEquals(7, InputArrays.examples(FILE, new int[] {7, 28, 28, 1}, image));
        assertEquals(7, InputArrays.examples(FILE, new int[] {7, 28, 28}, image), "IDX images have no channel axis");
        assertEquals(1, InputArrays.examples(FILE, new int[] {28, 28, 1}, image), "one example without the batch axis");
        assertEquals(0, InputArrays.examples(FILE, new int[] {0, 28, 28, 1}, image));
        assertEquals(3, InputArrays.examples(FILE, new int[] {3, 10}, new int[] {10}));
        assertEquals(1, InputArrays.examples(FILE, new int[] {10}, new int[] {10}));
    }

    @Test
    void inputShapesThatDoNotFitNameTheFileAndBothShapes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> InputArrays.examples(FILE, new int[] {7, 28, 28, 3}, new int[] {28, 28, 1}));
        assertTrue(e.getMessage().contains("x.npy") && e.getMessage().contains("[7, 28, 28, 3]")
                && e.getMessage().contains("[N, 28, 28, 1]"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> InputArrays.examples(FILE, new int[] {7, 28}, new int[] {28, 28, 1}));
        assertThrows(ShapeMismatchException.class, () -> InputArrays.examples(FILE, new int[] {3, 11}, new int[] {10}));
    }

    /** The last mask update falls on the schedule's end step, so the plan reaches the final sparsity exactly. */
    @Test
    void scheduleReachesTheFinalSparsityForAnyRunLength() {
        PruneCommand prune = new PruneCommand();
        prune.finalSparsity = 0.8;
        int[][] runs = {{1, 1}, {1, 2}, {1, 7}, {2, 32}, {6, 938}, {3, 1001}, {1, 100}, {1, 101}};
        for (int[] run : runs) {
            PolynomialDecay s = prune.schedule(0.5, run[0], run[1]);
            PruningPlan plan = PruningPlan.of(s, run[0], run[1]);
            String what = run[0] + " x " + run[1] + ": " + plan.report();
            assertEquals(0.8, plan.reachedSparsity(), 1e-12, what);
            assertTrue(s.frequency() <= dev.shears.prune.PolynomialDecay.DEFAULT_FREQUENCY, what);
            long total = (long) run[0] * run[1];
            assertTrue(total - 1 - s.endStep() < s.frequency(), "no full update interval is left unused: " + what);
            assertTrue(plan.updateSteps().length >= Math.min(dev.shears.prune.PolynomialDecay.MIN_UPDATES, total), what);
        }
        prune.frequency = 500;
        PolynomialDecay fixed = prune.schedule(0.5, 2, 32);
        assertEquals(500, fixed.frequency());
        assertEquals(0.8, PruningPlan.of(fixed, 2, 32).reachedSparsity(), 1e-12, "one update, at step 0, to the final sparsity");
    }

    @Test
    void writerStreamKeepsACharacterSplitAcrossWrites() {
        StringWriter w = new StringWriter();
        PrintStream ps = WriterOutputStream.printStream(w);
        byte[] text = "é µs\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : text) {
            ps.write(b);
            ps.flush();
        }
        ps.print("epoch 1/2\r");
        ps.flush();
        assertEquals("é µs\nepoch 1/2\r", w.toString());
    }

    @Test
    void messagesNameTheFileOnOneLine() {
        assertEquals("no such file: m.onnx", Failures.message(new NoSuchFileException("m.onnx")));
        assertEquals("permission denied: m.onnx", Failures.message(new AccessDeniedException("m.onnx")));
        assertEquals("d: no such directory", Failures.message(new NoSuchFileException("d", null, "no such directory")));
        assertEquals("m.h5: format: bad one two", Failures.message(new ModelFormatException(Path.of("m.h5"), "format", "bad\n  one\ntwo")));
        assertTrue(Failures.isExpected(new ShapeMismatchException("x")));
        assertTrue(!Failures.isExpected(new IllegalStateException("bug")));
    }
}
