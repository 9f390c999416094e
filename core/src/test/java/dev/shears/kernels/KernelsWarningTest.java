package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-time warning when the incubator module is missing, seen from real child JVMs: printed once
 * without the module, never with it, and not when the user switched the Vector API off on purpose.
 */
class KernelsWarningTest {
    /** A child's main: uses the kernels twice. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(Kernels.description());
            System.out.println(Kernels.vectorEnabled());
        }
    }

    private static String[] run(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        return new String[] {out, err};
    }

    private static long warnings(String err) {
        return err.lines().filter(l -> l.equals(Kernels.MISSING_MODULE_WARNING)).count();
    }

    @Test
    void missingModuleWarnsOnceWithTheFixes() throws Exception {
        String[] r = run();
        assertTrue(r[0].startsWith("scalar"), r[0]);
        assertEquals(1, warnings(r[1]), r[1]);
        for (String fix : new String[] {"--add-modules jdk.incubator.vector", "JDK_JAVA_OPTIONS", "MAVEN_OPTS", "argLine"}) {
            assertTrue(Kernels.MISSING_MODULE_WARNING.contains(fix), fix);
        }
    }

    @Test
    void noWarningWithTheModuleOrWhenSwitchedOff() throws Exception {
        String[] with = run("--add-modules", "jdk.incubator.vector");
        assertTrue(with[0].startsWith("Vector API"), with[0]);
        assertEquals(0, warnings(with[1]), with[1]);
        String[] off = run("-Dshears.vector=false");
        assertTrue(off[0].startsWith("scalar (disabled"), off[0]);
        assertFalse(off[1].contains("WARNING: Shears"), off[1]);
    }
}
