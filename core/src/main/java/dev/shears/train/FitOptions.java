package dev.shears.train;

import dev.shears.data.Dataset;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Trainer#fit}, Keras's {@code fit} arguments: epochs, batch size, validation data or
 * split, callbacks, shuffle seed, initial epoch (for resuming) and verbosity.
 *
 * <pre>{@code FitOptions.builder().epochs(10).batchSize(64).validation(test).build()}</pre>
 *
 * @param epochs          total epochs (training runs initialEpoch .. epochs-1)
 * @param batchSize       examples per step; the last batch of an epoch may be smaller
 * @param validation      evaluated after each epoch, or null
 * @param callbacks       hooks, called in order
 * @param shuffleSeed     the order of epoch e is a shuffle seeded by (shuffleSeed, e)
 * @param initialEpoch    first epoch to run, as Keras's initial_epoch (a {@link BackupAndRestore} that
 *                        restores a backup starts after the backed-up epoch instead)
 * @param verbose         print progress (a live line on a terminal, a line per epoch otherwise)
 * @param out             where progress goes
 * @param validationSplit Keras's validation_split f: the examples from index {@code floor(n·(1-f))} on, the
 *                        last part in the given order, taken before any shuffling, are held out and used as
 *                        validation data; 0 for none, below 1
 */
public record FitOptions(int epochs, int batchSize, Dataset validation, List<Callback> callbacks, long shuffleSeed,
                         int initialEpoch, boolean verbose, PrintStream out, double validationSplit) {
    /**
     * @throws IllegalArgumentException for non-positive epochs or batch size, a bad initial epoch, a split
     *                                  outside [0, 1), or a split together with validation data
     */
    public FitOptions {
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validationSplit must be in [0, 1), got " + validationSplit);
        }
        if (validationSplit > 0 && validation != null) {
            throw new IllegalArgumentException("validationSplit " + validationSplit
                    + " cannot be combined with validation data; pass one of them");
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (initialEpoch < 0 || initialEpoch >= epochs) {
            throw new IllegalArgumentException("initialEpoch must be in [0, epochs), got " + initialEpoch + " with epochs " + epochs);
        }
        callbacks = List.copyOf(callbacks);
        out = out == null ? System.out : out;
    }

    /** Without a validation split (the form before validationSplit existed). */
    public FitOptions(int epochs, int batchSize, Dataset validation, List<Callback> callbacks, long shuffleSeed,
                      int initialEpoch, boolean verbose, PrintStream out) {
        this(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, 0.0);
    }

    /** A builder with Keras's defaults: 1 epoch, batch 32, no validation, shuffle seed 0, verbose. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link FitOptions}. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 32;
        private Dataset validation;
        private final List<Callback> callbacks = new ArrayList<>();
        private long shuffleSeed;
        private int initialEpoch;
        private boolean verbose = true;
        private PrintStream out = System.out;
        private double validationSplit;

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder validation(Dataset validation) {
            this.validation = validation;
            return this;
        }

        /** Keras's validation_split: hold out the last fraction of the training data, see {@link FitOptions}. */
        public Builder validationSplit(double fraction) {
            this.validationSplit = fraction;
            return this;
        }

        public Builder callback(Callback callback) {
            this.callbacks.add(callback);
            return this;
        }

        public Builder callbacks(List<? extends Callback> callbacks) {
            this.callbacks.addAll(callbacks);
            return this;
        }

        public Builder shuffleSeed(long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        public Builder initialEpoch(int initialEpoch) {
            this.initialEpoch = initialEpoch;
            return this;
        }

        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        public Builder out(PrintStream out) {
            this.out = out;
            return this;
        }

        public FitOptions build() {
            return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out,
                    validationSplit);
        }
    }
}
