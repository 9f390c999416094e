package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
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
    private final List<Entry> entries = new ArrayList<>();

    private sealed interface Entry permits Fixed, Weighted {
    }

    /** A layer without weights, ready as it is. */
    private record Fixed(Layer layer) implements Entry {
    }

    /** A Conv2D or Dense layer with its weights in Shears' layout; the activation may still change. */
    private static final class Weighted implements Entry {
        private final java.util.function.Function<Activation, Layer> factory;
        private final float[] kernel;
        private final float[] bias;
        private Activation activation;
        private final String name;

        Weighted(java.util.function.Function<Activation, Layer> factory, float[] kernel, float[] bias, Activation activation, String name) {
            this.factory = factory;
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
        entries.add(new Weighted(a -> new Conv2D(filters, kh, kw, sh, sw, padding, a, Initializer.GLOROT_UNIFORM), kernel, bias, activation, name));
    }

    /** Adds a Dense layer with kernel (in, units), bias (units), no activation yet. */
    void addDense(int units, float[] kernel, float[] bias) {
        addDense(units, Activation.LINEAR, kernel, bias, null);
    }

    /** Adds a named Dense layer with its activation; weights may be null to be filled later. */
    void addDense(int units, Activation activation, float[] kernel, float[] bias, String name) {
        entries.add(new Weighted(a -> new Dense(units, a, Initializer.GLOROT_UNIFORM), kernel, bias, activation, name));
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

    /** Gives softmax to the last layer if it is a conv or dense layer without an activation. */
    boolean fuseSoftmax() {
        return !entries.isEmpty() && entries.get(entries.size() - 1) instanceof Weighted w && setActivation(w, Activation.SOFTMAX);
    }

    private static boolean setActivation(Weighted w, Activation a) {
        if (w.activation != Activation.LINEAR) {
            return false;
        }
        w.activation = a;
        return true;
    }

    /**
     * Builds the model and copies the weights in.
     *
     * @throws ModelFormatException if the layers do not fit together or a weight has the wrong size
     */
    Sequential build(int[] inputShape, Path file) throws ModelFormatException {
        List<Layer> layers = new ArrayList<>();
        for (Entry e : entries) {
            Layer l = e instanceof Weighted w ? w.factory.apply(w.activation) : ((Fixed) e).layer();
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
