package dev.shears.interop;

import dev.shears.interop.Onnx.ExportOptions;
import dev.shears.interop.Onnx.InputLayout;
import dev.shears.interop.onnx.OnnxProto.AttributeProto;
import dev.shears.interop.onnx.OnnxProto.GraphProto;
import dev.shears.interop.onnx.OnnxProto.ModelProto;
import dev.shears.interop.onnx.OnnxProto.NodeProto;
import dev.shears.interop.onnx.OnnxProto.OperatorSetIdProto;
import dev.shears.interop.onnx.OnnxProto.TensorProto;
import dev.shears.interop.onnx.OnnxProto.TensorShapeProto;
import dev.shears.interop.onnx.OnnxProto.TypeProto;
import dev.shears.interop.onnx.OnnxProto.ValueInfoProto;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Reshape;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.ops.ConvOps;

/**
 * Builds the ONNX graph of a {@link Sequential}. Inside the graph images are NCHW, as ONNX's Conv
 * requires; an NHWC input gets a Transpose first (as tf2onnx exports Keras models), a Flatten of a
 * spatial map transposes back to NHWC first so the next Gemm keeps Shears' (Keras's) row order, and a
 * spatial output is transposed back to the input's layout.
 */
final class OnnxExport {
    static final int OPSET = 17;
    /** IR version 8 goes with opset 17. */
    static final int IR_VERSION = 8;
    /** Kernels with fewer values stay dense even when sparse initializers are asked for. */
    static final int SPARSE_MIN_VALUES = 1024;

    private final ExportOptions options;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private String current = "input";
    private int counter;

    private OnnxExport(ExportOptions options) {
        this.options = options;
    }

    /** The ONNX model for {@code model}. */
    static ModelProto build(Sequential model, ExportOptions options) {
        OnnxExport e = new OnnxExport(options);
        e.graph.setName(model.name());
        int[] in = model.inputShape();
        boolean spatial = in.length == 3;
        boolean nhwcInput = spatial && options.inputLayout() == InputLayout.NHWC;
        long[] inputDims = !spatial ? new long[] {in[0]} : nhwcInput ? new long[] {in[0], in[1], in[2]} : new long[] {in[2], in[0], in[1]};
        e.graph.addInput(valueInfo("input", inputDims));
        if (nhwcInput) {
            e.node("Transpose", new String[] {e.current}, ints("perm", 0, 3, 1, 2));
        }
        for (Layer outer : model.layers()) {
            e.layer(outer.unwrap());
        }
        int[] out = model.outputShape();
        if (out.length == 3) {
            e.node("Transpose", new String[] {e.current}, nhwcInput ? ints("perm", 0, 2, 3, 1) : ints("perm", 0, 1, 2, 3));
        }
        e.renameLast("output");
        long[] outDims = out.length == 3 && !nhwcInput ? new long[] {out[2], out[0], out[1]} : java.util.Arrays.stream(out).asLongStream().toArray();
        e.graph.addOutput(valueInfo("output", outDims));
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("shears").setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(e.graph).build();
    }

    private void layer(Layer l) {
        if (l instanceof Conv2D c) {
            conv(c);
        } else if (l instanceof DepthwiseConv2D d) {
            depthwise(d);
        } else if (l instanceof BatchNormalization b) {
            batchNorm(b);
        } else if (l instanceof Dense d) {
            dense(d);
        } else if (l instanceof MaxPooling2D p) {
            node("MaxPool", new String[] {current}, ints("kernel_shape", p.poolSize()), ints("strides", p.strides()));
        } else if (l instanceof GlobalAveragePooling2D) {
            node("GlobalAveragePool", new String[] {current});
            node("Flatten", new String[] {current}, intAttr("axis", 1));
        } else if (l instanceof GlobalMaxPooling2D) {
            node("GlobalMaxPool", new String[] {current});
            node("Flatten", new String[] {current}, intAttr("axis", 1));
        } else if (l instanceof AveragePooling2D p) {
            averagePool(p);
        } else if (l instanceof ActivationLayer a) {
            activation(a.activation(), l.outputShape().length == 3 ? 1 : -1);
        } else if (l instanceof Reshape r) {
            reshape(r);
        } else if (l instanceof Flatten) {
            int[] in = l.inputShape();
            if (in.length == 3) {
                if (in[0] * in[1] > 1 && in[2] > 1) {
                    node("Transpose", new String[] {current}, ints("perm", 0, 2, 3, 1));
                }
                node("Flatten", new String[] {current}, intAttr("axis", 1));
            }
        } else if (l instanceof ZeroPadding2D z) {
            String pads = l.name() + "/pads";
            graph.addInitializer(OnnxTensors.longs(pads, 0, 0, z.top(), z.left(), 0, 0, z.bottom(), z.right()));
            node("Pad", new String[] {current, pads}, strings("mode", "constant"));
        } else if (l instanceof Dropout d) {
            // An identity at inference (ONNX Runtime skips it); kept so the rate survives a round trip.
            String ratio = l.name() + "/ratio";
            graph.addInitializer(OnnxTensors.floats(ratio, new float[] {d.rate()}));
            node("Dropout", new String[] {current, ratio});
        } else {
            // Every layer type Shears has is handled above; a new one must be added here.
            throw new IllegalArgumentException("layer " + l.name() + ": ONNX export does not know " + l.type() + " layers");
        }
    }

