package dev.shears.nn;

/** The Keras pruning tutorial's CNN, shared by tests (the library's own definition). */
public final class TutorialModels {
    private TutorialModels() {
    }

    /** See {@link dev.shears.prune.Tutorial#model(long)}. */
    public static Sequential tutorialCnn(long seed) {
        return dev.shears.prune.Tutorial.model(seed);
    }
}
