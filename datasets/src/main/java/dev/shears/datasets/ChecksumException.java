package dev.shears.datasets;

import java.io.IOException;

/** A downloaded file whose SHA-256 differs from the known one; the message names the file and both sums. */
public class ChecksumException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message the file, the expected and the actual checksum */
    public ChecksumException(String message) {
        super(message);
    }
}