    /** TensorFlow's 'same' average pooling divides by the cells inside the image: count_include_pad = 0. */
    private void averagePool(AveragePooling2D p) {
        int[] k = p.poolSize();
        int[] s = p.strides();
        node("AveragePool", new String[] {current}, ints("kernel_shape", k), ints("strides", s),
                ints("pads", pads(p.inputShape(), k, s, p.outputShape(), p.padding())), intAttr("count_include_pad", 0));
    }

    /**
     * ONNX's explicit pads (top, left, bottom, right) for a Keras padding mode: TensorFlow's SAME puts the
     * odd pixel at the bottom/right, which ONNX's symmetric auto_pad cannot say.
     */
    private static int[] pads(int[] in, int[] k, int[] s, int[] out, Padding padding) {
        int top = ConvOps.padBefore(in[0], k[0], s[0], padding);
        int left = ConvOps.padBefore(in[1], k[1], s[1], padding);
        return new int[] {top, left, Math.max((out[0] - 1) * s[0] + k[0] - in[0] - top, 0),
            Math.max((out[1] - 1) * s[1] + k[1] - in[1] - left, 0)};
    }

    /** Shears reshapes NHWC data: spatial maps go to NHWC first, and a spatial result back to NCHW. */
    private void reshape(Reshape r) {
        if (r.inputShape().length == 3) {
            node("Transpose", new String[] {current}, ints("perm", 0, 2, 3, 1));
        }
        int[] out = r.outputShape();
        long[] target = new long[out.length + 1];
        target[0] = -1;
        for (int i = 0; i < out.length; i++) {
            target[i + 1] = out[i];
        }
        String shape = r.name() + "/shape";
        graph.addInitializer(OnnxTensors.longs(shape, target));
        node("Reshape", new String[] {current, shape});
        if (out.length == 3) {
            node("Transpose", new String[] {current}, ints("perm", 0, 3, 1, 2));
        }
    }

    private void conv(Conv2D c) {
        int[] in = c.inputShape();
        int[] k = c.kernelSize();
        int[] s = c.strides();
        int[] out = c.outputShape();
        int ch = in[2];
        int oc = c.filters();
        float[] hwio = c.kernel().data();
        float[] oihw = new float[hwio.length];
        for (int y = 0; y < k[0]; y++) {
            for (int x = 0; x < k[1]; x++) {
                for (int i = 0; i < ch; i++) {
                    int src = ((y * k[1] + x) * ch + i) * oc;
                    for (int o = 0; o < oc; o++) {
                        oihw[((o * ch + i) * k[0] + y) * k[1] + x] = hwio[src + o];
                    }
                }
            }
        }
        String w = c.name() + "/kernel";
        String b = c.name() + "/bias";
        addWeight(w, oihw, oc, ch, k[0], k[1]);
        graph.addInitializer(OnnxTensors.floats(b, c.bias().data(), oc));
        node("Conv", new String[] {current, w, b}, ints("kernel_shape", k), ints("strides", s),
                ints("pads", pads(in, k, s, out, c.padding())));
        activation(c.activation(), 1);
    }

    /** A Conv with one group per channel; Keras's kernel (kh, kw, c, m) is ONNX's (c * m, 1, kh, kw). */
    private void depthwise(DepthwiseConv2D d) {
        int[] in = d.inputShape();
        int[] k = d.kernelSize();
        int[] s = d.strides();
        int[] out = d.outputShape();
        int oc = out[2];
        float[] hwio = d.kernel().data();
        float[] oihw = new float[hwio.length];
        for (int y = 0; y < k[0]; y++) {
            for (int x = 0; x < k[1]; x++) {
                for (int o = 0; o < oc; o++) {
                    oihw[(o * k[0] + y) * k[1] + x] = hwio[(y * k[1] + x) * oc + o];
                }
            }
        }
        String w = d.name() + "/kernel";
        String b = d.name() + "/bias";
        addWeight(w, oihw, oc, 1, k[0], k[1]);
        graph.addInitializer(OnnxTensors.floats(b, d.useBias() ? d.bias().data() : new float[oc], oc));
        node("Conv", new String[] {current, w, b}, ints("kernel_shape", k), ints("strides", s),
                ints("pads", pads(in, k, s, out, d.padding())), intAttr("group", in[2]));
        activation(d.activation(), 1);
    }

