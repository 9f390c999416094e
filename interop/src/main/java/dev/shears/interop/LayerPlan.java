package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Reshape;
import dev.shears.nn.Conv2D;
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
import dev.shears.ops.ConvOps.Padding;
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

    /** What a conv or dense layer will be; it knows its sizes without allocating anything. */
    private sealed interface Spec permits ConvSpec, DenseSpec {
        Layer create(Activation activation);

        /** Output shape for input {@code in}, or null if the layer does not fit it. */
        long[] output(long[] in);

        /** Number of kernel values for input {@code in}. */
        long kernelValues(long[] in);
    }

    private record ConvSpec(int filters, int kh, int kw, int sh, int sw, Padding padding) implements Spec {
        public Layer create(Activation a) {
            return new Conv2D(filters, kh, kw, sh, sw, padding, a, Initializer.GLOROT_UNIFORM);
        }

        public long[] output(long[] in) {
            if (in.length != 3 || padding == Padding.VALID && (in[0] < kh || in[1] < kw)) {
                return null;
            }
            return padding == Padding.SAME ? new long[] {(in[0] + sh - 1) / sh, (in[1] + sw - 1) / sw, filters}
                    : new long[] {(in[0] - kh) / sh + 1, (in[1] - kw) / sw + 1, filters};
        }

        public long kernelValues(long[] in) {
            return (long) kh * kw * in[2] * filters;
        }
    }

    private record DenseSpec(int units) implements Spec {
        public Layer create(Activation a) {
            return new Dense(units, a, Initializer.GLOROT_UNIFORM);
        }

        public long[] output(long[] in) {
            return in.length == 1 ? new long[] {units} : null;
        }

        public long kernelValues(long[] in) {
            return in[0] * units;
        }
    }

    /** A Conv2D or Dense layer with its weights in Shears' layout (or none yet); the activation may still change. */
    private static final class Weighted implements Entry {
        private final Spec spec;
        private final float[] kernel;
        private final float[] bias;
        private Activation activation;
        private final String name;

        Weighted(Spec spec, float[] kernel, float[] bias, Activation activation, String name) {
            this.spec = spec;
            this.kernel = kernel;
            this.bias = bias;
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
        addConv(filters, kh, kw, sh, sw, padding, Activation.LINEAR, kernel, bias, null);
    }

    /** Adds a named Conv2D with its activation; weights may be null to be filled later (Keras weights files). */
    void addConv(int filters, int kh, int kw, int sh, int sw, Padding padding, Activation activation, float[] kernel, float[] bias, String name) {
        entries.add(new Weighted(new ConvSpec(filters, kh, kw, sh, sw, padding), kernel, bias, activation, name));
    }

    /** Adds a Dense layer with kernel (in, units), bias (units), no activation yet. */
    void addDense(int units, float[] kernel, float[] bias) {
        addDense(units, Activation.LINEAR, kernel, bias, null);
    }

    /** Adds a named Dense layer with its activation; weights may be null to be filled later. */
    void addDense(int units, Activation activation, float[] kernel, float[] bias, String name) {
        entries.add(new Weighted(new DenseSpec(units), kernel, bias, activation, name));
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
                    total += w.spec.kernelValues(shape) + out[out.length - 1];
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
            if (e instanceof Weighted w && w.kernel != null) {
                n += w.kernel.length + w.bias.length;
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
        if (w.activation != Activation.LINEAR) {
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
            if (entries.get(i) instanceof Weighted w && w.kernel != null) {
                List<Parameter> params = layers.get(i).parameters();
                copy(params.get(0), w.kernel, file);
                copy(params.get(1), w.bias, file);
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
