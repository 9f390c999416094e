package dev.shears.bench.cli;

import dev.shears.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * What the command line does with an exception thrown by a subcommand. Expected failures (any
 * {@link IOException}: missing, unreadable or bad files; {@link IllegalArgumentException}: bad option
 * values, shapes that do not fit; a diverged training run) print exactly one line {@code error: <message>}
 * on stderr, naming the file and what was wrong, plus the stack trace when {@code --debug} was given.
 * Anything else is a bug: its stack trace is printed. Both exit with 1. The study runner uses it too.
 */
public final class Failures implements CommandLine.IExecutionExceptionHandler {
    /** Set to true ({@code -Dshears.debug=true}) for stack traces where a command has no {@code --debug} option. */
    public static final String DEBUG_PROPERTY = "shears.debug";

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (isExpected(cause)) {
            err.println("error: " + message(cause));
            if (debugRequested(parsed)) {
                cause.printStackTrace(err);
            }
        } else {
            ex.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    static boolean isExpected(Throwable t) {
        return t instanceof IOException || t instanceof IllegalArgumentException || t instanceof TrainingDivergedException;
    }

    /**
     * One line that names the file. The JDK's file-system exceptions carry only the path as their message,
     * so the kind of failure is spelled out for them; multi-line messages are joined.
     */
    static String message(Throwable t) {
        String text;
        if (t instanceof FileSystemException fs && fs.getReason() == null) {
            String what = t instanceof NoSuchFileException ? "no such file"
                    : t instanceof AccessDeniedException ? "permission denied"
                    : t instanceof NotDirectoryException ? "not a directory"
                    : t.getClass().getSimpleName().replaceAll("Exception$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
            text = what + ": " + fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile());
        } else if (t.getMessage() == null || t.getMessage().isBlank()) {
            text = t.getClass().getSimpleName();
        } else {
            text = t.getMessage();
        }
        return text.lines().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
    }

    /** Whether {@code --debug} was given before the subcommand or after it. */
    private static boolean debugRequested(ParseResult parsed) {
        if (Boolean.getBoolean(DEBUG_PROPERTY)) {
            return true;
        }
        for (ParseResult pr = parsed; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption(ShearsCli.DEBUG)) {
                return true;
            }
        }
        return false;
    }
}
