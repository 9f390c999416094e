package dev.shears.infer;

import dev.shears.kernels.Depthwise;
import dev.shears.kernels.ConvShape;
import dev.shears.kernels.Parallel;
import dev.shears.kernels.Pool;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Reshape;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trained {@link Sequential} compiled for inference only: no autograd, conv and dense layers fused with
 * their bias and activation, each multiplying with a dense or a sparse {@link WeightFormat} chosen per layer by
 * {@link WeightFormatRule} unless {@link Options} force one, dropout, flatten and reshape compiled away, a BatchNormalization
 * after a linear Conv2D, DepthwiseConv2D or Dense folded into its weights (see {@link BatchNormStep}; others
 * run as a per-channel affine step). DepthwiseConv2D always runs its dense direct kernel. The weights are
 * copied, so later training does not change a compiled model. Thread-safe: each calling thread gets its
 * own scratch buffers, allocated on its first call and reused after; large inputs run in chunks of
 * {@link Options#maxBatch()} examples.
 *
 * <pre>{@code InferenceModel m = InferenceModel.compile(model); float[] probs = m.predict(images, n);}</pre>
 */
public final class InferenceModel {
    /** Batches up to this size run on the calling thread only (see {@link Parallel#inline}). */
    static final int INLINE_BATCH = 8;

    /** The model's own arena slots: activations alternate between A and B; a chunk's copied input and output. */
    private static final int ACT_A = 0;
    private static final int ACT_B = 1;
    private static final int CHUNK_IN = 2;
    private static final int CHUNK_OUT = 3;
    private static final int MODEL_SLOTS = 4;

    private final Map<String, Object> architecture;
    private final int[] inputShape;
    private final int inSize;
    private final int outSize;
    private final int maxBatch;
    private final List<Step> steps;
    private final Map<String, WeightFormat> kernels;
    private final List<String> weightedNames;
    /** Per thread: the model's slots and room for the scratch the hungriest step declares. */
    private final ThreadLocal<Arena> arenas;

    /**
     * Compile options: a kernel forced for every layer or for named layers (a per-layer choice wins), the
     * largest batch run at once (bounds the scratch memory per thread), and whether NaN or infinite
     * weights are refused.
     *
     * @param format          weight format for every conv and dense layer, or null for the automatic rule
     * @param layerFormats    weight formats for single layers by name
     * @param maxBatch        examples per chunk
     * @param rejectNonFinite compile throws if a weight or a moving statistic holds NaN or an infinity (default false)
     */
    public record Options(WeightFormat format, Map<String, WeightFormat> layerFormats, int maxBatch, boolean rejectNonFinite) {
        public Options {
            layerFormats = Map.copyOf(layerFormats);
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
            }
        }

        /** These options, refusing (true) or accepting (false) NaN and infinite weights. */
        public Options withRejectNonFinite(boolean reject) {
            return new Options(format, layerFormats, maxBatch, reject);
        }

        /**
         * Automatic choice everywhere, chunks of 8 examples: measured fastest for the tutorial model at batch
         * 64 on one thread (about 8% faster than chunks of 64, dense and pruned alike: a chunk's activations
         * stay in cache).
         */
        public static Options defaults() {
            return new Options(null, Map.of(), 8, false);
        }

        /** These options with {@code format} for every layer not named otherwise (null: the automatic rule). */
        public Options withFormat(WeightFormat format) {
            return new Options(format, layerFormats, maxBatch, rejectNonFinite);
        }

        /** These options with {@code format} for the layer named {@code layer}. */
        public Options withFormat(String layer, WeightFormat format) {
            Map<String, WeightFormat> m = new LinkedHashMap<>(layerFormats);
            m.put(layer, format);
            return new Options(this.format, m, maxBatch, rejectNonFinite);
        }

        /** These options with chunks of {@code maxBatch} examples. */
        public Options withMaxBatch(int maxBatch) {
            return new Options(format, layerFormats, maxBatch, rejectNonFinite);
        }

        WeightFormat formatFor(String layer) {
            return layerFormats.getOrDefault(layer, format);
        }
    }

    private InferenceModel(Sequential model, Options options) {
        this.inputShape = model.inputShape();
        this.inSize = Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
        this.maxBatch = options.maxBatch();
        List<Step> st = new ArrayList<>();
        Map<String, WeightFormat> ks = new LinkedHashMap<>();
        int[] shape = inputShape;
        // Planar sparse convs write channel-major data; it flows through pools, zero padding, element-wise activations
        // and the next planar conv, and goes back to NHWC only before a step that needs it (or a flatten or reshape
        // of a spatial map, or the end).
        boolean chw = false;
        Set<String> folded = new LinkedHashSet<>();
        List<Layer> layers = model.layers().stream().map(Layer::unwrap).toList();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (i > 0 && BatchNormStep.folds(layers.get(i - 1), l)) {
                folded.add(l.name()); // already in the previous step's weights
                shape = l.outputShape();
                continue;
            }
            BatchNormalization fold = i + 1 < layers.size() && BatchNormStep.folds(l, layers.get(i + 1))
                    ? (BatchNormalization) layers.get(i + 1) : null;
            Step s = compileLayer(l, shape, options, chw, fold);
            boolean needsNhwc = s != null ? !s.acceptsChannelsFirst() : l instanceof Flatten || l instanceof Reshape;
            if (chw && needsNhwc) {
                st.add(new ToNhwcStep(shape));
                chw = false;
            }
            if (s != null) {
                st.add(s);
                chw = s.channelsFirstOut();
                if (s.weights() != null) {
                    ks.put(l.name(), s.weights().format());
                }
            }
            shape = l.outputShape();
        }
        if (chw) {
            st.add(new ToNhwcStep(shape));
        }
        for (String name : options.layerFormats().keySet()) {
            if (!ks.containsKey(name)) {
                throw new IllegalArgumentException("kernel forced for layer '" + name + "', but the model has no Conv2D, DepthwiseConv2D or Dense layer of that name; it has "
                        + ks.keySet());
            }
        }
        this.architecture = BatchNormStep.withoutFolded(ModelConfig.toConfig(model), folded);
        this.steps = List.copyOf(st);
        int stepScratch = steps.stream().mapToInt(Step::scratchBuffers).max().orElse(0);
        this.arenas = ThreadLocal.withInitial(() -> new Arena(MODEL_SLOTS, stepScratch));
        this.kernels = Collections.unmodifiableMap(ks);
        this.weightedNames = List.copyOf(ks.keySet());
        this.outSize = Arrays.stream(model.outputShape()).reduce(1, (a, b) -> a * b);
    }

    /** Compiles with the automatic kernel choice. */
    public static InferenceModel compile(Sequential model) {
        return compile(model, Options.defaults());
    }

    /**
     * Compiles {@code model} (plain, or with wrapper layers whose {@link Layer#unwrap()} is a plain layer).
     *
     * @throws IllegalArgumentException for a layer type the runtime cannot run, a forced name no layer has,
     *                                  a forced 2:4 / block kernel whose pattern the weights do not fit, or
     *                                  (with {@link Options#rejectNonFinite}) a NaN or infinite weight
     */
    public static InferenceModel compile(Sequential model, Options options) {
        if (options.rejectNonFinite()) {
            requireFinite(model);
        }
        return new InferenceModel(model, options);
    }

    private static void requireFinite(Sequential model) {
        List<dev.shears.nn.Parameter> all = new ArrayList<>(model.parameters());
        all.addAll(model.state()); // moving statistics enter the output as weights do
        for (dev.shears.nn.Parameter p : all) {
            float[] v = p.data();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new IllegalArgumentException("parameter " + p.name() + ": value " + i + " is " + v[i]
                            + ", expected finite weights");
                }
            }
        }
    }

    /**
     * The step for layer {@code l} on input shape {@code in}, arriving channel-major when {@code chw}, with the
     * batch norm {@code fold} folded into its weights unless null; null for identities.
     */
    private static Step compileLayer(Layer l, int[] in, Options options, boolean chw, BatchNormalization fold) {
        if (l instanceof Conv2D conv) {
            int[] k = conv.kernelSize();
            int[] s = conv.strides();
            int[] out = conv.outputShape();
            ConvShape shape = new ConvShape(in[0], in[1], in[2], k[0], k[1], s[0], s[1],
                    ConvOps.padBefore(in[0], k[0], s[0], conv.padding()), ConvOps.padBefore(in[1], k[1], s[1], conv.padding()),
                    out[0], out[1]);
            float[][] kb = BatchNormStep.fold(conv.kernel().data(), conv.bias().data(), conv.filters(), fold);
            WeightFormat auto = WeightFormatRule.chooseConv(kb[0], in[2], s[0] == 1 && s[1] == 1);
            Weights w = weights(conv.name(), kb[0], kb[1], k[0] * k[1] * in[2], conv.filters(), auto, true, options);
            return new ConvStep(stepName(conv, fold), w, conv.activation(), shape, chw);
        }
        if (l instanceof Dense d) {
            float[][] kb = BatchNormStep.fold(d.kernel().data(), d.bias().data(), d.units(), fold);
            WeightFormat auto = WeightFormatRule.chooseDense(kb[0]);
            Weights w = weights(d.name(), kb[0], kb[1], in[0], d.units(), auto, false, options);
            return new DenseStep(stepName(d, fold), w, d.activation());
        }
        if (l instanceof DepthwiseConv2D d) {
            return depthwise(d, in, options, fold);
        }
        if (l instanceof BatchNormalization bn) {
            return new BatchNormStep(bn, in, chw);
        }
        if (l instanceof MaxPooling2D p) {
            int[] ps = p.poolSize();
            int[] ss = p.strides();
            int[] out = l.outputShape();
            Pool.Window g = new Pool.Window(in[0], in[1], in[2], ps[0], ps[1], ss[0], ss[1], 0, 0, out[0], out[1]);
            return new PoolStep(l.name(), PoolStep.Kind.MAX, g, chw);
        }
        if (l instanceof AveragePooling2D p) {
            int[] ps = p.poolSize();
            int[] ss = p.strides();
            int[] out = l.outputShape();
            Pool.Window g = new Pool.Window(in[0], in[1], in[2], ps[0], ps[1], ss[0], ss[1],
                ConvOps.padBefore(in[0], ps[0], ss[0], p.padding()), ConvOps.padBefore(in[1], ps[1], ss[1], p.padding()), out[0], out[1]);
            return new PoolStep(l.name(), PoolStep.Kind.AVERAGE, g, chw);
        }
        if (l instanceof GlobalAveragePooling2D) {
            return new PoolStep(l.name(), PoolStep.Kind.GLOBAL_AVERAGE, in, chw);
        }
        if (l instanceof GlobalMaxPooling2D) {
            return new PoolStep(l.name(), PoolStep.Kind.GLOBAL_MAX, in, chw);
        }
        if (l instanceof ActivationLayer a) {
            // linear is the identity; an element-wise activation keeps a channel-major layout
            return a.activation() == Activation.LINEAR ? null : new ActivationStep(l.name(), a.activation(), in, chw);
        }
        if (l instanceof ZeroPadding2D z) {
            return new PadStep(l.name(), in, z.top(), z.bottom(), z.left(), z.right(), chw);
        }
        if (l instanceof Dropout || l instanceof Flatten || l instanceof Reshape) {
            return null; // identity at inference; NHWC data is already flat, and any shape of it
        }
        if (!dev.shears.nn.LayerRegistry.BUILT_IN_TYPES.contains(l.type())) {
            return new LayerStep(l, in); // a custom layer: its own forward pass, rather than refusing the whole model
        }
        throw new IllegalArgumentException("layer " + l.name() + ": the inference runtime cannot run " + l.type() + " layers");
    }

    /** A DepthwiseConv2D's step: always the dense direct kernel, which {@code options} may force but not change. */
    private static Step depthwise(DepthwiseConv2D d, int[] in, Options options, BatchNormalization fold) {
        WeightFormat forced = options.layerFormats().get(d.name());
        if (forced != null && forced != WeightFormat.DENSE) {
            throw new IllegalArgumentException("layer " + d.name() + ": DepthwiseConv2D runs only the DENSE kernel, " + forced + " was forced");
        }
        int[] k = d.kernelSize();
        int[] s = d.strides();
        int[] out = d.outputShape();
        Depthwise.Shape shape = new Depthwise.Shape(in[0], in[1], in[2], d.depthMultiplier(), k[0], k[1], s[0], s[1],
                ConvOps.padBefore(in[0], k[0], s[0], d.padding()), ConvOps.padBefore(in[1], k[1], s[1], d.padding()), out[0], out[1]);
        int oc = out[2];
        float[][] kb = BatchNormStep.fold(d.kernel().data(), d.bias() == null ? new float[oc] : d.bias().data(), oc, fold);
        return new DepthwiseStep(stepName(d, fold), new DenseWeights(kb[0], kb[1], k[0] * k[1], oc), d.activation(), shape);
    }

    /** "conv2d", or "conv2d+batch_normalization" when a batch norm is folded in (for {@link #describe()}). */
    private static String stepName(Layer l, BatchNormalization fold) {
        return fold == null ? l.name() : l.name() + "+" + fold.name();
    }

    private static Weights weights(String name, float[] w, float[] bias, int k, int oc, WeightFormat auto, boolean conv, Options options) {
        WeightFormat kernel = options.formatFor(name);
        if (kernel == null) {
            kernel = auto;
        }
        if (kernel == WeightFormat.TWO_FOUR && !dev.shears.kernels.TwoFour.fits(w, k, oc)) {
            throw new IllegalArgumentException("layer " + name + ": TWO_FOUR forced but its kernel (" + k + ", " + oc
                    + ") has a group of four inputs with more than two non-zeros (or " + k + " is not a multiple of 4)");
        }
        if (kernel == WeightFormat.BLOCK4 && k < 4) {
            throw new IllegalArgumentException("layer " + name + ": BLOCK4 forced but the layer has only " + k + " inputs");
        }
        return Weights.of(kernel, w, bias, k, oc, conv);
    }

    /**
     * Runs the model on {@code n} examples, {@code x (n, inputShape...)} flattened; returns (n, outputs).
     * Thread-safe.
     *
     * @throws ShapeMismatchException if x does not hold n examples
     */
    public float[] predict(float[] x, int n) {
        float[] out = new float[Math.multiplyExact(Math.max(n, 0), outSize)];
        predict(x, n, out);
        return out;
    }

    /**
     * As {@link #predict(float[], int)}, writing the (n, outputs) into {@code out} (which may be longer):
     * once warm (each thread's scratch grown to the batch), a call allocates nothing. Thread-safe, for
     * distinct {@code out} arrays.
     *
     * @throws ShapeMismatchException if x does not hold n examples or out is shorter than n outputs
     */
    public void predict(float[] x, int n, float[] out) {
        if (n < 0 || x.length != (long) n * inSize) {
            throw new ShapeMismatchException("predict: " + x.length + " values is not " + n + " examples of shape "
                    + Arrays.toString(inputShape));
        }
        if (out.length < (long) n * outSize) {
            throw new ShapeMismatchException("predict: the output array holds " + out.length + " values, " + n
                    + " examples need " + (long) n * outSize);
        }
        int threads = Parallel.common().threads();
        if (n <= INLINE_BATCH || threads == 1) {
            // A few examples are too little work to share: handing chunks to pool threads costs more. No lambda
            // either: runs on this thread with its own scratch, so a warm call allocates nothing.
            boolean wasInline = Parallel.enterInline();
            try {
                predictChunks(out, x, n, maxBatch, 0, (n + maxBatch - 1) / maxBatch);
            } finally {
                Parallel.exitInline(wasInline);
            }
            return;
        }
        // Whole chunks are shared out over the threads, each running its chunks through every step on its
        // own scratch: no hand-offs inside a step (which cost more than they saved on small layers), and a
        // chunk's activations stay in the core's caches. At least one chunk per thread. (The two closures are
        // the only allocation of such a call.)
        int chunk = Math.max(1, Math.min(maxBatch, (n + threads - 1) / threads));
        int chunks = (n + chunk - 1) / chunk;
        Parallel.common().forRange(chunks, 1, (from, to) -> Parallel.inline(() -> predictChunks(out, x, n, chunk, from, to)));
    }

    /** Chunks [from, to) of {@code chunk} examples each (the last may be shorter) on this thread. */
    private void predictChunks(float[] out, float[] x, int n, int chunk, int from, int to) {
        Arena arena = arenas.get();
        for (int c = from; c < to; c++) {
            int start = c * chunk;
            int b = Math.min(chunk, n - start);
            float[] in = x;
            if (b != n) {
                in = arena.get(CHUNK_IN, b * inSize);
                System.arraycopy(x, start * inSize, in, 0, b * inSize);
            }
            float[] dst = b == n ? out : arena.get(CHUNK_OUT, b * outSize);
            runChunk(dst, in, b, arena);
            if (dst != out) {
                System.arraycopy(dst, 0, out, start * outSize, b * outSize);
            }
        }
    }

    private void runChunk(float[] out, float[] in, int n, Arena arena) {
        if (steps.isEmpty()) {
            System.arraycopy(in, 0, out, 0, n * inSize);
            return;
        }
        float[] cur = in;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            float[] y = i == steps.size() - 1 ? out : arena.get(i % 2 == 0 ? ACT_A : ACT_B, n * s.outSize());
            s.run(y, cur, n, arena.forStep(s.scratchBuffers()));
            cur = y;
        }
    }

    /** The index of the largest output of each of the {@code n} examples. Thread-safe. */
    public int[] classify(float[] x, int n) {
        return dev.shears.kernels.Elementwise.argmaxRows(predict(x, n), n, outSize);
    }

    /** One line per compiled step: layer, kernel, sparsity, stored weights, shape. */
    public String describe() {
        StringBuilder sb = new StringBuilder("InferenceModel ").append(architecture.get("name"))
                .append(" input ").append(Arrays.toString(inputShape)).append(", chunks of ").append(maxBatch).append('\n');
        for (Step s : steps) {
            sb.append("  ").append(s.describe()).append('\n');
        }
        return sb.toString();
    }

    /** The weight format chosen for each Conv2D, DepthwiseConv2D (always DENSE) and Dense layer, by layer name, in model order. */
    public Map<String, WeightFormat> formats() {
        return kernels;
    }

    /** One example's input shape; a copy. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Values per example in the output. */
    public int outputSize() {
        return outSize;
    }

    /** Largest chunk run at once. */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Rebuilds a trainable {@link Sequential} with this model's architecture and weights (sparse kernels
     * expanded back to dense arrays, pruned weights exact zeros), e.g. to export a compact file to another
     * format. It has fresh training state: no optimizer slots, masks or training step. Folded batch norms
     * are not in it: their layer before carries them (see {@link BatchNormStep#withoutFolded}).
     *
     * @throws IllegalArgumentException if the model has a custom layer (the runtime holds only its forward pass)
     */
    public Sequential toSequential() {
        requireNoCustomLayers("toSequential");
        Sequential model = ModelConfig.fromConfig(architecture);
        List<Step> stored = storedSteps();
        int i = 0;
        for (Layer outer : model.layers()) {
            Layer l = outer.unwrap();
            if (storesValues(l)) {
                List<float[]> values = values(stored.get(i++));
                List<dev.shears.nn.Parameter> vars = BatchNormStep.variables(l);
                // a layer without a bias gets one value fewer than its step holds: the step's zero bias
                for (int j = 0; j < vars.size(); j++) {
                    System.arraycopy(values.get(j), 0, vars.get(j).data(), 0, vars.get(j).size());
                }
            }
        }
        return model;
    }

    /**
     * Throws if a step runs a custom layer: {@code what} (a compact file, a rebuilt Sequential) holds only
     * Shears' own layers.
     *
     * @throws IllegalArgumentException naming the first custom layer
     */
    void requireNoCustomLayers(String what) {
        for (Step s : steps) {
            if (s instanceof LayerStep c) {
                throw new IllegalArgumentException(what + " supports Shears' own layers only; layer " + c.layer().name()
                        + " is a custom " + c.layer().type() + ": save the trainable model with ModelFiles.save and load it "
                        + "with a LayerRegistry");
            }
        }
    }

    /**
     * The source model's architecture ({@link ModelConfig#toConfig}) less its folded batch norms (see
     * {@link BatchNormStep#withoutFolded}); unmodifiable use only.
     */
    Map<String, Object> architecture() {
        return architecture;
    }

    /**
     * Whether a layer of {@link #architecture()} has its values in one of {@link #storedSteps()}: the same
     * layers, seen from the architecture's side (its batch norms are those not folded).
     */
    static boolean storesValues(Layer l) {
        return l instanceof Conv2D || l instanceof DepthwiseConv2D || l instanceof Dense || l instanceof BatchNormalization;
    }

    /** The steps holding a layer's values, in model order: those with {@link Weights}, and standalone batch norms. */
    List<Step> storedSteps() {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.weights() != null || s instanceof BatchNormStep) {
                out.add(s);
            }
        }
        return out;
    }

    /** A stored step's values in its layer's {@link BatchNormStep#variables} order: kernel (dense) and bias, or a batch norm's vectors. */
    static List<float[]> values(Step s) {
        return s instanceof BatchNormStep bn ? bn.values() : List.of(s.weights().denseKernel(), s.weights().bias);
    }

    List<String> weightedNames() {
        return weightedNames;
    }
}
