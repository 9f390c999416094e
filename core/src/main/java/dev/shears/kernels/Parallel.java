package dev.shears.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place Shears runs work on several threads: splits an index range {@code [0, n)} into
 * contiguous chunks, runs the first on the calling thread and the rest on a fixed pool of daemon threads.
 *
 * <p>The <b>common pool</b> is the only static state in Shears. It has {@code threads} workers where
 * {@code threads} comes from the system property {@code shears.threads}, or else
 * {@link Runtime#availableProcessors()}; {@link #setCommonThreads(int)} replaces it (e.g. 1 for
 * bit-reproducible runs). Chunks are split statically, so results are deterministic for a given thread
 * count. A call made from inside a worker runs inline, so nested use cannot deadlock.
 *
 * <pre>{@code Parallel.common().forRange(rows, 16, (from, to) -> kernel(from, to));}</pre>
 */
public final class Parallel implements AutoCloseable {
    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile Parallel common;
    /**
     * Per-thread switch: loops started on this thread run on it alone. Set by {@link #inline} and, for
     * good, on every worker thread, so that a loop nested inside a chunk cannot wait on the pool it runs in.
     */
    private static final ThreadLocal<boolean[]> INLINE = ThreadLocal.withInitial(() -> new boolean[1]);

    private final int threads;
    private final ExecutorService pool;

    /**
     * A pool running loops on {@code threads} threads (the caller plus {@code threads - 1} workers).
     *
     * @throws IllegalArgumentException if threads &lt; 1
     */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            this.pool = null;
        } else {
            AtomicInteger counter = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(() -> {
                    INLINE.get()[0] = true;
                    r.run();
                }, "shears-worker-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(threads - 1, factory);
        }
    }

    /** The common pool (see class doc). */
    public static Parallel common() {
        Parallel p = common;
        if (p == null) {
            synchronized (Parallel.class) {
                p = common;
                if (p == null) {
                    p = new Parallel(defaultThreads());
                    common = p;
                }
            }
        }
        return p;
    }

    /** Replaces the common pool with one of {@code threads} threads; the old pool is shut down. */
    public static synchronized void setCommonThreads(int threads) {
        Parallel old = common;
        if (old != null && old.threads == threads) {
            return;
        }
        common = new Parallel(threads);
        if (old != null) {
            old.close();
        }
    }

    private static int defaultThreads() {
        String prop = System.getProperty("shears.threads");
        if (prop != null && !prop.isBlank()) {
            try {
                int t = Integer.parseInt(prop.trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
            throw new IllegalArgumentException("system property shears.threads must be a positive integer, got '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Number of threads a loop may use, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@link #threads()} contiguous chunks of at least
     * {@code grain} indices each; returns when all chunks are done. Exceptions from a chunk are rethrown.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1 || pool == null || INLINE.get()[0]) {
            body.run(0, n);
            return;
        }
        split(n, chunks, body);
    }

    /**
     * Whether {@link #forRange forRange(n, grain, ...)} would run on the calling thread alone: then a caller
     * that must not allocate calls its loop directly instead of creating the closure.
     */
    public boolean serial(int n, int grain) {
        return Math.min(threads, Math.max(1, n / Math.max(1, grain))) == 1 || pool == null || INLINE.get()[0];
    }

    private void split(int n, int chunks, RangeBody body) {
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[chunks - 1];
        for (int ch = 1; ch < chunks; ch++) {
            int from = (int) ((long) n * ch / chunks);
            int to = (int) ((long) n * (ch + 1) / chunks);
            futures[ch - 1] = pool.submit(() -> body.run(from, to));
        }
        RuntimeException failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = new IllegalStateException("interrupted while waiting for parallel work", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Runs {@code body} with every loop it starts on this thread run inline, without handing chunks to
     * workers: for latency-bound work such as batch-1 inference, where waking a worker costs more than
     * the chunk it would run. Nests; the previous setting is restored afterwards.
     */
    public static void inline(Runnable body) {
        boolean previous = enterInline();
        try {
            body.run();
        } finally {
            exitInline(previous);
        }
    }

    /**
     * {@link #inline} without a closure, for callers that must not allocate: loops this thread starts run
     * inline until {@link #exitInline} restores the returned previous setting (in a {@code finally}).
     */
    public static boolean enterInline() {
        boolean[] flag = INLINE.get();
        boolean previous = flag[0];
        flag[0] = true;
        return previous;
    }

    /** Restores the setting {@link #enterInline} returned. */
    public static void exitInline(boolean previous) {
        INLINE.get()[0] = previous;
    }

    /** Stops the worker threads; loops started afterwards fail. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
