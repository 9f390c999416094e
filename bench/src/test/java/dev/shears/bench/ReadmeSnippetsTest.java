package dev.shears.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of the top-level README against the built modules, so that a snippet
 * that drifts from the API fails the build. A block that declares a class is compiled as it stands. Any
 * other block is a fragment: its leading {@code import} lines are kept, the rest becomes the body of a
 * method that sees every Shears package, {@code java.nio.file} and {@code java.util}; the variables it
 * uses without declaring come from an HTML comment on the line before it,
 * {@code <!-- snippet-context: Sequential model; Path path -->}, and become the method's parameters.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern BLOCK = Pattern.compile("(?:<!--\\s*snippet-context:([^>]*)-->\\s*\\n)?```java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("(?m)^public (?:final )?class (\\w+)");
    private static final String PACKAGES = String.join("\n",
            "import dev.shears.data.*;", "import dev.shears.datasets.*;", "import dev.shears.examples.*;",
            "import dev.shears.infer.*;", "import dev.shears.interop.*;", "import dev.shears.io.*;",
            "import dev.shears.kernels.*;", "import dev.shears.nn.*;", "import dev.shears.optim.*;",
            "import dev.shears.prune.*;", "import dev.shears.tensor.*;", "import dev.shears.train.*;",
            "import java.nio.file.*;", "import java.util.*;");

    /** One {@code ```java} block: its text, the context declared for it, and its line in the README. */
    record Snippet(String code, String context, int line) {
    }

    static List<Snippet> snippets(String readme) {
        List<Snippet> all = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            int line = 1 + (int) readme.substring(0, m.start(2)).chars().filter(c -> c == '\n').count();
            all.add(new Snippet(m.group(2), m.group(1) == null ? "" : m.group(1).trim(), line));
        }
        return all;
    }

    /** The compilation unit for one snippet: as it stands when it declares a class, else wrapped. */
    static String unit(Snippet s, String className) {
        if (CLASS.matcher(s.code()).find()) {
            return s.code();
        }
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        boolean leading = true;
        for (String line : s.code().split("\n", -1)) {
            if (leading && line.startsWith("import ")) {
                imports.append(line).append('\n');
            } else {
                leading &= line.isBlank();
                body.append("        ").append(line).append('\n');
            }
        }
        String params = s.context().isEmpty() ? "" : String.join(", ", s.context().split("\\s*;\\s*"));
        return PACKAGES + "\n" + imports + "\n@SuppressWarnings(\"unused\")\nclass " + className + " {\n    void run(" + params
                + ") throws Exception {\n" + body + "    }\n}\n";
    }

    @Test
    void everyJavaSnippetInTheReadmeCompiles(@TempDir Path out) throws IOException {
        List<Snippet> snippets = snippets(Files.readString(README, StandardCharsets.UTF_8));
        assertTrue(snippets.size() >= 6, "found only " + snippets.size() + " java blocks in " + README.toAbsolutePath());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK, not a JRE");
        List<JavaFileObject> units = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            Snippet s = snippets.get(i);
            Matcher named = CLASS.matcher(s.code());
            String name = named.find() ? named.group(1) : "ReadmeSnippet" + i;
            String source = unit(s, name);
            units.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
            lines.add(s.line());
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(log, files, diagnostics,
                    List.of("-classpath", classpath, "-d", out.toString(), "-proc:none", "-Xlint:none"), null, units).call();
            StringBuilder report = new StringBuilder();
            diagnostics.getDiagnostics().forEach(d -> {
                String unitName = d.getSource() == null ? "?" : d.getSource().getName();
                int index = units.indexOf(d.getSource());
                report.append("README block at line ").append(index < 0 ? "?" : lines.get(index)).append(" (").append(unitName)
                        .append(", generated line ").append(d.getLineNumber()).append("): ")
                        .append(d.getMessage(Locale.ROOT)).append('\n');
            });
            assertTrue(ok, "README snippets do not compile:\n" + report + log);
        }
    }

    @Test
    void fragmentsAreWrappedWithTheirContextAndImports() {
        Snippet s = new Snippet("import a.B;\n\nB b = new B(model);\n", "Sequential model; Path path", 7);
        String unit = unit(s, "X");
        assertTrue(unit.contains("import a.B;\n"), unit);
        assertTrue(unit.contains("void run(Sequential model, Path path) throws Exception {\n"), unit);
        assertTrue(unit.contains("        B b = new B(model);"), unit);
        assertEquals(2, snippets("<!-- snippet-context: int n -->\n```java\nx();\n```\ntext\n```java\ny();\n```\n").size());
        assertEquals("int n", snippets("<!-- snippet-context: int n -->\n```java\nx();\n```\n").get(0).context());
    }
}
