package dev.shears.datasets;

import java.io.IOException;

/**
 * No copy of a data set was found in any searched place and none could be downloaded; the message lists
 * the places searched and the ways to fix it.
 */
public class DatasetNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message the places searched and the remedies; {@code cause} is the download failure, if any */
    public DatasetNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
