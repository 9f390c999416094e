package dev.shears.nn;

/** Keras's padding modes of convolution and pooling layers ({@code padding="valid"} or {@code "same"}). */
public enum Padding {
    /** No padding: output = floor((in - k) / stride) + 1. */
    VALID,
    /** Zero padding so that output = ceil(in / stride), extra padding at the bottom/right as in TF. */
    SAME
}
