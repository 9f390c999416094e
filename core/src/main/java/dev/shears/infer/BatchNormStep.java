package dev.shears.infer;

import dev.shears.kernels.BatchNorm;
import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BatchNormalization at inference: one affine map per channel, {@code y = x·scale + shift} with
 * scale = γ / sqrt(moving_variance + ε) and shift = β - moving_mean·scale.
 *
 * <p>After a Conv2D, DepthwiseConv2D or Dense layer with a linear activation ({@link #folds}) the map is
 * folded into that layer's weights ({@link #fold}): each output column of the kernel is multiplied by its
 * channel's scale and the bias becomes bias·scale + shift, so no step runs for the batch norm at all.
 * Elsewhere (first in the model, after a pool, after a ReLU) it runs as this step, over NHWC data or, after
 * a planar sparse conv, channel-major data. Scale and shift come from {@link BatchNorm#scaleShift}, as in the
 * training engine's inference mode, so this step's outputs equal the engine's bit for bit.
 */
final class BatchNormStep implements Step {
    private final String name;
    private final int c;
    private final int hw;
    private final float[] scale;
    private final float[] shift;
    private final List<float[]> values;
    private final boolean chw;

    /** {@code in}: the input shape without batch, channels last; {@code chw}: the input arrives channel-major. */
    BatchNormStep(BatchNormalization bn, int[] in, boolean chw) {
        this.name = bn.name();
        this.c = bn.channels();
        this.hw = Math.toIntExact(dev.shears.tensor.Shapes.size(in) / c);
        float[][] ss = scaleShift(bn);
        this.scale = ss[0];
        this.shift = ss[1];
        List<float[]> vs = new ArrayList<>();
        for (Parameter p : variables(bn)) {
            vs.add(p.data().clone());
        }
        this.values = List.copyOf(vs);
        this.chw = chw;
    }

    /** {scale, shift} (c each) of {@code bn}'s inference map. */
    static float[][] scaleShift(BatchNormalization bn) {
        int c = bn.channels();
        float[] scale = new float[c];
        float[] shift = new float[c];
        BatchNorm.scaleShift(scale, shift, bn.gamma() == null ? null : bn.gamma().data(), bn.beta() == null ? null : bn.beta().data(),
                bn.movingMean().data(), bn.movingVariance().data(), (float) bn.epsilon(), c);
        return new float[][] {scale, shift};
    }

    /**
     * Whether {@code next} is a BatchNormalization that folds into {@code prev}: a Conv2D, DepthwiseConv2D or
     * Dense layer (unwrapped) whose activation is linear, so that its output is what the batch norm reads.
     */
    static boolean folds(Layer prev, Layer next) {
        if (!(next instanceof BatchNormalization)) {
            return false;
        }
        Activation act = prev instanceof Conv2D conv ? conv.activation()
                : prev instanceof DepthwiseConv2D d ? d.activation() : prev instanceof Dense dense ? dense.activation() : null;
        return act == Activation.LINEAR;
    }

    /**
     * {kernel, bias} with {@code bn} folded in, or the arrays themselves when bn is null: for the kernel
     * (k, oc), row-major with output channel j in column j (Conv2D's (kh*kw*c, oc), Dense's (in, units),
     * DepthwiseConv2D's (kh*kw, c*dm)), kernel'[i, j] = kernel[i, j]·scale[j] and
     * bias'[j] = bias[j]·scale[j] + shift[j]. New arrays; the layer's own are not touched.
     */
    static float[][] fold(float[] kernel, float[] bias, int oc, BatchNormalization bn) {
        if (bn == null) {
            return new float[][] {kernel, bias};
        }
        float[][] ss = scaleShift(bn);
        float[] k = new float[kernel.length];
        for (int i = 0; i < kernel.length; i += oc) {
            for (int j = 0; j < oc; j++) {
                // + 0f: a pruned zero times a negative scale would be -0, which sparse encodings store as +0
                k[i + j] = kernel[i + j] * ss[0][j] + 0f;
            }
        }
        float[] b = new float[oc];
        for (int j = 0; j < oc; j++) {
            b[j] = bias[j] * ss[0][j] + ss[1][j];
        }
        return new float[][] {k, b};
    }

    /**
     * The architecture of a compiled model whose batch norms named in {@code folded} were folded: those
     * layers removed, and the layer before each given a bias ({@code use_bias} true) if it had none, since the
     * folded bias holds the shift. Rebuilding it gives a model that computes what the compiled one does.
     */
    static Map<String, Object> withoutFolded(Map<String, Object> architecture, Set<String> folded) {
        if (folded.isEmpty()) {
            return architecture;
        }
        Map<String, Object> out = new LinkedHashMap<>(architecture);
        List<Object> layers = new ArrayList<>();
        for (Object o : (List<?>) architecture.get("layers")) {
            Map<?, ?> lm = (Map<?, ?>) o;
            if (folded.contains(String.valueOf(lm.get("name")))) {
                Map<String, Object> prev = copy((Map<?, ?>) layers.remove(layers.size() - 1));
                Map<String, Object> config = copy((Map<?, ?>) prev.get("config"));
                if (Boolean.FALSE.equals(config.get("use_bias"))) {
                    config.put("use_bias", true);
                }
                prev.put("config", config);
                layers.add(prev);
            } else {
                layers.add(lm);
            }
        }
        out.put("layers", layers);
        return out;
    }

    private static Map<String, Object> copy(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A layer's parameters, then its state: what compact files store for layers with vectors (see {@link #values()}). */
    static List<Parameter> variables(Layer l) {
        List<Parameter> all = new ArrayList<>(l.parameters());
        all.addAll(l.state());
        return all;
    }

    /** Copies of the layer's γ, β, moving mean and moving variance (those it has), in {@link #variables} order. */
    List<float[]> values() {
        return values;
    }

    @Override
    public int outSize() {
        return hw * c;
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return true;
    }

    @Override
    public boolean channelsFirstOut() {
        return chw;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        if (chw) {
            BatchNorm.affinePlanes(y, x, scale, shift, n, c, hw);
        } else {
            BatchNorm.affine(y, x, scale, shift, n * hw, c);
        }
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %d channels x %d%s", name, "BatchNorm", c, hw, chw ? ", channel-major" : "");
    }
}
