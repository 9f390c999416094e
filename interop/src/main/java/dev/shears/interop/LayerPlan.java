package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Reshape;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers an importer has read so far, built into a {@link Sequential} only once the whole file has
 * been read, so that a bad file never yields a half-built model. Conv and dense layers wait as
 * {@link Weighted} entries because an ONNX graph gives their activation as a later node.
 */
final class LayerPlan {
    /** Largest activation of one example, in values, that an imported model may have (64 MB of floats). */
    static final long MAX_ACTIVATION_VALUES = 1L << 24;

    private final List<Entry> entries = new ArrayList<>();

    private sealed interface Entry permits Fixed, Weighted {
    }

    /** A layer without weights, ready as it is. */
    private record Fixed(Layer layer) implements Entry {
    }

    /** What a layer with weights will be; it knows its sizes without allocating anything. */
    private sealed interface Spec permits ConvSpec, DenseSpec, DepthwiseSpec, BatchNormSpec {
        Layer create(Activation activation);

        /** Output shape for input {@code in}, or null if the layer does not fit it. */
        long[] output(long[] in);

        /** Number of weight values (parameters and state) for input {@code in}. */
        long values(long[] in);

        /** Whether the layer applies an activation of its own (an importer may fold one in). */
        default boolean hasActivation() {
            return true;
        }
    }

    /** Output (h, w) of a window over {@code in} as Keras computes it, with {@code channels} channels; null if it does not fit. */
    private static long[] window(long[] in, int kh, int kw, int sh, int sw, Padding padding, long channels) {
        if (in.length != 3 || padding == Padding.VALID && (in[0] < kh || in[1] < kw)) {
            return null;
        }
        return padding == Padding.SAME ? new long[] {(in[0] + sh - 1) / sh, (in[1] + sw - 1) / sw, channels}
                : new long[] {(in[0] - kh) / sh + 1, (in[1] - kw) / sw + 1, channels};
    }

    private record ConvSpec(int filters, int kh, int kw, int sh, int sw, Padding padding) implements Spec {
        public Layer create(Activation a) {
            return Conv2D.builder(filters, kh, kw).strides(sh, sw).padding(padding).activation(a).build();
        }

        public long[] output(long[] in) {
            return window(in, kh, kw, sh, sw, padding, filters);
        }

        public long values(long[] in) {
            return (long) kh * kw * in[2] * filters + filters;
        }
    }

    private record DepthwiseSpec(int kh, int kw, int sh, int sw, Padding padding, int multiplier, boolean useBias) implements Spec {
        public Layer create(Activation a) {
            return DepthwiseConv2D.builder(kh, kw).strides(sh, sw).padding(padding).depthMultiplier(multiplier).activation(a)
                    .useBias(useBias).build();
        }

        public long[] output(long[] in) {
            return in.length == 3 ? window(in, kh, kw, sh, sw, padding, in[2] * multiplier) : null;
        }

        public long values(long[] in) {
            return ((long) kh * kw + (useBias ? 1 : 0)) * in[2] * multiplier;
        }
    }

    private record DenseSpec(int units) implements Spec {
        public Layer create(Activation a) {
            return new Dense(units, a, Initializer.GLOROT_UNIFORM);
        }

        public long[] output(long[] in) {
            return in.length == 1 ? new long[] {units} : null;
        }

        public long values(long[] in) {
            return in[0] * units + units;
        }
    }

    private record BatchNormSpec(double momentum, double epsilon, boolean center, boolean scale) implements Spec {
        public Layer create(Activation ignored) {
            return new BatchNormalization(momentum, epsilon, center, scale);
        }

        public long[] output(long[] in) {
            return in;
        }

        public long values(long[] in) {
            return 4 * in[in.length - 1];
        }

        public boolean hasActivation() {
            return false;
        }
    }

    /**
     * A layer with weights: its values in Shears' layouts, in the order of {@link Layer#parameters()} then
     * {@link Layer#state()} (null: filled later, from a Keras weights file); the activation may still change.
     */
    private static final class Weighted implements Entry {
        private final Spec spec;
        private final float[][] values;
        private Activation activation;
        private final String name;

        Weighted(Spec spec, float[][] values, Activation activation, String name) {
            this.spec = spec;
            this.values = values;
            this.activation = activation;
            this.name = name;
        }
    }

    /** Adds a layer without weights. */
    void add(Layer layer) {
        entries.add(new Fixed(layer));
    }

