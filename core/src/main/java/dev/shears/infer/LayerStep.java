package dev.shears.infer;

import dev.shears.nn.Layer;
import dev.shears.tensor.GradMode;
import dev.shears.tensor.Shapes;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * A layer the runtime has no kernel for (a custom {@link Layer} subclass), run through the layer's own
 * forward pass with no gradient recording and training off. It shares the layer object, and so its
 * weights, with the model it was compiled from, and allocates its input and output tensors per call, as
 * the training engine does; thread-safe as far as the layer's forward pass is.
 */
final class LayerStep implements Step {
    private final Layer layer;
    private final int[] inputShape;
    private final int inSize;
    private final int outSize;

    LayerStep(Layer layer, int[] inputShape) {
        this.layer = layer;
        this.inputShape = inputShape.clone();
        this.inSize = Math.toIntExact(Shapes.size(inputShape));
        this.outSize = Math.toIntExact(Shapes.size(layer.outputShape()));
    }

    @Override
    public int outSize() {
        return outSize;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        Tensor in = Tensor.of(Arrays.copyOf(x, n * inSize), Shapes.prepend(n, inputShape));
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor out = layer.forward(in, false);
            if (out.size() != (long) n * outSize) {
                throw new IllegalStateException("layer " + layer.name() + " (" + layer.type() + ") returned " + out.size()
                        + " values for " + n + " examples, its output shape " + Arrays.toString(layer.outputShape())
                        + " says " + (long) n * outSize);
            }
            System.arraycopy(out.data(), 0, y, 0, n * outSize);
        }
    }

    /** The layer this step runs. */
    Layer layer() {
        return layer;
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s custom layer %s, run through its own forward pass (no runtime kernel), %s -> %s",
                layer.name(), "Layer", layer.type(), Arrays.toString(inputShape), Arrays.toString(layer.outputShape()));
    }
}