    /** Inference-mode BatchNormalization over the channel axis (axis 1 in NCHW, or the features of a vector). */
    private void batchNorm(BatchNormalization b) {
        int c = b.channels();
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        String[] names = {b.name() + "/gamma", b.name() + "/beta", b.name() + "/moving_mean", b.name() + "/moving_variance"};
        float[][] values = {b.scale() ? b.gamma().data() : ones, b.center() ? b.beta().data() : new float[c],
            b.movingMean().data(), b.movingVariance().data()};
        for (int i = 0; i < 4; i++) {
            graph.addInitializer(OnnxTensors.floats(names[i], values[i], c));
        }
        node("BatchNormalization", new String[] {current, names[0], names[1], names[2], names[3]},
                floatAttr("epsilon", (float) b.epsilon()), floatAttr("momentum", (float) b.momentum()));
    }

    private void dense(Dense d) {
        String w = d.name() + "/kernel";
        String b = d.name() + "/bias";
        addWeight(w, d.kernel().data(), d.inputShape()[0], d.units());
        graph.addInitializer(OnnxTensors.floats(b, d.bias().data(), d.units()));
        node("Gemm", new String[] {current, w, b});
        activation(d.activation(), -1);
    }

    /** The activation's nodes on the current value; softmax normalises over {@code channelAxis} (1 for NCHW maps, -1 else). */
    private void activation(Activation a, int channelAxis) {
        String x = current;
        switch (a) {
            case LINEAR -> { }
            case RELU -> node("Relu", new String[] {x});
            case SOFTMAX -> node("Softmax", new String[] {x}, intAttr("axis", channelAxis));
            case SIGMOID -> node("Sigmoid", new String[] {x});
            case TANH -> node("Tanh", new String[] {x});
            case LEAKY_RELU -> node("LeakyRelu", new String[] {x}, floatAttr("alpha", Activation.LEAKY_RELU_NEGATIVE_SLOPE));
            case ELU -> node("Elu", new String[] {x}, floatAttr("alpha", Activation.ELU_ALPHA));
            case RELU6 -> node("Clip", new String[] {x, scalar(0f), scalar(6f)});
            case SILU -> {
                node("Sigmoid", new String[] {x});
                node("Mul", new String[] {x, current});
            }
            case GELU -> {
                // Opset 17 has no Gelu: 0.5 x (1 + erf(x / sqrt 2)), Keras's exact form.
                node("Div", new String[] {x, scalar((float) Math.sqrt(2))});
                node("Erf", new String[] {current});
                node("Add", new String[] {current, scalar(1f)});
                node("Mul", new String[] {x, current});
                node("Mul", new String[] {current, scalar(0.5f)});
            }
        }
    }

    /** A float scalar initializer, one per value. */
    private String scalar(float v) {
        String name = "const/" + Float.toString(v);
        if (graph.getInitializerList().stream().noneMatch(t -> t.getName().equals(name))) {
            graph.addInitializer(OnnxTensors.floats(name, new float[] {v}));
        }
        return name;
    }

    private void addWeight(String name, float[] data, long... dims) {
        if (options.sparseInitializers() && data.length >= SPARSE_MIN_VALUES && worthSparse(data)) {
            graph.addSparseInitializer(OnnxTensors.sparse(name, data, dims));
        } else {
            graph.addInitializer(OnnxTensors.floats(name, data, dims));
        }
    }

    /** Sparse storage costs 12 bytes a non-zero (value + int64 index) against 4 a value dense. */
    private static boolean worthSparse(float[] data) {
        long nnz = 0;
        for (float v : data) {
            nnz += v != 0f ? 1 : 0;
        }
        return 12 * nnz < 4L * data.length;
    }

    private void node(String op, String[] inputs, AttributeProto... attributes) {
        String out = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        current = out;
    }

    /** Renames the graph's last value (the last node's output, or the input for a graph of no nodes). */
    private void renameLast(String name) {
        if (graph.getNodeCount() == 0) {
            node("Identity", new String[] {current});
        }
        NodeProto.Builder last = graph.getNodeBuilder(graph.getNodeCount() - 1);
        last.setOutput(0, name);
        current = name;
    }

    private static ValueInfoProto valueInfo(String name, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private static AttributeProto ints(String name, int... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto intAttr(String name, int value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static AttributeProto strings(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }
}
