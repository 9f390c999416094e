package dev.shears.infer;

/**
 * One stage of a compiled model over a batch: {@code y (n, outSize) = f(x (n, inSize))}. Steps are
 * immutable and keep all per-call state in the caller's {@link Arena}, so one step serves many threads.
 */
interface Step {
    /** Values per example the step writes. */
    int outSize();

    /**
     * Runs the step on {@code n} examples; {@code y} is never {@code x}. Its scratch comes from
     * {@code arena.scratch(i, size)} for the buffers it declared.
     */
    void run(float[] y, float[] x, int n, Arena arena);

    /** How many scratch buffers {@link #run} takes from the arena, numbered from 0. */
    default int scratchBuffers() {
        return 0;
    }

    /** One line for {@link InferenceModel#describe()}. */
    String describe();

    /**
     * Whether the step can take its input channel-major, (n, c, h, w), as planar sparse convs write it;
     * steps that cannot get an NHWC copy first (see {@link InferenceModel}).
     */
    default boolean acceptsChannelsFirst() {
        return false;
    }

    /** Whether the step writes (n, c, h, w) rather than NHWC. */
    default boolean channelsFirstOut() {
        return false;
    }

    /** The weights, or null for steps without any. */
    default Weights weights() {
        return null;
    }
}
