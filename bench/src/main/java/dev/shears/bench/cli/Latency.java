package dev.shears.bench.cli;

import dev.shears.infer.InferenceModel;
import java.util.Arrays;

/**
 * A quick batch-1 latency comparison of compiled models: each is warmed up for a second (the Vector API
 * code runs many times slower until C2 has compiled it), then the models take turns in short rounds of single-example
 * calls, so that drift in the machine's speed hits them alike; the median call of each is reported.
 * Meant for a one-line figure on the command line, not a benchmark (see the JMH benchmarks for those).
 */
final class Latency {
    /** Timed calls per model. */
    static final int CALLS = 300;
    private static final int ROUNDS = 3;
    private static final long WARMUP_NANOS = 1_000_000_000L;
    private static final int MIN_WARMUP_CALLS = 100;

    private Latency() {
    }

    /**
     * Median microseconds of one {@code predict(x, 1)} call for each model, on the examples of
     * {@code examples (n, inSize)} in turn.
     */
    static double[] batch1Micros(float[] examples, int n, InferenceModel... models) {
        int inSize = examples.length / n;
        float[] one = new float[inSize];
        for (InferenceModel m : models) {
            long t0 = System.nanoTime();
            for (int i = 0; i < MIN_WARMUP_CALLS || System.nanoTime() - t0 < WARMUP_NANOS; i++) {
                System.arraycopy(examples, (i % n) * inSize, one, 0, inSize);
                m.predict(one, 1);
            }
        }
        int perRound = CALLS / ROUNDS;
        double[][] micros = new double[models.length][perRound * ROUNDS];
        int example = 0;
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < models.length; k++) {
                for (int c = 0; c < perRound; c++) {
                    System.arraycopy(examples, example * inSize, one, 0, inSize);
                    example = (example + 1) % n;
                    long t = System.nanoTime();
                    models[k].predict(one, 1);
                    micros[k][r * perRound + c] = (System.nanoTime() - t) / 1e3;
                }
            }
        }
        double[] medians = new double[models.length];
        for (int k = 0; k < models.length; k++) {
            Arrays.sort(micros[k]);
            medians[k] = micros[k][micros[k].length / 2];
        }
        return medians;
    }
}
