package dev.shears.prune;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;
import dev.shears.train.CheckpointFormat;
import dev.shears.train.OptimizerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves a model mid-pruning and restores it so that {@code fit(initialEpoch = k)} continues exactly where
 * it stopped. One safetensors file, {@link CheckpointFormat#plain()}'s layout (weights, {@code training_step},
 * {@code optimizer/<slot>} tensors and {@code optimizer} metadata, see {@link OptimizerState}) with extra tensors
 * {@code pruning/<param>/mask} (U8, 1 = kept), {@code pruning/<param>/threshold} (F32 [1]),
 * {@code pruning/<wrapper>/step} (I64 [1]) and metadata {@code pruning} (schedule, pattern, wrapped layer
 * indices and pruned parameters). {@link #FORMAT} is this layout as the {@link CheckpointFormat} that
 * {@link dev.shears.train.BackupAndRestore} uses for wrapped models.
 *
 * <pre>{@code
 * PruningCheckpoint.save(pruned, adam, file);
 * PruningCheckpoint.Restored r = PruningCheckpoint.load(file); Adam adam2 = new Adam(); r.restoreOptimizer(adam2);
 * }</pre>
 */
public final class PruningCheckpoint {
    /** This layout as a {@link CheckpointFormat}: saves and restores a wrapped model in place. */
    public static final CheckpointFormat FORMAT = new CheckpointFormat() {
        @Override
        public void save(Sequential model, Optimizer optimizer, Path file, Map<String, Safetensors.Entry> extraTensors,
                         Map<String, String> extraMetadata) throws IOException {
            PruningCheckpoint.save(model, optimizer, file, extraTensors, extraMetadata);
        }

        @Override
        public Safetensors.Contents restore(Sequential model, Optimizer optimizer, Path file) throws IOException {
            return PruningCheckpoint.restore(model, optimizer, file);
        }
    };

    private PruningCheckpoint() {
    }

    /**
     * What {@link #load} read: the wrapped model (masks, steps, training step restored) and the optimizer state.
     *
     * @param model               the wrapped model
     * @param optimizerName       the saved optimizer's name, or null if none was saved
     * @param optimizerIterations its step count
     * @param optimizerSlots      its state arrays by name
     */
    public record Restored(Sequential model, String optimizerName, long optimizerIterations, Map<String, float[]> optimizerSlots) {
        /**
         * Restores the optimizer state into {@code optimizer}.
         *
         * @throws IllegalArgumentException if the file holds no optimizer state or one of another kind
         */
        public void restoreOptimizer(Optimizer optimizer) {
            if (optimizerName == null) {
                throw new IllegalArgumentException("checkpoint holds no optimizer state, cannot restore " + optimizer.name());
            }
            new OptimizerState(optimizerName, optimizerIterations, optimizerSlots, Map.of()).restoreInto(optimizer);
        }
    }

    /**
     * Writes the wrapped model, its pruning state and (unless null) the optimizer's state atomically.
     *
     * @throws IllegalArgumentException if the model is not wrapped for pruning
     */
    public static void save(Sequential model, Optimizer optimizer, Path file) throws IOException {
        save(model, optimizer, file, Map.of(), Map.of());
    }

    /**
     * As {@link #save(Sequential, Optimizer, Path)}, with the caller's extra tensors and metadata entries.
     *
     * @throws IllegalArgumentException if the model is not wrapped for pruning, or an extra name clashes
     */
    public static void save(Sequential model, Optimizer optimizer, Path file, Map<String, Safetensors.Entry> extraTensors,
                            Map<String, String> extraMetadata) throws IOException {
        List<PruneLowMagnitude> ws = Pruning.wrappers(model);
        if (ws.isEmpty()) {
            throw new IllegalArgumentException("model " + model.name() + " is not wrapped for pruning; save it with ModelFiles.save");
        }
        Pruning.applyMasks(model);
        Map<String, Safetensors.Entry> extra = new LinkedHashMap<>();
        for (PruneLowMagnitude w : ws) {
            extra.put("pruning/" + w.name() + "/step", Safetensors.Entry.ofLongs(new long[] {w.pruningStep()}, 1));
            for (int i = 0; i < w.prunedParameters().size(); i++) {
                Parameter p = w.prunedParameters().get(i);
                boolean[] m = w.mask(i);
                byte[] bytes = new byte[m.length];
                for (int j = 0; j < m.length; j++) {
                    bytes[j] = (byte) (m[j] ? 1 : 0);
                }
                extra.put("pruning/" + p.name() + "/mask", Safetensors.Entry.ofBytes(bytes, p.value().shape()));
                extra.put("pruning/" + p.name() + "/threshold", Safetensors.Entry.ofFloats(new float[] {w.threshold(i)}, 1));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pruning", pruningMetadata(model));
        for (Map.Entry<String, Safetensors.Entry> e : extraTensors.entrySet()) {
            if (extra.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("extra tensor '" + e.getKey() + "' clashes with the pruning state");
            }
        }
        meta.putAll(extraMetadata);
        CheckpointFormat.plain().save(model, optimizer, file, extra, meta);
    }

    /** The {@code pruning} metadata of a wrapped model: its configuration plus the wrapped layers. */
    private static String pruningMetadata(Sequential model) {
        List<PruneLowMagnitude> ws = Pruning.wrappers(model);
        List<Object> layers = new ArrayList<>();
        for (PruneLowMagnitude w : ws) {
            List<Object> params = new ArrayList<>();
            for (Parameter p : w.prunedParameters()) {
                params.add(p.name());
            }
            layers.add(Map.of("index", model.layers().indexOf(w), "name", w.name(), "parameters", params));
        }
        Map<String, Object> pruning = new LinkedHashMap<>(ws.get(0).pruningConfig().toConfig());
        pruning.put("layers", layers);
        return Json.write(pruning);
    }

    /**
     * Reads a file written by {@link #save}: rebuilds the model, wraps the same layers, restores masks,
     * thresholds, pruning steps and the training step.
     *
     * @throws ModelFormatException naming the field when the file lacks pruning state or it does not fit the model
     */
    public static Restored load(Path file) throws IOException {
        Sequential plain = ModelFiles.load(file);
        Safetensors.Contents c = ModelFiles.read(file);
        Map<?, ?> pruning = jsonObject(file, c, "pruning");
        if (!(pruning.get("layers") instanceof List<?> layers)) {
            throw new ModelFormatException(file, "__metadata__.pruning.layers", "missing");
        }
        Set<String> prunedNames = new HashSet<>();
        Set<Integer> indices = new HashSet<>();
        try {
            for (Object o : layers) {
                Map<?, ?> l = (Map<?, ?>) o;
                indices.add(((Number) l.get("index")).intValue());
                for (Object p : (List<?>) l.get("parameters")) {
                    prunedNames.add((String) p);
                }
            }
        } catch (ClassCastException | NullPointerException e) {
            throw new ModelFormatException(file, "__metadata__.pruning.layers",
                    "each entry needs an integer 'index' and a 'parameters' list of names", e);
        }
        Sequential model;
        try {
            PruningConfig config = PruningConfig.fromConfig(pruning, p -> prunedNames.contains(p.name()));
            model = indices.size() == plain.layers().size() ? Pruning.prune(plain, config)
                    : Pruning.prune(plain, config, indices.stream().sorted().mapToInt(Integer::intValue).toArray());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__.pruning", e.getMessage(), e);
        }
        restoreWrappers(file, c, model);
        model.setTrainingStep(Long.parseLong(c.metadata().getOrDefault("training_step", "0")));
        OptimizerState opt = OptimizerState.read(file, c);
        return opt == null ? new Restored(model, null, 0, Map.of())
                : new Restored(model, opt.name(), opt.iterations(), opt.slots());
    }

    /**
     * Puts the state saved in {@code file} back into a live wrapped model built as the saved one was (same
     * layers, same pruning configuration): weights, masks, thresholds, pruning steps, the training step and,
     * unless {@code optimizer} is null, the optimizer's state. Nothing is changed when the file does not fit.
     *
     * @return the file's contents, for callers that stored extras in it
     * @throws ModelFormatException naming the file and field when the file's architecture, pruning state or
     *                              optimizer is not the run's
     */
    public static Safetensors.Contents restore(Sequential model, Optimizer optimizer, Path file) throws IOException {
        Pruning.requireWrapped(model);
        Safetensors.Contents c = ModelFiles.read(file);
        jsonObject(file, c, "pruning");
        String expected = pruningMetadata(model);
        if (!expected.equals(c.metadata().get("pruning"))) {
            throw new ModelFormatException(file, "__metadata__.pruning", "holds another pruning setup (schedule, "
                    + "wrapped layers) than the model being trained (file vs model) "
                    + Json.firstDifference(String.valueOf(c.metadata().get("pruning")), expected));
        }
        List<Runnable> apply = new ArrayList<>();
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            apply.add(readWrapper(file, c, w));
        }
        // All pruning state was read and checked above: only now is the model touched.
        Safetensors.Contents restored = CheckpointFormat.plain().restore(model, optimizer, file);
        apply.forEach(Runnable::run);
        return restored;
    }

    private static void restoreWrappers(Path file, Safetensors.Contents c, Sequential model) throws ModelFormatException {
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            readWrapper(file, c, w).run();
        }
    }

    /** Reads and checks one wrapper's saved state; the returned action puts it into the wrapper. */
    private static Runnable readWrapper(Path file, Safetensors.Contents c, PruneLowMagnitude w) throws ModelFormatException {
        Safetensors.Entry step = tensor(file, c, "pruning/" + w.name() + "/step", Safetensors.DType.I64, 1);
        List<Parameter> ps = w.prunedParameters();
        boolean[][] masks = new boolean[ps.size()][];
        float[] thresholds = new float[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            String name = "pruning/" + ps.get(i).name();
            byte[] raw = tensor(file, c, name + "/mask", Safetensors.DType.U8, ps.get(i).size()).raw();
            masks[i] = new boolean[raw.length];
            for (int j = 0; j < raw.length; j++) {
                masks[i][j] = raw[j] != 0;
            }
            thresholds[i] = tensor(file, c, name + "/threshold", Safetensors.DType.F32, 1).floats()[0];
        }
        long s = step.longs()[0];
        return () -> w.restore(s, masks, thresholds);
    }

    private static Safetensors.Entry tensor(Path file, Safetensors.Contents c, String name, Safetensors.DType type,
                                            long count) throws ModelFormatException {
        Safetensors.Entry e = c.tensors().get(name);
        if (e == null || e.dtype() != type || e.elementCount() != count) {
            throw new ModelFormatException(file, name, "expected a " + type + " tensor of " + count + " values, got "
                    + (e == null ? "none" : e.dtype() + " with " + e.elementCount()));
        }
        return e;
    }

    private static Map<?, ?> jsonObject(Path file, Safetensors.Contents c, String key) throws ModelFormatException {
        String text = c.metadata().get(key);
        if (text == null) {
            throw new ModelFormatException(file, "__metadata__." + key, "missing; not a pruning checkpoint");
        }
        try {
            if (Json.parse(text) instanceof Map<?, ?> m) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__." + key, e.getMessage(), e);
        }
        throw new ModelFormatException(file, "__metadata__." + key, "is not a JSON object");
    }
}
