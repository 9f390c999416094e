package dev.shears.datasets;

import java.io.IOException;

/**
 * A file that is not valid IDX (or not a valid labelled set): the message names the file, the field at
 * fault and what was expected, e.g. {@code "train.idx: dimension 0: header claims 2147483647 x 784 bytes
 * but the file holds 40 bytes"}.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String field;

    /**
     * @param file    the file (or resource) name
     * @param field   the part of the file at fault, e.g. {@code "magic"}, {@code "dimension 1"}, {@code "body"}
     * @param problem what was found and what was expected
     */
    public IdxFormatException(String file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
    }

    /** As {@link #IdxFormatException(String, String, String)}, keeping the low-level cause. */
    public IdxFormatException(String file, String field, String problem, Throwable cause) {
        this(file, field, problem);
        initCause(cause);
    }

    /** The file (or resource) name. */
    public String file() {
        return file;
    }

    /** The part of the file at fault. */
    public String field() {
        return field;
    }
}
