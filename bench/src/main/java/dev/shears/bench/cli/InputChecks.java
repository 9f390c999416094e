package dev.shears.bench.cli;

import dev.shears.data.Dataset;
import dev.shears.data.NonFiniteValueException;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The checks {@code shears prune} and the study run on their images before training: every value finite
 * (an error naming the example), and pixels within [0, 1] after scaling (a one-line warning otherwise: the
 * models are trained on images scaled so, and other values train, but not as intended).
 */
public final class InputChecks {
    private InputChecks() {
    }

    /**
     * Checks one set of images.
     *
     * @param what names the set in messages, e.g. "training images of fashion-mnist-sample"
     * @param warn receives the warning line, if any
     * @throws IllegalArgumentException (a {@link NonFiniteValueException} as cause) naming the set, the example
     *                                  and the value's position if a value is NaN or infinite
     */
    public static void check(String what, Dataset images, Consumer<String> warn) {
        try {
            images.checkFinite();
        } catch (NonFiniteValueException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        Dataset.ValueRange r = images.valueRange(0f, 1f);
        if (r.outside() > 0) {
            warn.accept(String.format(Locale.ROOT, "WARNING: %,d of %,d pixel values of the %s lie outside [0, 1] "
                    + "after scaling (min %s, max %s); the models expect pixels scaled to [0, 1]", r.outside(), r.count(),
                    what, r.min(), r.max()));
        }
    }
}
