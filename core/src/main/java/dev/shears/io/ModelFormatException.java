package dev.shears.io;

import java.io.IOException;
import java.nio.file.Path;

/** A model or weights file that cannot be read as what it claims to be; names the file and the field. */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file  the file
     * @param field the header field or tensor name at fault
     * @param what  what was expected and what was found
     */
    public ModelFormatException(Path file, String field, String what) {
        super(file + ": " + field + ": " + what);
    }

    public ModelFormatException(Path file, String field, String what, Throwable cause) {
        super(file + ": " + field + ": " + what, cause);
    }
}
