package dev.shears.infer;

import dev.shears.io.ModelFormatException;
import java.nio.file.Path;

/** A compact model file that is truncated, corrupted, of another version, or not one at all; names the file and field. */
public class CompactFormatException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file  the file
     * @param field the header field or layer at fault
     * @param what  what was expected and what was found
     */
    public CompactFormatException(Path file, String field, String what) {
        super(file, field, what);
    }
}
