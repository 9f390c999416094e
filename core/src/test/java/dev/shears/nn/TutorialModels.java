package dev.shears.nn;

/** The Keras pruning tutorial's CNN, shared by tests (the library's own definition). */
public final class TutorialModels {
    private TutorialModels() {
    }

    /** See {@link dev.shears.examples.PruningTutorialExample#model(long)}. */
    public static Sequential tutorialCnn(long seed) {
        return dev.shears.examples.PruningTutorialExample.model(seed);
    }
}
