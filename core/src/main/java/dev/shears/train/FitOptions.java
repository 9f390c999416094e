package dev.shears.train;

import dev.shears.data.Dataset;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Trainer#fit}, Keras's {@code fit} arguments: epochs, batch size, validation data or
 * split, callbacks, shuffle seed, initial epoch (for resuming) and verbosity.
 *
 * <pre>{@code FitOptions.defaults().withEpochs(10).withBatchSize(64).withValidation(test)}</pre>
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
     * Checks each value on its own; how they fit together (initial epoch against epochs, a split against
     * validation data) is checked by {@link #validate()} when {@link Trainer#fit} starts, so that the
     * {@code with...} copies can come in any order.
     *
     * @throws IllegalArgumentException for non-positive epochs or batch size, a negative initial epoch or a
     *                                  split outside [0, 1)
     */
    public FitOptions {
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validationSplit must be in [0, 1), got " + validationSplit);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (initialEpoch < 0) {
            throw new IllegalArgumentException("initialEpoch must not be negative, got " + initialEpoch);
        }
        callbacks = List.copyOf(callbacks);
        out = out == null ? System.out : out;
    }

    /** Keras's defaults: 1 epoch, batch 32, no validation, no callbacks, shuffle seed 0, initial epoch 0, verbose. */
    public static FitOptions defaults() {
        return new FitOptions(1, 32, null, List.of(), 0L, 0, true, System.out, 0.0);
    }

    /**
     * Checks the values against each other.
     *
     * @throws IllegalArgumentException if the initial epoch is not below epochs, or a split comes with
     *                                  validation data
     */
    public FitOptions validate() {
        if (validationSplit > 0 && validation != null) {
            throw new IllegalArgumentException("validationSplit " + validationSplit
                    + " cannot be combined with validation data; pass one of them");
        }
        if (initialEpoch >= epochs) {
            throw new IllegalArgumentException("initialEpoch must be in [0, epochs), got " + initialEpoch + " with epochs " + epochs);
        }
        return this;
    }

    /** These options with {@code epochs} in all (training runs initialEpoch .. epochs-1). */
    public FitOptions withEpochs(int epochs) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options with {@code batchSize} examples per step. */
    public FitOptions withBatchSize(int batchSize) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options evaluating {@code validation} after each epoch (null: none). */
    public FitOptions withValidation(Dataset validation) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** Keras's validation_split: hold out the last fraction of the training data, see {@link FitOptions}. */
    public FitOptions withValidationSplit(double fraction) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, fraction);
    }

    /** These options with {@code callback} added after the callbacks they have. */
    public FitOptions withCallback(Callback callback) {
        List<Callback> all = new ArrayList<>(callbacks);
        all.add(java.util.Objects.requireNonNull(callback, "callback"));
        return new FitOptions(epochs, batchSize, validation, all, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options with exactly {@code callbacks}, in order (Keras's {@code callbacks=[...]}). */
    public FitOptions withCallbacks(List<? extends Callback> callbacks) {
        return new FitOptions(epochs, batchSize, validation, List.copyOf(callbacks), shuffleSeed, initialEpoch, verbose, out,
                validationSplit);
    }

    /** These options shuffling epoch e by (seed, e). */
    public FitOptions withShuffleSeed(long seed) {
        return new FitOptions(epochs, batchSize, validation, callbacks, seed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options starting at {@code initialEpoch}, as Keras's initial_epoch. */
    public FitOptions withInitialEpoch(int initialEpoch) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options printing progress (true) or not. */
    public FitOptions withVerbose(boolean verbose) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }

    /** These options printing progress to {@code out}. */
    public FitOptions withOut(PrintStream out) {
        return new FitOptions(epochs, batchSize, validation, callbacks, shuffleSeed, initialEpoch, verbose, out, validationSplit);
    }
}
