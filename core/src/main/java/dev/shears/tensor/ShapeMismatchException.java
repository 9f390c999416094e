package dev.shears.tensor;

import java.util.Arrays;

/** Thrown when two shapes that must agree do not; the message names both shapes. */
public class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param what what was being checked, e.g. "matmul inner dimensions" */
    public ShapeMismatchException(String what, int[] expected, int[] actual) {
        super(what + ": expected shape " + Arrays.toString(expected) + " but got " + Arrays.toString(actual));
    }

    /** A free-form message that already names the shapes. */
    public ShapeMismatchException(String message) {
        super(message);
    }
}
