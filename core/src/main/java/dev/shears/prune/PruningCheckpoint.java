package dev.shears.prune;

import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.nn.ConfigFields;
import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Optimizer;
import dev.shears.train.CheckpointFormat;
import dev.shears.train.OptimizerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
    private PruningCheckpoint() {
    }

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
     * thresholds, pruning steps and the training step. Everything is checked against the model first: each
     * wrapped layer's index and name, each pruned parameter's name; every {@code pruning/} tensor must belong
     * to a pruned parameter or a wrapper (a renamed mask is an error, not a silently unpruned layer), masks
     * hold only 0 and 1, {@code training_step} is a non-negative integer, and every optimizer slot is an F32
     * vector named {@code <parameter>/<slot>} of that parameter's size, or the optimizer's settable learning
     * rate {@value Optimizer#LEARNING_RATE_SLOT}, one value.
     *
     * @throws ModelFormatException naming the field when the file lacks pruning state or it does not fit the model
     */
    public static Restored load(Path file) throws IOException {
        return fromContents(ModelFiles.read(file), file);
    }

    /** As {@link #load} for contents already read (e.g. {@link Safetensors#read(byte[], Path)}); {@code file} names them in errors. */
    public static Restored fromContents(Safetensors.Contents c, Path file) throws ModelFormatException {
        Sequential plain = ModelFiles.fromContents(c, file);
        Map<?, ?> pruning = jsonObject(file, c, "pruning");
        Map<Integer, List<String>> listed = listedLayers(file, pruning, plain);
        Set<String> prunedNames = new HashSet<>();
        listed.values().forEach(prunedNames::addAll);
        Sequential model;
        try {
            PruningConfig config = PruningConfig.fromConfig(pruning, p -> prunedNames.contains(p.name()));
            model = Pruning.prune(plain, config, listed.keySet().stream().mapToInt(Integer::intValue).toArray());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__.pruning", e.getMessage(), e);
        }
        checkPruningTensors(file, c, model);
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            readWrapper(file, c, w).run();
        }
        model.setTrainingStep(trainingStep(file, c));
        if (!c.metadata().containsKey("optimizer")) {
            for (String name : c.tensors().keySet()) {
                if (name.startsWith("optimizer/")) {
                    throw new ModelFormatException(file, name, "optimizer state without __metadata__.optimizer");
                }
            }
            return new Restored(model, null, 0, Map.of());
        }
        Map<?, ?> opt = jsonObject(file, c, "optimizer");
        String name;
        long iterations;
        try {
            name = ConfigFields.stringField(opt, "name", "optimizer");
            iterations = ConfigFields.longField(opt, "iterations", 0, Long.MAX_VALUE, "optimizer");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__.optimizer", e.getMessage(), e);
        }
        return new Restored(model, name, iterations, optimizerSlots(file, c, model));
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
        checkPruningTensors(file, c, model);
        List<Runnable> apply = new ArrayList<>();
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            apply.add(readWrapper(file, c, w));
        }
        // All pruning state was read and checked above: only now is the model touched.
        Safetensors.Contents restored = CheckpointFormat.plain().restore(model, optimizer, file);
        apply.forEach(Runnable::run);
        return restored;
    }

    /**
     * The "layers" entries of the pruning metadata, by layer index (ascending): each index in range and
     * given once, and each listed parameter a parameter of that layer.
     */
    private static Map<Integer, List<String>> listedLayers(Path file, Map<?, ?> pruning, Sequential plain)
            throws ModelFormatException {
        Map<Integer, List<String>> out = new java.util.TreeMap<>();
        try {
            List<?> layers = ConfigFields.listField(pruning, "layers", "pruning");
            for (int i = 0; i < layers.size(); i++) {
                String at = "pruning.layers[" + i + "]";
                if (!(layers.get(i) instanceof Map<?, ?> l)) {
                    throw new IllegalArgumentException("field " + at + " must be an object");
                }
                int index = ConfigFields.intField(l, "index", 0, plain.layers().size() - 1, at);
                Layer layer = plain.layers().get(index);
                String expected = PruneLowMagnitude.NAME_PREFIX + layer.name();
                String name = ConfigFields.stringField(l, "name", at);
                if (!name.equals(expected)) {
                    throw new IllegalArgumentException("field " + at + ".name is '" + name + "' but layer " + index + " would be wrapped as '"
                            + expected + "'");
                }
                List<String> own = layer.parameters().stream().map(Parameter::name).toList();
                List<String> params = new ArrayList<>();
                for (Object p : ConfigFields.listField(l, "parameters", at)) {
                    if (!(p instanceof String ps) || !own.contains(ps)) {
                        throw new IllegalArgumentException("field " + at + ".parameters: " + p + " is not a parameter of layer "
                                + layer.name() + ", which has " + own);
                    }
                    params.add(ps);
                }
                if (out.put(index, params) != null) {
                    throw new IllegalArgumentException("field " + at + ".index: layer " + index + " is listed twice");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "__metadata__.pruning.layers", e.getMessage(), e);
        }
        return out;
    }

    /** Every tensor under {@code pruning/} must be a pruned parameter's mask or threshold, or a wrapper's step. */
    private static void checkPruningTensors(Path file, Safetensors.Contents c, Sequential model) throws ModelFormatException {
        Set<String> expected = new HashSet<>();
        List<String> pruned = new ArrayList<>();
        for (PruneLowMagnitude w : Pruning.wrappers(model)) {
            expected.add("pruning/" + w.name() + "/step");
            for (Parameter p : w.prunedParameters()) {
                expected.add("pruning/" + p.name() + "/mask");
                expected.add("pruning/" + p.name() + "/threshold");
                pruned.add(p.name());
            }
        }
        for (String name : c.tensors().keySet()) {
            if (name.startsWith("pruning/") && !expected.contains(name)) {
                throw new ModelFormatException(file, name, "belongs to no pruned parameter or pruning wrapper of the model; "
                        + "pruned parameters are " + pruned + " (a renamed or extra mask would leave a layer unpruned)");
            }
        }
    }

    private static long trainingStep(Path file, Safetensors.Contents c) throws ModelFormatException {
        String text = c.metadata().get("training_step");
        if (text == null || !text.matches("[0-9]{1,19}")) {
            throw new ModelFormatException(file, "__metadata__.training_step", "is " + (text == null ? "missing" : "'" + text + "'")
                    + ", expected a non-negative integer");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file, "__metadata__.training_step", "'" + text + "' is larger than " + Long.MAX_VALUE);
        }
    }

    /**
     * The {@code optimizer/<parameter>/<slot>} tensors: F32 vectors of their parameter's size; and
     * {@code optimizer/}{@value Optimizer#LEARNING_RATE_SLOT}, an F32 vector of one value.
     */
    private static Map<String, float[]> optimizerSlots(Path file, Safetensors.Contents c, Sequential model)
            throws ModelFormatException {
        Map<String, Integer> sizes = new HashMap<>();
        for (Parameter p : model.parameters()) {
            sizes.put(p.name(), p.size());
        }
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Entry> e : c.tensors().entrySet()) {
            if (!e.getKey().startsWith("optimizer/")) {
                continue;
            }
            String slot = e.getKey().substring("optimizer/".length());
            int cut = slot.lastIndexOf('/');
            Integer size = slot.equals(Optimizer.LEARNING_RATE_SLOT) ? Integer.valueOf(1)
                    : cut > 0 && cut < slot.length() - 1 ? sizes.get(slot.substring(0, cut)) : null;
            if (size == null) {
                throw new ModelFormatException(file, e.getKey(), "expected optimizer/" + Optimizer.LEARNING_RATE_SLOT
                        + " or optimizer/<parameter>/<slot> for a parameter of the model, which has " + sizes.keySet());
            }
            Safetensors.Entry t = e.getValue();
            if (t.dtype() != Safetensors.DType.F32 || t.shape().length != 1 || t.elementCount() != size) {
                throw new ModelFormatException(file, e.getKey(), "expected an F32 vector of " + size + " values, got " + t.dtype()
                        + " " + java.util.Arrays.toString(t.shape()));
            }
            slots.put(slot, t.floats());
        }
        return slots;
    }

    /** Reads and checks one wrapper's saved state; the returned action puts it into the wrapper. */
    private static Runnable readWrapper(Path file, Safetensors.Contents c, PruneLowMagnitude w) throws ModelFormatException {
        String stepName = "pruning/" + w.name() + "/step";
        long step = tensor(file, c, stepName, Safetensors.DType.I64, 1).longs()[0];
        if (step < -1) {
            throw new ModelFormatException(file, stepName, "is " + step + ", expected -1 (no update yet) or a step >= 0");
        }
        List<Parameter> ps = w.prunedParameters();
        boolean[][] masks = new boolean[ps.size()][];
        float[] thresholds = new float[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            String name = "pruning/" + ps.get(i).name();
            byte[] raw = tensor(file, c, name + "/mask", Safetensors.DType.U8, ps.get(i).size()).raw();
            masks[i] = new boolean[raw.length];
            for (int j = 0; j < raw.length; j++) {
                if (raw[j] != 0 && raw[j] != 1) {
                    throw new ModelFormatException(file, name + "/mask", "value " + j + " is " + raw[j] + ", expected 0 or 1");
                }
                masks[i][j] = raw[j] != 0;
            }
            thresholds[i] = tensor(file, c, name + "/threshold", Safetensors.DType.F32, 1).floats()[0];
        }
        return () -> w.restore(step, masks, thresholds);
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
