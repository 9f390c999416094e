package dev.shears.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.InferenceModel;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Parameter;
import dev.shears.nn.Regularizer;
import dev.shears.nn.Reshape;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import dev.shears.optim.Adam;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningCheckpoint;
import dev.shears.prune.PruningConfig;
import dev.shears.tensor.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged model files: every truncation, every single bit flip over the header, absurd values in the
 * architecture, for a plain model ({@link #model}) and one with every newer layer ({@link #layersModel}).
 * Each must either fail with a {@link ModelFormatException} naming the file, or load a model that then
 * predicts and compiles for the runtime without any exception.
 */
public class DamagedFilesTest {
    /** Values put in place of each number, string and list of the architecture. */
    private static final List<Object> ABSURD = java.util.Arrays.asList(0L, -1L, 1.5, 1e300, -1e300, 65537L, (1L << 20) + 1,
            1L << 31, (1L << 31) - 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 30, "7", "", "same", "gelu", "mish", null, true, false,
            List.of(), List.of(3L), List.of(3L, 3L, 3L), List.of(1L << 30, 1L << 30), Map.of());

    @TempDir
    Path dir;

    /** Loads a file's bytes in memory (as a fuzz target would); {@code file} names them in errors. */
    private interface Loader {
        Sequential load(byte[] content, Path file) throws IOException;
    }

    private static final Loader MODEL = (b, f) -> ModelFiles.fromContents(Safetensors.read(b, f), f);
    private static final Loader CHECKPOINT = (b, f) -> PruningCheckpoint.fromContents(Safetensors.read(b, f), f).model();

    static Sequential model(long seed) {
        return Sequential.builder(6, 5, 2).seed(seed)
                .add(new ZeroPadding2D(1))
                .add(Conv2D.builder(3, 3).padding(Padding.SAME).activation(Activation.RELU).kernelInitializer(Initializer.HE_NORMAL).build())
                .add(new MaxPooling2D(2))
                .add(new Dropout(0.25))
                .add(new Flatten())
                .add(new Dense(4, Activation.SOFTMAX)).build();
    }

    /**
     * BatchNormalization folded into a linear Conv2D with a regularizer, then standalone (after a ReLU6
     * DepthwiseConv2D without bias, multiplier 2, and after a Reshape to rank 2), an Activation layer,
     * AveragePooling2D 'same' with a window hanging over the border, Reshape with -1, GlobalMaxPooling2D.
     * Moving statistics are not their initial values, so that a file that swaps or drops them is caught.
     */
    public static Sequential layersModel(long seed) {
        Sequential m = Sequential.builder(7, 5, 2).seed(seed)
                .add(Conv2D.builder(3, 3).padding(Padding.SAME).kernelInitializer(Initializer.HE_NORMAL).build()
                        .withKernelRegularizer(Regularizer.l1l2(1e-4, 1e-3)))
                .add(new BatchNormalization())
                .add(new ActivationLayer(Activation.GELU))
                .add(DepthwiseConv2D.builder(3, 2).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU6).useBias(false).build())
                .add(new BatchNormalization(0.9, 1e-2, false, true))
                .add(new AveragePooling2D(3, 2, 2, 2, Padding.SAME))
                .add(new Reshape(-1, 6))
                .add(new BatchNormalization(0.5, 1e-3, true, false))
                .add(new Reshape(4, 3, 6))
                .add(new GlobalMaxPooling2D())
                .add(new Dense(3, Activation.SOFTMAX)).build();
        Random rng = new Random(seed);
        for (Parameter p : m.state()) {
            float[] v = p.data();
            for (int i = 0; i < v.length; i++) {
                v[i] = p.name().endsWith("variance") ? 0.5f + rng.nextFloat() : rng.nextFloat() - 0.5f;
            }
        }
        return m;
    }

    private static Map<String, Safetensors.Entry> tensors(Sequential m) {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        List<Parameter> all = new ArrayList<>(m.parameters());
        all.addAll(m.state());
        for (Parameter p : all) {
            t.put(p.name(), Safetensors.Entry.ofFloats(p.data(), p.value().shape()));
        }
        return t;
    }

    private byte[] saved(Sequential m) throws IOException {
        Path f = dir.resolve("valid.safetensors");
        ModelFiles.save(m, f);
        return Files.readAllBytes(f);
    }

    private byte[] checkpoint() throws IOException {
        Sequential pruned = Pruning.prune(model(5), PruningConfig.of(new PolynomialDecay(0.3, 0.8, 0, 10, 3, 2)), "conv2d", "dense");
        Adam adam = new Adam();
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Parameter p : pruned.parameters()) {
            slots.put(p.name() + "/m", new float[p.size()]);
            slots.put(p.name() + "/v", new float[p.size()]);
        }
        adam.restore(3, slots);
        Path f = dir.resolve("valid-checkpoint.safetensors");
        PruningCheckpoint.save(pruned, adam, f);
        return Files.readAllBytes(f);
    }

    private static long headerEnd(byte[] file) {
        return 8 + ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Loads {@code bytes} and checks the outcome; returns whether they loaded. */
    private static boolean check(String what, byte[] bytes, Loader loader) {
        Path f = Path.of("damaged.safetensors");
        Sequential m;
        try {
            m = loader.load(bytes, f);
        } catch (ModelFormatException e) {
            assertTrue(e.getMessage().startsWith(f.toString()), what + ": " + e.getMessage());
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected a ModelFormatException, got " + t, t);
        }
        runs(what, m);
        return true;
    }

    /** A loaded model must predict (training engine and runtime) and compile without exception. */
    static void runs(String what, Sequential m) {
        try {
            int n = 2;
            float[] x = new float[n * (int) Shapes.size(m.inputShape())];
            Random rng = new Random(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextFloat();
            }
            m.predict(x, n, n);
            InferenceModel.compile(m).predict(x, n);
        } catch (Throwable t) {
            throw new AssertionError(what + ": loaded, then failed: " + t, t);
        }
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        everyTruncationIsRejected(DamagedFilesTest::model);
    }

    @Test
    void everyTruncationOfTheNewerLayersModelIsRejected() throws IOException {
        everyTruncationIsRejected(DamagedFilesTest::layersModel);
    }

    private void everyTruncationIsRejected(LongFunction<Sequential> models) throws IOException {
        byte[] ok = saved(models.apply(1));
        for (int len = 0; len < ok.length; len++) {
            assertTrue(!check("truncated to " + len, java.util.Arrays.copyOf(ok, len), MODEL), "truncated to " + len);
        }
    }

    @Test
    void everyHeaderBitFlipIsRejectedOrLoadsAWorkingModel() throws IOException {
        everyHeaderBitFlipIsRejectedOrLoadsAWorkingModel(DamagedFilesTest::model);
    }

    @Test
    void everyHeaderBitFlipOfTheNewerLayersModelIsRejectedOrLoadsAWorkingModel() throws IOException {
        everyHeaderBitFlipIsRejectedOrLoadsAWorkingModel(DamagedFilesTest::layersModel);
    }

    private void everyHeaderBitFlipIsRejectedOrLoadsAWorkingModel(LongFunction<Sequential> models) throws IOException {
        byte[] ok = saved(models.apply(2));
        int loaded = 0;
        for (long bit = 0; bit < headerEnd(ok) * 8; bit++) {
            byte[] b = ok.clone();
            b[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
            loaded += check("bit " + bit + " flipped", b, MODEL) ? 1 : 0;
        }
        assertTrue(loaded > 0, "some flips (e.g. in a layer name) leave a valid file");
    }

    @Test
    void dataBitFlipsAreChecksumErrors() throws IOException {
        dataBitFlipsAreChecksumErrors(DamagedFilesTest::model);
        dataBitFlipsAreChecksumErrors(DamagedFilesTest::layersModel);
    }

    private void dataBitFlipsAreChecksumErrors(LongFunction<Sequential> models) throws IOException {
        byte[] ok = saved(models.apply(3));
        Random rng = new Random(4);
        Path f = dir.resolve("flipped.safetensors");
        for (int i = 0; i < 50; i++) {
            byte[] b = ok.clone();
            int at = (int) headerEnd(ok) + rng.nextInt(ok.length - (int) headerEnd(ok));
            b[at] ^= (byte) (1 << rng.nextInt(8));
            Files.write(f, b);
            ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
            assertTrue(e.getMessage().contains("__metadata__.shears_crc32c: corrupted: checksum"), e.getMessage());
        }
    }

    @Test
    void absurdValuesInTheArchitectureAreRejectedOrLoadAWorkingModel() throws IOException {
        absurdValuesInTheArchitectureAreRejectedOrLoadAWorkingModel(model(6));
    }

    @Test
    void absurdValuesInTheNewerLayersArchitectureAreRejectedOrLoadAWorkingModel() throws IOException {
        absurdValuesInTheArchitectureAreRejectedOrLoadAWorkingModel(layersModel(6));
    }

    private void absurdValuesInTheArchitectureAreRejectedOrLoadAWorkingModel(Sequential m) throws IOException {
        Map<String, Safetensors.Entry> t = tensors(m);
        Object arch = Json.parse(Json.write(ModelConfig.toConfig(m)));
        int loaded = 0;
        int tried = 0;
        for (List<Object> path : paths(arch, new ArrayList<>(), new ArrayList<>())) {
            List<Object> replacements = new ArrayList<>(ABSURD);
            replacements.add(Removed.KEY);
            for (Object value : replacements) {
                Object changed = Json.parse(Json.write(arch));
                set(changed, path, value);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("format", "shears");
                meta.put("architecture", Json.write(changed));
                loaded += check(path + " = " + value, SafetensorsBytes.of(t, meta), MODEL) ? 1 : 0;
                tried++;
            }
        }
        assertTrue(tried > 500 && loaded > 0, tried + " tried, " + loaded + " loaded");
    }

    @Test
    void checkpointTruncationsAndHeaderBitFlipsAreRejectedOrLoadAWorkingModel() throws IOException {
        byte[] ok = checkpoint();
        assertTrue(check("intact", ok, CHECKPOINT));
        for (int len = 0; len < ok.length; len += 7) {
            assertTrue(!check("truncated to " + len, java.util.Arrays.copyOf(ok, len), CHECKPOINT));
        }
        // The checkpoint's header is large; a fixed sample of its bits keeps the test fast.
        Random rng = new Random(7);
        int header = (int) headerEnd(ok);
        for (int i = 0; i < 1500; i++) {
            long bit = (long) rng.nextInt(header) * 8 + rng.nextInt(8);
            byte[] b = ok.clone();
            b[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
            check("bit " + bit + " flipped", b, CHECKPOINT);
        }
    }

    /** Marks a map entry to be removed instead of replaced. */
    private enum Removed { KEY }

    /** Paths (map keys and list indices) to every leaf and every list under {@code v}. */
    private static List<List<Object>> paths(Object v, List<Object> at, List<List<Object>> out) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                List<Object> p = new ArrayList<>(at);
                p.add(e.getKey());
                paths(e.getValue(), p, out);
            }
            if (!at.isEmpty()) {
                out.add(at);
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                List<Object> p = new ArrayList<>(at);
                p.add(i);
                paths(l.get(i), p, out);
            }
            out.add(at);
        } else {
            out.add(at);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void set(Object root, List<Object> path, Object value) {
        Object parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object k = path.get(i);
            parent = k instanceof Integer idx ? ((List<Object>) parent).get(idx) : ((Map<String, Object>) parent).get(k);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer idx) {
            List<Object> l = (List<Object>) parent;
            if (value == Removed.KEY) {
                l.remove((int) idx);
            } else {
                l.set(idx, value);
            }
        } else if (value == Removed.KEY) {
            ((Map<String, Object>) parent).remove(last);
        } else {
            ((Map<String, Object>) parent).put((String) last, value);
        }
    }

    /** The planned check covers state: moving statistics missing or of another shape fail before building. */
    @Test
    void movingStatisticsAreCheckedAgainstThePlan() {
        Sequential m = layersModel(9);
        Map<String, String> meta = Map.of("format", "shears", "architecture", Json.write(ModelConfig.toConfig(m)));
        Map<String, Safetensors.Entry> missing = tensors(m);
        missing.remove("batch_normalization_1/moving_variance");
        ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class,
                () -> MODEL.load(SafetensorsBytes.of(missing, meta), Path.of("m.safetensors")));
        assertTrue(e.getMessage().contains("missing tensor 'batch_normalization_1/moving_variance' [6]"), e.getMessage());
        Map<String, Safetensors.Entry> reshaped = tensors(m);
        reshaped.put("batch_normalization/moving_mean", Safetensors.Entry.ofFloats(new float[6], 6));
        e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class,
                () -> MODEL.load(SafetensorsBytes.of(reshaped, meta), Path.of("m.safetensors")));
        assertTrue(e.getMessage().contains("tensor 'batch_normalization/moving_mean' has shape [6], model expects [3]"), e.getMessage());
    }

    @Test
    void loadedStateIsTheFilesState() throws IOException {
        Sequential m = layersModel(10);
        Path f = dir.resolve("state.safetensors");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f);
        for (int i = 0; i < m.state().size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(m.state().get(i).data(), back.state().get(i).data(), m.state().get(i).name());
        }
    }

    @Test
    void intactFilesLoad() throws IOException {
        assertTrue(check("intact", saved(model(8)), MODEL));
        assertTrue(check("intact", saved(layersModel(8)), MODEL));
        assertTrue(check("intact, written by another writer", SafetensorsBytes.of(tensors(layersModel(8)),
                Map.of("format", "shears", "architecture", Json.write(ModelConfig.toConfig(layersModel(8))))), MODEL));
        Path f = dir.resolve("c.safetensors");
        Files.write(f, checkpoint());
        assertEquals(2, Pruning.wrappers(PruningCheckpoint.load(f).model()).size());
        runs("checkpoint loaded from disk", ModelFiles.load(f));
    }
}
