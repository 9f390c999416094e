package dev.shears.infer;

/**
 * One stage of a compiled model over a batch: {@code y (n, outSize) = f(x (n, inSize))}. Steps are
 * immutable and keep all per-call state in the caller's {@link Arena}, so one step serves many threads.
 */
interface Step {
    /** Values per example the step writes. */
    int outSize();

    /** Runs the step on {@code n} examples; {@code y} is never {@code x}. */
    void run(float[] y, float[] x, int n, Arena arena);

    /** One line for {@link InferenceModel#describe()}. */
    String describe();

    /** The weights, or null for steps without any. */
    default Weights weights() {
        return null;
    }
}
