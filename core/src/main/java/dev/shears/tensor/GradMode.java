package dev.shears.tensor;

/**
 * Whether operations on the current thread record an autograd graph. Recording is on by default; a
 * no-grad scope turns it off for evaluation and inference so that nothing is retained:
 *
 * <pre>{@code try (GradMode.Scope s = GradMode.noGrad()) { Tensor y = model.forward(x, false); }}</pre>
 *
 * The flag is per thread, so one thread evaluating never disturbs another one training.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned scope is closed, then restores the previous state. */
    public static Scope noGrad() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = false;
        return () -> flag[0] = previous;
    }

    /** A scope that restores the previous grad mode when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
