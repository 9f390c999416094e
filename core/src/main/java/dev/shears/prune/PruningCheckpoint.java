package dev.shears.prune;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;
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
 * it stopped. One safetensors file ({@link ModelFiles} layout) with extra tensors
 * {@code pruning/<param>/mask} (U8, 1 = kept), {@code pruning/<param>/threshold} (F32 [1]),
 * {@code pruning/<wrapper>/step} (I64 [1]) and {@code optimizer/<slot>} (F32), and metadata
 * {@code pruning} (schedule, pattern, wrapped layer indices and pruned parameters), {@code training_step}
 * (the model's dropout step) and {@code optimizer} (name, iterations, config).
 *
 * <pre>{@code
 * PruningCheckpoint.save(pruned, adam, file);
 * PruningCheckpoint.Restored r = PruningCheckpoint.load(file); Adam adam2 = new Adam(); r.restoreOptimizer(adam2);
 * }</pre>
 */
public final class PruningCheckpoint {
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
            if (optimizerName == null || !optimizerName.equals(optimizer.name())) {
                throw new IllegalArgumentException("checkpoint holds optimizer state of " + optimizerName
                        + ", cannot restore it into " + optimizer.name());
            }
            optimizer.restore(optimizerIterations, optimizerSlots);
        }
    }

    /**
     * Writes the wrapped model, its pruning state and (unless null) the optimizer's state atomically.
     *
     * @throws IllegalArgumentException if the model is not wrapped for pruning
     */
    public static void save(Sequential model, Optimizer optimizer, Path file) throws IOException {
        List<PruneLowMagnitude> ws = Pruning.wrappers(model);
        if (ws.isEmpty()) {
            throw new IllegalArgumentException("model " + model.name() + " is not wrapped for pruning; save it with ModelFiles.save");
        }
        Pruning.applyMasks(model);
        Map<String, Safetensors.Entry> extra = new LinkedHashMap<>();
        List<Object> layers = new ArrayList<>();
        for (PruneLowMagnitude w : ws) {
            extra.put("pruning/" + w.name() + "/step", Safetensors.Entry.ofLongs(new long[] {w.pruningStep()}, 1));
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < w.prunedParameters().size(); i++) {
                Parameter p = w.prunedParameters().get(i);
                boolean[] m = w.mask(i);
                byte[] bytes = new byte[m.length];
                for (int j = 0; j < m.length; j++) {
                    bytes[j] = (byte) (m[j] ? 1 : 0);
                }
                extra.put("pruning/" + p.name() + "/mask", Safetensors.Entry.ofBytes(bytes, p.value().shape()));
                extra.put("pruning/" + p.name() + "/threshold", Safetensors.Entry.ofFloats(new float[] {w.threshold(i)}, 1));
                params.add(p.name());
            }
            layers.add(Map.of("index", model.layers().indexOf(w), "name", w.name(), "parameters", params));
        }
        Map<String, Object> pruning = new LinkedHashMap<>(ws.get(0).pruningConfig().toConfig());
        pruning.put("layers", layers);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pruning", Json.write(pruning));
        meta.put("training_step", Long.toString(model.trainingStep()));
        if (optimizer != null) {
            for (Map.Entry<String, float[]> e : optimizer.slots().entrySet()) {
                extra.put("optimizer/" + e.getKey(), Safetensors.Entry.ofFloats(e.getValue(), e.getValue().length));
            }
            Map<String, Object> opt = new LinkedHashMap<>();
            opt.put("name", optimizer.name());
            opt.put("iterations", optimizer.iterations());
            opt.put("config", optimizer.config());
            meta.put("optimizer", Json.write(opt));
        }
        ModelFiles.save(model, file, extra, meta);
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
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            restoreWrapper(file, c, w);
        }
        model.setTrainingStep(Long.parseLong(c.metadata().getOrDefault("training_step", "0")));
        if (!c.metadata().containsKey("optimizer")) {
            return new Restored(model, null, 0, Map.of());
        }
        Map<?, ?> opt = jsonObject(file, c, "optimizer");
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Entry> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith("optimizer/")) {
                slots.put(e.getKey().substring("optimizer/".length()), e.getValue().floats());
            }
        }
        if (!(opt.get("name") instanceof String name) || !(opt.get("iterations") instanceof Number iterations)) {
            throw new ModelFormatException(file, "__metadata__.optimizer", "needs a 'name' string and an 'iterations' number");
        }
        return new Restored(model, name, iterations.longValue(), slots);
    }

    private static void restoreWrapper(Path file, Safetensors.Contents c, PruneLowMagnitude w) throws ModelFormatException {
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
        w.restore(step.longs()[0], masks, thresholds);
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
