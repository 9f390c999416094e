package dev.shears.bench.study;

import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.optim.CosineDecay;
import dev.shears.optim.LearningRateSchedule;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.examples.PruningTutorialExample;
import java.util.Arrays;

/**
 * The models the study can run ({@code --model}), each with the defaults it is meant to be run with;
 * an option given on the command line overrides its default.
 *
 * <pre>{@code Sequential m = StudyModel.VGG_BN.build(42);}</pre>
 */
enum StudyModel {
    /** The Keras pruning tutorial's CNN with the tutorial's settings (constant Adam rate, pruned to 80%). */
    TUTORIAL("tutorial", new Defaults(10, 6, 0.8, 0.001, 0.001, false)) {
        @Override
        Sequential build(long seed) {
            return PruningTutorialExample.model(seed);
        }

        @Override
        Sequential wrapForPruning(Sequential start, PruningConfig config) {
            return Pruning.prune(start, config);
        }
    },
    /**
     * A small VGG with batch normalization on (28, 28, 1): blocks of Conv2D(3x3, 'same', linear) ->
     * BatchNormalization -> ReLU with MaxPooling2D(2) between blocks (28, 14, 7 and 3 pixels wide), then
     * GlobalAveragePooling2D and Dense(10, softmax). The baseline trains with Adam under CosineDecay, and so
     * does the pruning phase, from a smaller rate.
     */
    VGG_BN("vgg-bn", new Defaults(10, 8, 0.9, 0.002, 0.001, true)) {
        @Override
        Sequential build(long seed) {
            Sequential.Builder b = Sequential.builder(28, 28, 1).seed(seed);
            for (int block = 0; block < VGG_WIDTHS.length; block++) {
                if (block > 0) {
                    b.add(new MaxPooling2D(2));
                }
                b.add(Conv2D.builder(VGG_WIDTHS[block], 3).padding(Padding.SAME).build())
                        .add(new BatchNormalization(BN_MOMENTUM, 1e-3, true, true)).add(new ActivationLayer(Activation.RELU));
            }
            return b.add(new GlobalAveragePooling2D()).add(new Dense(10, Activation.SOFTMAX)).build();
        }

        /**
         * Every convolution but the first, as pruning studies usually leave the first layer and the
         * classifier dense (Gale et al. 2019): at 90% the first conv would keep 14 of its 144 weights, under
         * one per channel, and the classifier 192 of 1,920. In the earlier three-block model pruning them too
         * cost 8 points (83.3%); leaving them dense (2% of the weights) kept 89.7% with the same schedule.
         */
        @Override
        Sequential wrapForPruning(Sequential start, PruningConfig config) {
            Layer first = start.layers().stream().filter(l -> l instanceof Conv2D).findFirst().orElseThrow();
            return Pruning.prune(start, config, (Layer l) -> l instanceof Conv2D && l != first);
        }

        /** The masks reach the final sparsity two thirds into the pruning epochs; the rest fine-tunes at it. */
        @Override
        double pruneEndFraction() {
            return 2.0 / 3.0;
        }
    };

    /**
     * Channel widths of the VGG blocks, one convolution each. The fourth block, on 3x3 positions, holds 77% of
     * the kernel weights for 30% of the multiply-adds: the redundancy that lets pruning to 90% cost under half a
     * point. The model it replaced ({24, 48, 96}, 53,866 parameters) reached 91.8% and lost 1.2 points. A
     * narrow first block keeps the 28x28 stage, where batch normalization and pooling are memory-bound, cheap.
     */
    static final int[] VGG_WIDTHS = {16, 48, 96, 192};
    /**
     * Momentum of the moving statistics. Keras's 0.99 needs several hundred steps before they settle, so
     * a --quick run (64 steps) evaluated near chance; 0.9 (PyTorch's default) settles within tens of steps.
     */
    static final double BN_MOMENTUM = 0.9;

    /**
     * What a run of this model uses unless the command line says otherwise.
     *
     * @param epochs            baseline epochs
     * @param pruneEpochs       pruning (fine-tuning) epochs
     * @param finalSparsity     PolynomialDecay end
     * @param learningRate      Adam's baseline rate (the start of the cosine when {@code cosine})
     * @param pruneLearningRate Adam's rate while pruning (the start of the cosine when {@code cosine})
     * @param cosine            whether the baseline and pruning rates decay as CosineDecay over their phase's steps
     */
    record Defaults(int epochs, int pruneEpochs, double finalSparsity, double learningRate, double pruneLearningRate,
                    boolean cosine) {
    }

    private final String id;
    private final Defaults defaults;

    StudyModel(String id, Defaults defaults) {
        this.id = id;
        this.defaults = defaults;
    }

    /** A freshly initialized model. */
    abstract Sequential build(long seed);

    /** The name {@code --model} takes. */
    String id() {
        return id;
    }

    Defaults defaults() {
        return defaults;
    }

    /** The layers the study prunes: the whole model, or a selection. */
    abstract Sequential wrapForPruning(Sequential start, PruningConfig config);

    /** Where in the pruning phase the masks reach the final sparsity (1: at its last mask update). */
    double pruneEndFraction() {
        return 1.0;
    }

    /** The baseline's rate: CosineDecay from {@code lr} to 0 over {@code steps}, or the constant {@code lr}. */
    LearningRateSchedule baselineRate(double lr, long steps) {
        return defaults.cosine() ? new CosineDecay(lr, steps) : LearningRateSchedule.constant(lr);
    }

    /** The pruning phase's rate: CosineDecay from {@code lr} to 0 over {@code steps} when {@code cosine}, else constant. */
    LearningRateSchedule pruneRate(double lr, long steps) {
        return defaults.cosine() ? new CosineDecay(lr, steps) : LearningRateSchedule.constant(lr);
    }

    /** @throws IllegalArgumentException naming the known models */
    static StudyModel of(String id) {
        for (StudyModel m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--model must be one of " + Arrays.stream(values()).map(StudyModel::id).toList()
                + ", got '" + id + "'");
    }

    @Override
    public String toString() {
        return id;
    }
}
