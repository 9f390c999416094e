package dev.shears.nn;

/** The Keras pruning tutorial's CNN, shared by tests. */
public final class TutorialModels {
    private TutorialModels() {
    }

    /** Conv2D(16,5,relu) → MaxPool(2) → Conv2D(32,5,relu) → MaxPool(2) → Dropout(0.2) → GAP → Flatten → Dense(128,relu) → Dense(10,softmax). */
    public static Sequential tutorialCnn(long seed) {
        return Sequential.builder(28, 28, 1).seed(seed)
                .add(new Conv2D(16, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Conv2D(32, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Dropout(0.2)).add(new GlobalAveragePooling2D()).add(new Flatten())
                .add(new Dense(128, Activation.RELU)).add(new Dense(10, Activation.SOFTMAX))
                .build();
    }
}
