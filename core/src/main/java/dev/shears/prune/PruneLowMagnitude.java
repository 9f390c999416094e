package dev.shears.prune;

import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * tfmot's {@code PruneLowMagnitude} wrapper: owns a mask and a threshold for each prunable parameter of
 * the wrapped layer, plus the pruning step. It shares the wrapped layer's parameter tensors and zeroes
 * masked weights before every forward pass; layers without prunable weights pass through unchanged (they
 * only carry the step counter, as in tfmot's summary).
 *
 * <p>In training mode the pruning step must have been advanced for each batch: {@link
 * dev.shears.train.Trainer#fit} does it by itself through the callback this layer provides
 * ({@link dev.shears.train.TrainingHook}); a custom loop calls {@link Pruning#step} before each batch.
 * Otherwise forward throws, so a forgotten call cannot silently train a dense model. Created by
 * {@link Pruning#prune}.
 */
public final class PruneLowMagnitude extends Layer implements dev.shears.train.TrainingHook {
    /** Keras's name prefix for wrapped layers. */
    public static final String NAME_PREFIX = "prune_low_magnitude_";

    private final Layer inner;
    private final PruningConfig config;
    private List<Parameter> pruned = List.of();
    private boolean[][] masks = new boolean[0][];
    private float[] thresholds = new float[0];
    private long step = -1;
    private boolean stepPending;
    private double sparseTrainingFrom = dev.shears.kernels.MaskedConv.SPARSE_FROM;

    PruneLowMagnitude(Layer inner, PruningConfig config) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.config = Objects.requireNonNull(config, "config");
        if (inner instanceof PruneLowMagnitude) {
            throw new IllegalArgumentException("layer " + inner.name() + " is already wrapped for pruning");
        }
        setName(NAME_PREFIX + inner.name());
    }

    @Override
    public String type() {
        return "PruneLowMagnitude";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("class_name", inner.type());
        layer.put("config", inner.config());
        return configOf("layer", layer, "pruning", config.toConfig());
    }

    /** The wrapped layer's plan (masks are the size of its parameters). */
    @Override
    public Plan plan(int[] inputShape) {
        return inner.plan(inputShape);
    }

    @Override
    protected int[] doBuild(int[] inputShape, Random rng) {
        int[] out = inner.build(inputShape, rng);
        List<Parameter> chosen = new ArrayList<>();
        for (Parameter p : inner.parameters()) {
            if (config.weights().test(p)) {
                chosen.add(p);
            }
        }
        pruned = List.copyOf(chosen);
        masks = new boolean[pruned.size()][];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = new boolean[pruned.get(i).size()];
            Arrays.fill(masks[i], true);
        }
        thresholds = new float[pruned.size()];
        shareMasks();
        return out;
    }

    /**
     * Applies the masks, then runs the wrapped layer.
     *
     * @throws IllegalStateException in training mode when the pruning step was not advanced for this batch
     */
    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        if (training) {
            if (!stepPending) {
                throw new IllegalStateException("layer " + name() + ": the pruning step was not advanced for this "
                        + "training batch; a custom training loop must call Pruning.step(model, step) before each batch "
                        + "(Trainer.fit does this by itself)");
            }
            stepPending = false;
        }
        applyMasks();
        return inner.forward(x, training);
    }

    @Override
    public List<Parameter> parameters() {
        return inner.parameters();
    }

    /** The wrapped layer's state (e.g. BatchNormalization's moving statistics), never masked. */
    @Override
    public List<Parameter> state() {
        return inner.state();
    }

    /** A mask and a threshold per pruned parameter, plus the step counter, plus the wrapped layer's own. */
    @Override
    public long nonTrainableCount() {
        long n = 1 + thresholds.length + inner.nonTrainableCount();
        for (boolean[] m : masks) {
            n += m.length;
        }
        return n;
    }

    @Override
    public Layer unwrap() {
        return inner;
    }

    /** The pruning configuration. */
    public PruningConfig pruningConfig() {
        return config;
    }

    /** The parameters that carry a mask (empty for pass-through layers). */
    public List<Parameter> prunedParameters() {
        requireBuilt();
        return pruned;
    }

    /** The mask of pruned parameter {@code i} (true = kept); a copy. */
    public boolean[] mask(int i) {
        return masks[i].clone();
    }

    /** The threshold of the last mask update of pruned parameter {@code i} (0 before the first). */
    public float threshold(int i) {
        return thresholds[i];
    }

    /** The last pruning step, or -1 before the first. */
    public long pruningStep() {
        return step;
    }

    /** Zeroes every masked weight. */
    public void applyMasks() {
        for (int i = 0; i < masks.length; i++) {
            Masks.apply(pruned.get(i).data(), masks[i]);
        }
    }

    /**
     * Sets the sparsity from which the wrapped layer may compute with its kept weights only (sparse training;
     * see {@link Pruning#sparseTraining}).
     */
    void sparseTrainingFrom(double sparsity) {
        sparseTrainingFrom = sparsity;
        if (isBuilt()) {
            shareMasks();
        }
    }

    /** Hands the live masks to the wrapped layer ({@link Layer#pruneWith}). */
    private void shareMasks() {
        for (int i = 0; i < masks.length; i++) {
            inner.pruneWith(pruned.get(i), masks[i], sparseTrainingFrom);
        }
    }

    /** Records that the current batch is pruning step {@code s}. */
    void advance(long s) {
        step = s;
        stepPending = true;
    }

    /** Live mask array of pruned parameter {@code i}, for mask updates. */
    boolean[] liveMask(int i) {
        return masks[i];
    }

    void setThreshold(int i, float t) {
        thresholds[i] = t;
    }

    /** Restores saved state; lengths are checked by the caller. */
    void restore(long s, boolean[][] savedMasks, float[] savedThresholds) {
        for (int i = 0; i < masks.length; i++) {
            System.arraycopy(savedMasks[i], 0, masks[i], 0, masks[i].length);
        }
        System.arraycopy(savedThresholds, 0, thresholds, 0, thresholds.length);
        step = s;
        applyMasks();
    }

    /** Masks, thresholds and steps go into a backup with the model: {@link PruningCheckpoint#FORMAT}. */
    @Override
    public dev.shears.train.CheckpointFormat checkpointFormat() {
        return PruningCheckpoint.FORMAT;
    }

    /** {@link dev.shears.train.Trainer#fit} adds this (warnings to System.err) unless a PruningCallback is given. */
    @Override
    public dev.shears.train.Callback trainingCallback() {
        return Pruning.callback();
    }
}