    /** Adds a Conv2D with kernel (kh, kw, c, filters), bias (filters), no activation yet. */
    void addConv(int filters, int kh, int kw, int sh, int sw, Padding padding, float[] kernel, float[] bias) {
        entries.add(new Weighted(new ConvSpec(filters, kh, kw, sh, sw, padding), new float[][] {kernel, bias}, Activation.LINEAR, null));
    }

    /** Adds a named Conv2D with its activation, to be filled from a weights file. */
    void addConv(int filters, int kh, int kw, int sh, int sw, Padding padding, Activation activation, String name) {
        entries.add(new Weighted(new ConvSpec(filters, kh, kw, sh, sw, padding), null, activation, name));
    }

    /** Adds a DepthwiseConv2D: kernel (kh, kw, c, multiplier) and bias (c * multiplier) if it has one, or null values to fill later. */
    void addDepthwise(int kh, int kw, int sh, int sw, Padding padding, int multiplier, boolean useBias, Activation activation,
                      float[][] values, String name) {
        entries.add(new Weighted(new DepthwiseSpec(kh, kw, sh, sw, padding, multiplier, useBias), values, activation, name));
    }

    /** Adds a Dense layer with kernel (in, units), bias (units), no activation yet. */
    void addDense(int units, float[] kernel, float[] bias) {
        entries.add(new Weighted(new DenseSpec(units), new float[][] {kernel, bias}, Activation.LINEAR, null));
    }

    /** Adds a named Dense layer with its activation, to be filled from a weights file. */
    void addDense(int units, Activation activation, String name) {
        entries.add(new Weighted(new DenseSpec(units), null, activation, name));
    }

    /** Adds a BatchNormalization: values gamma, beta (as center/scale have them), moving mean, moving variance; or null. */
    void addBatchNorm(double momentum, double epsilon, boolean center, boolean scale, float[][] values, String name) {
        entries.add(new Weighted(new BatchNormSpec(momentum, epsilon, center, scale), values, Activation.LINEAR, name));
    }

