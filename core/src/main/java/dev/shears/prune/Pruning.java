package dev.shears.prune;

import dev.shears.io.Json;
import dev.shears.nn.Layer;
import dev.shears.nn.LayerRegistry;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The pruning workflow of tfmot in one place: {@link #prune} wraps a model, {@link #callback()} drives
 * pruning inside {@code Trainer.fit}, {@link #step} does it in a custom loop, {@link #strip} returns the
 * plain model with the masked weights baked in.
 *
 * <pre>{@code
 * Sequential pruned = Pruning.prune(model, PruningConfig.of(new PolynomialDecay(0.5, 0.8, 0, endStep)));
 * new Trainer(pruned, new Adam(), loss).fit(train, FitOptions.defaults().withEpochs(2).withCallback(Pruning.callback()));
 * Sequential plain = Pruning.strip(pruned);
 * }</pre>
 */
public final class Pruning {
    private Pruning() {
    }

    /**
     * Wraps every layer (layers without prunable weights only carry a step counter, as in tfmot). The
     * wrapped model shares the original's layers and weight tensors.
     *
     * @throws IllegalArgumentException if the model is already wrapped or has no prunable weights
     */
    public static Sequential prune(Sequential model, PruningConfig config) {
        return wrap(model, config, (i, l) -> true, "all layers");
    }

    /**
     * Wraps the layers at the given indices; the others stay as they are.
     *
     * @throws IllegalArgumentException for an index out of range, or when none of them has prunable weights
     */
    public static Sequential prune(Sequential model, PruningConfig config, int... layerIndices) {
        List<Integer> wanted = new ArrayList<>();
        for (int i : layerIndices) {
            if (i < 0 || i >= model.layers().size()) {
                throw new IllegalArgumentException("layer index " + i + " is out of range [0, " + model.layers().size() + ")");
            }
            wanted.add(i);
        }
        return wrap(model, config, (i, l) -> wanted.contains(i), "layers " + wanted);
    }

    /**
     * Wraps the layers with the given names.
     *
     * @throws IllegalArgumentException for an unknown name, or when none of them has prunable weights
     */
    public static Sequential prune(Sequential model, PruningConfig config, String... layerNames) {
        List<String> names = model.layers().stream().map(Layer::name).toList();
        for (String n : layerNames) {
            if (!names.contains(n)) {
                throw new IllegalArgumentException("model " + model.name() + " has no layer '" + n + "'; layers are " + names);
            }
        }
        List<String> wanted = List.of(layerNames);
        return wrap(model, config, (i, l) -> wanted.contains(l.name()), "layers " + wanted);
    }

    /**
     * Wraps the layers that {@code select} accepts.
     *
     * @throws IllegalArgumentException when it selects no layer with prunable weights
     */
    public static Sequential prune(Sequential model, PruningConfig config, Predicate<Layer> select) {
        return wrap(model, config, (i, l) -> select.test(l), "the predicate");
    }

    private interface Selector {
        boolean test(int index, Layer layer);
    }

    private static Sequential wrap(Sequential model, PruningConfig config, Selector select, String what) {
        if (!wrappers(model).isEmpty()) {
            throw new IllegalArgumentException("model " + model.name() + " is already wrapped for pruning");
        }
        List<Layer> layers = new ArrayList<>();
        int masked = 0;
        for (int i = 0; i < model.layers().size(); i++) {
            Layer l = model.layers().get(i);
            if (select.test(i, l)) {
                PruneLowMagnitude w = new PruneLowMagnitude(l, config);
                layers.add(w);
                masked += (int) l.parameters().stream().filter(config.weights()).count();
            } else {
                layers.add(l);
            }
        }
        if (masked == 0) {
            throw new IllegalArgumentException(what + " of model " + model.name() + " select no prunable weights");
        }
        Sequential wrapped = new Sequential(model.name(), model.inputShape(), model.seed(), layers);
        wrapped.setTrainingStep(model.trainingStep());
        return wrapped;
    }

    /** The pruning wrappers of a model, in order (empty for a plain model). */
    public static List<PruneLowMagnitude> wrappers(Sequential model) {
        List<PruneLowMagnitude> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l instanceof PruneLowMagnitude p) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Advances pruning to {@code step} (the global step of the batch about to run, the first batch being
     * 0): recomputes the masks when the schedule says so, then applies them. A custom training loop calls
     * this once before each batch's forward pass; it also undoes what the previous optimizer step did to
     * pruned weights.
     *
     * @return the mask update, if the schedule updates at this step
     * @throws IllegalStateException    if the model has no pruning wrappers
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public static Optional<MaskUpdate> step(Sequential model, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("pruning step must be >= 0, got " + step);
        }
        List<PruneLowMagnitude> ws = requireWrapped(model);
        PruningConfig config = ws.get(0).pruningConfig();
        for (PruneLowMagnitude w : ws) {
            w.advance(step);
        }
        Optional<MaskUpdate> update = Optional.empty();
        if (config.schedule().shouldUpdate(step)) {
            update = Optional.of(MaskUpdater.update(ws, config, step));
        }
        applyMasks(model);
        return update;
    }

    /** Zeroes every masked weight (the callback does this after each optimizer step). */
    public static void applyMasks(Sequential model) {
        for (PruneLowMagnitude w : wrappers(model)) {
            w.applyMasks();
        }
    }

    /**
     * Sets the sparsity from which the model's pruned convolutions train with their kept weights only
     * (sparse training: forward, input gradient and kernel gradient skip pruned weights, with results
     * bit-identical to the dense-masked computation). The default is
     * {@link dev.shears.kernels.MaskedConv#SPARSE_FROM}; a value above 1 keeps the dense-masked path.
     *
     * @throws IllegalArgumentException for NaN or a negative value
     */
    public static void sparseTraining(Sequential model, double fromSparsity) {
        if (!(fromSparsity >= 0)) {
            throw new IllegalArgumentException("sparse training threshold must be >= 0, got " + fromSparsity);
        }
        for (PruneLowMagnitude w : wrappers(model)) {
            w.sparseTrainingFrom(fromSparsity);
        }
    }

    /**
     * The plain model: fresh layers of the same architecture and names holding the masked weights, so
     * its summary and files equal the baseline's and its predictions equal the wrapped model's.
     *
     * @throws IllegalArgumentException if the model has a custom layer: use {@link #strip(Sequential, LayerRegistry)}
     */
    public static Sequential strip(Sequential model) {
        return strip(model, LayerRegistry.builtIn());
    }

    /**
     * As {@link #strip(Sequential)}, rebuilding custom layers with the factories of {@code layers}.
     *
     * @throws IllegalArgumentException if the model has a layer type {@code layers} does not know
     */
    public static Sequential strip(Sequential model, LayerRegistry layers) {
        applyMasks(model);
        // through JSON, as a model file does: toConfig holds arrays that fromConfig reads as lists
        Sequential plain = ModelConfig.fromConfig((Map<?, ?>) Json.parse(Json.write(ModelConfig.toConfig(model))), layers);
        for (Parameter p : model.parameters()) {
            float[] src = p.data();
            System.arraycopy(src, 0, plain.parameter(p.name()).data(), 0, src.length);
        }
        // non-trainable state (moving statistics): same layers in the same order, so the lists pair up
        List<Parameter> state = model.state();
        List<Parameter> plainState = plain.state();
        for (int i = 0; i < state.size(); i++) {
            float[] src = state.get(i).data();
            System.arraycopy(src, 0, plainState.get(i).data(), 0, src.length);
        }
        plain.setTrainingStep(model.trainingStep());
        return plain;
    }

    /** The training callback: sanity check warnings on System.err, no CSV log. */
    public static PruningCallback callback() {
        return new PruningCallback(System.err, null);
    }

    /**
     * The training callback.
     *
     * @param warnings where the schedule sanity check prints its warning (null: nowhere)
     * @param csvLog   CSV file of every mask update (null: none); see {@link PruningCallback}
     */
    public static PruningCallback callback(PrintStream warnings, Path csvLog) {
        return new PruningCallback(warnings, csvLog);
    }

    static List<PruneLowMagnitude> requireWrapped(Sequential model) {
        List<PruneLowMagnitude> ws = wrappers(model);
        if (ws.isEmpty()) {
            throw new IllegalStateException("model " + model.name() + " has no pruning wrappers; wrap it with Pruning.prune first");
        }
        return ws;
    }
}