    /**
     * The number of weight values the model will hold, computed from the sizes alone (nothing allocated),
     * so that a file claiming an absurd architecture is refused before any layer allocates: every shape
     * must be positive, each example's activations at most {@link #MAX_ACTIVATION_VALUES} values, and the
     * weights at most {@code maxWeights} values.
     *
     * @throws ModelFormatException naming the first layer that does not fit or is too large
     */
    long checkSizes(int[] inputShape, long maxWeights, Path file) throws ModelFormatException {
        long[] shape = java.util.Arrays.stream(inputShape).asLongStream().toArray();
        long total = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long[] out;
            if (e instanceof Weighted w) {
                out = w.spec.output(shape);
                if (out != null) {
                    total += w.spec.values(shape);
                }
            } else {
                out = fixedOutput(((Fixed) e).layer(), shape);
            }
            String at = "layers[" + i + "]";
            if (out == null) {
                throw new ModelFormatException(file, at, "does not fit its input " + java.util.Arrays.toString(shape));
            }
            long values = 1;
            for (long d : out) {
                if (d < 1 || d > MAX_ACTIVATION_VALUES) {
                    throw new ModelFormatException(file, at, "output shape " + java.util.Arrays.toString(out) + " is empty or larger than "
                            + MAX_ACTIVATION_VALUES);
                }
                values *= d;
                if (values > MAX_ACTIVATION_VALUES) {
                    throw new ModelFormatException(file, at, "output shape " + java.util.Arrays.toString(out) + " holds more than "
                            + MAX_ACTIVATION_VALUES + " values per example");
                }
            }
            if (total > maxWeights) {
                throw new ModelFormatException(file, at, "the weights up to this layer need more than the " + maxWeights
                        + " values the file can hold");
            }
            shape = out;
        }
        return total;
    }

    /** Weight values already held by the plan (ONNX: all of them, decoded from the file). */
    long weightValues() {
        long n = 0;
        for (Entry e : entries) {
            if (e instanceof Weighted w && w.values != null) {
                for (float[] v : w.values) {
                    n += v.length;
                }
            }
        }
        return n;
    }

    private static long[] fixedOutput(Layer l, long[] in) {
        if (l instanceof MaxPooling2D p) {
            int[] k = p.poolSize();
            int[] s = p.strides();
            return in.length == 3 && in[0] >= k[0] && in[1] >= k[1] ? new long[] {(in[0] - k[0]) / s[0] + 1, (in[1] - k[1]) / s[1] + 1, in[2]} : null;
        }
        if (l instanceof ZeroPadding2D z) {
            return in.length == 3 ? new long[] {in[0] + z.top() + z.bottom(), in[1] + z.left() + z.right(), in[2]} : null;
        }
        if (l instanceof GlobalAveragePooling2D || l instanceof GlobalMaxPooling2D) {
            return in.length == 3 ? new long[] {in[2]} : null;
        }
        if (l instanceof AveragePooling2D p) {
            int[] k = p.poolSize();
            int[] s = p.strides();
            if (in.length != 3) {
                return null;
            }
            if (p.padding() == Padding.SAME) {
                return new long[] {(in[0] + s[0] - 1) / s[0], (in[1] + s[1] - 1) / s[1], in[2]};
            }
            return in[0] >= k[0] && in[1] >= k[1] ? new long[] {(in[0] - k[0]) / s[0] + 1, (in[1] - k[1]) / s[1] + 1, in[2]} : null;
        }
        if (l instanceof Reshape r) {
            return reshaped(r.targetShape(), in);
        }
        if (l instanceof Flatten) {
            long n = 1;
            for (long d : in) {
                n = Math.min(n * d, Long.MAX_VALUE / 4);
            }
            return new long[] {n};
        }
        return in; // Dropout, ActivationLayer; a new layer type must be added above before an importer uses it
    }

    /** Keras's Reshape: the target with its one -1 inferred, or null if the sizes do not match. */
    private static long[] reshaped(int[] target, long[] in) {
        long total = 1;
        for (long d : in) {
            total = Math.min(total * d, 1L << 40);
        }
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (target[i] < 1) {
                return null;
            } else {
                known = Math.min(known * target[i], 1L << 40);
            }
        }
        long[] out = java.util.Arrays.stream(target).asLongStream().toArray();
        if (unknown >= 0) {
            if (total % known != 0) {
                return null;
            }
            out[unknown] = total / known;
            return out;
        }
        return known == total ? out : null;
    }

    /**
     * Gives {@code a} to the last conv or dense layer if it has no activation yet and only max pooling or
     * dropout follow it (both commute with ReLU, which is all this is used for).
     *
     * @return false if there is no such layer
     */
    boolean fuseActivation(Activation a) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e instanceof Weighted w) {
                return setActivation(w, a);
            }
            Layer l = ((Fixed) e).layer();
            if (!(l instanceof MaxPooling2D || l instanceof Dropout)) {
                return false;
            }
        }
        return false;
    }

    /** Gives {@code a} to the last layer if it is a conv or dense layer without an activation. */
    boolean fuseDirect(Activation a) {
        return !entries.isEmpty() && entries.get(entries.size() - 1) instanceof Weighted w && setActivation(w, a);
    }

    private static boolean setActivation(Weighted w, Activation a) {
        if (!w.spec.hasActivation() || w.activation != Activation.LINEAR) {
            return false;
        }
        w.activation = a;
        return true;
    }

    /**
     * Builds the model and copies the weights in, after {@link #checkSizes} with {@code maxWeights}.
     *
     * @throws ModelFormatException if the layers do not fit together or a weight has the wrong size
     */
    Sequential build(int[] inputShape, long maxWeights, Path file) throws ModelFormatException {
        checkSizes(inputShape, maxWeights, file);
        List<Layer> layers = new ArrayList<>();
        for (Entry e : entries) {
            Layer l = e instanceof Weighted w ? w.spec.create(w.activation) : ((Fixed) e).layer();
            if (e instanceof Weighted w && w.name != null) {
                l.setName(w.name);
            }
            layers.add(l);
        }
        if (layers.isEmpty()) {
            throw new ModelFormatException(file, "layers", "the model has no layers Shears can run");
        }
        Sequential model;
        try {
            model = new Sequential("sequential", inputShape, 0, layers);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelFormatException(file, "layers", e.getMessage(), e);
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) instanceof Weighted w && w.values != null) {
                List<Parameter> targets = new ArrayList<>(layers.get(i).parameters());
                targets.addAll(layers.get(i).state());
                if (targets.size() != w.values.length) {
                    throw new ModelFormatException(file, layers.get(i).name(), w.values.length + " weight tensors, the layer has " + targets.size());
                }
                for (int k = 0; k < targets.size(); k++) {
                    copy(targets.get(k), w.values[k], file);
                }
            }
        }
        return model;
    }

    private static void copy(Parameter p, float[] values, Path file) throws ModelFormatException {
        if (values.length != p.size()) {
            throw new ModelFormatException(file, p.name(), values.length + " values, the layer needs " + p.size()
                    + " " + java.util.Arrays.toString(p.value().shape()));
        }
        System.arraycopy(values, 0, p.data(), 0, values.length);
    }
}
