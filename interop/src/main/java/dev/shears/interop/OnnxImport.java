package dev.shears.interop;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shears.interop.onnx.OnnxProto.AttributeProto;
import dev.shears.interop.onnx.OnnxProto.GraphProto;
import dev.shears.interop.onnx.OnnxProto.ModelProto;
import dev.shears.interop.onnx.OnnxProto.NodeProto;
import dev.shears.interop.onnx.OnnxProto.OperatorSetIdProto;
import dev.shears.interop.onnx.OnnxProto.SparseTensorProto;
import dev.shears.interop.onnx.OnnxProto.TensorProto;
import dev.shears.interop.onnx.OnnxProto.TensorShapeProto;
import dev.shears.interop.onnx.OnnxProto.ValueInfoProto;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX graph that is a chain of the layers Shears has into a {@link Sequential} taking NHWC
 * input. Weights move from ONNX's NCHW/OIHW layouts to Shears' HWIO and (in, out); a Flatten of a
 * spatial map permutes the next dense layer's rows from (c, h, w) order to (h, w, c). Everything is
 * checked before the model is built, so a file either imports whole or fails with a
 * {@link ModelFormatException} naming the node.
 */
final class OnnxImport {
    static final String SUPPORTED = "Conv (and depthwise Conv, group = channels), BatchNormalization, Relu, Sigmoid, Tanh, LeakyRelu (alpha 0.2), Elu (alpha 1), Clip (0, 6), "
            + "SiLU and exact GELU as Shears exports them, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten, "
            + "Reshape (to 2-D), Gemm, MatMul (+ Add), Softmax, Dropout, Identity, Pad (zeros, height and width), a leading Transpose from NHWC, and a Transpose to NHWC before a Flatten";
    /** Largest file read, in bytes: protobuf's own limit. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
    /** Largest per-example input accepted, in values. */
    static final long MAX_INPUT_VALUES = LayerPlan.MAX_ACTIVATION_VALUES;

    private final Path file;
    private final GraphProto graph;
    private final int opset;
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final Map<String, SparseTensorProto> sparse = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final LayerPlan plan = new LayerPlan();
    private String current;
    /** Per-example shape as ONNX sees it: (c, h, w) for images, (f) for vectors. */
    private int[] shape;
    /** Set after GlobalAveragePool: ONNX holds (c, 1, 1) where Shears already holds (c). */
    private boolean pooledToVector;
    /** (c, h, w) of a flattened spatial map whose (c, h, w) row order the next dense layer must undo. */
    private int[] flattenedFrom;
    /** Set by a Transpose to NHWC that the next Flatten consumes. */
    private boolean flattenInHwcOrder;

    private OnnxImport(Path file, ModelProto model) throws ModelFormatException {
        this.file = file;
        if (!model.hasGraph()) {
            throw new ModelFormatException(file, "graph", "missing: not an ONNX model");
        }
        this.graph = model.getGraph();
        int version = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                version = (int) o.getVersion();
            }
        }
        if (version < 7) {
            throw new ModelFormatException(file, "opset_import", "needs the default ONNX domain at opset 7 or later, found "
                    + (version < 0 ? "none" : version));
        }
        this.opset = version;
    }

    /** Reads and converts {@code file}. */
    static Sequential load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new ModelFormatException(file, "file length", size + " bytes is more than an ONNX protobuf can hold");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(file, "protobuf", "not a valid ONNX model: " + e.getMessage());
        }
        return new OnnxImport(file, model).convert();
    }

    private Sequential convert() throws ModelFormatException {
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), t);
        }
        for (SparseTensorProto s : graph.getSparseInitializerList()) {
            sparse.put(s.getValues().getName(), s);
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Constant") && n.getDomain().isEmpty()) {
                constants.put(output(n, i), constantValue(n, i));
                continue;
            }
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
        int[] inputShape = readInput();
        if (graph.getOutputCount() != 1) {
            throw new ModelFormatException(file, "graph.output", "has " + graph.getOutputCount() + " outputs; Shears imports models with one");
        }
        String outputName = graph.getOutput(0).getName();
        Set<Integer> visited = new HashSet<>();
        while (!current.equals(outputName)) {
            if (consumers.getOrDefault(current, List.of()).size() == 2 && twoBranchActivation()) {
                continue;
            }
            int i = soleConsumer(current);
            if (!visited.add(i)) {
                throw new ModelFormatException(file, where(i), "the graph has a cycle");
            }
            node(i);
        }
        if (flattenedFrom != null) {
            throw new ModelFormatException(file, "graph", "a Flatten of a spatial map must be followed by Gemm or MatMul");
        }
        // The weights are all in the file already (decoded, so their count is real): that is their bound.
        return plan.build(inputShape, plan.weightValues(), file);
    }

    /** The graph input that is not an initializer; sets {@link #current} and {@link #shape}; returns Shears' input shape. */
    private int[] readInput() throws ModelFormatException {
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!constants.containsKey(v.getName()) && !sparse.containsKey(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            throw new ModelFormatException(file, "graph.input", "has " + inputs.size() + " inputs besides initializers; Shears imports models with one");
        }
        ValueInfoProto in = inputs.get(0);
        current = in.getName();
        if (!in.getType().hasTensorType() || in.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelFormatException(file, "graph.input " + current, "expected a float32 tensor");
        }
        List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 2 && dims.size() != 4) {
            throw new ModelFormatException(file, "graph.input " + current, "expected rank 2 (batch, features) or rank 4 (batch, c, h, w), got rank " + dims.size());
        }
        int[] d = new int[dims.size() - 1];
        long total = 1;
        for (int i = 1; i < dims.size(); i++) {
            long v = dims.get(i).getDimValue();
            if (!dims.get(i).hasDimValue() || v < 1 || v > MAX_INPUT_VALUES) {
                throw new ModelFormatException(file, "graph.input " + current + " dimension " + i, "expected a fixed size from 1 to "
                        + MAX_INPUT_VALUES + ", got " + (dims.get(i).hasDimValue() ? v : "'" + dims.get(i).getDimParam() + "'"));
            }
            total *= v;
            d[i - 1] = (int) v;
        }
        if (total > MAX_INPUT_VALUES) {
            throw new ModelFormatException(file, "graph.input " + current, "more than " + MAX_INPUT_VALUES + " values per example");
        }
        if (d.length == 1) {
            shape = d;
            return d.clone();
        }
        List<Integer> users = consumers.getOrDefault(current, List.of());
        if (users.size() == 1 && graph.getNode(users.get(0)).getOpType().equals("Transpose")) {
            int t = users.get(0);
            long[] perm = longs(graph.getNode(t), "perm", null);
            if (perm != null && java.util.Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
                current = output(graph.getNode(t), t);
                shape = new int[] {d[2], d[0], d[1]};
                return d.clone();
            }
        }
        shape = d;
        return new int[] {d[1], d[2], d[0]};
    }

    private void node(int i) throws ModelFormatException {
        NodeProto n = graph.getNode(i);
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw unsupported(i, n.getDomain() + ":" + n.getOpType());
        }
        String next = output(n, i);
        switch (n.getOpType()) {
            case "Conv" -> conv(n, i);
            case "Pad" -> pad(n, i);
            case "Relu" -> activation(i, Activation.RELU);
            case "Sigmoid" -> activation(i, Activation.SIGMOID);
            case "Tanh" -> activation(i, Activation.TANH);
            case "LeakyRelu" -> activation(i, fixedParameter(n, i, "alpha", 0.01f, Activation.LEAKY_RELU_NEGATIVE_SLOPE, Activation.LEAKY_RELU));
            case "Elu" -> activation(i, fixedParameter(n, i, "alpha", 1f, Activation.ELU_ALPHA, Activation.ELU));
            case "Clip" -> activation(i, relu6(n, i));
            case "AveragePool" -> averagePool(n, i);
            case "GlobalMaxPool" -> {
                requireImage(i);
                plan.add(new GlobalMaxPooling2D());
                shape = new int[] {shape[0]};
                pooledToVector = true;
            }
            case "Softmax" -> softmax(n, i);
            case "MaxPool" -> maxPool(n, i);
            case "GlobalAveragePool" -> {
                requireImage(i);
                plan.add(new GlobalAveragePooling2D());
                shape = new int[] {shape[0]};
                pooledToVector = true;
            }
            case "Flatten" -> {
                if (longAttr(n, "axis", 1) != 1) {
                    throw new ModelFormatException(file, where(i), "Flatten with axis " + longAttr(n, "axis", 1) + "; only axis 1 is supported");
                }
                flatten();
            }
            case "Reshape" -> reshape(n, i);
            case "Gemm" -> gemm(n, i);
            case "MatMul" -> next = matMul(n, i);
            case "Dropout" -> dropout(n, i);
            case "BatchNormalization" -> batchNorm(n, i);
            case "Identity" -> { }
            case "Transpose" -> transposeBeforeFlatten(n, i);
            default -> throw unsupported(i, n.getOpType());
        }
        current = next;
    }

    private void conv(NodeProto n, int i) throws ModelFormatException {
        requireImage(i);
        TensorProto w = constant(n, 1, i, "W");
        List<Long> wd = w.getDimsList();
        long group = longAttr(n, "group", 1);
        // group = channels with one input channel per group is a depthwise convolution; other groupings are not supported.
        boolean depthwise = group == shape[0] && group > 1;
        if (group != 1 && !depthwise) {
            throw new ModelFormatException(file, where(i), "grouped convolution (group " + group + ") is not supported; only 1 or "
                    + shape[0] + " (depthwise)");
        }
        if (wd.size() != 4 || wd.get(1) != (depthwise ? 1 : shape[0]) || depthwise && wd.get(0) % group != 0) {
            throw new ModelFormatException(file, where(i) + " weight " + w.getName(), "expected (out, " + (depthwise ? 1 : shape[0])
                    + ", kh, kw), got " + wd);
        }
        long[] dil = longs(n, "dilations", new long[] {1, 1});
        if (dil.length != 2 || dil[0] != 1 || dil[1] != 1) {
            throw new ModelFormatException(file, where(i), "dilations " + java.util.Arrays.toString(dil) + " are not supported; expected [1, 1]");
        }
        int oc = Math.toIntExact(wd.get(0));
        int kh = Math.toIntExact(wd.get(2));
        int kw = Math.toIntExact(wd.get(3));
        long[] ks = longs(n, "kernel_shape", new long[] {kh, kw});
        long[] st = longs(n, "strides", new long[] {1, 1});
        if (ks.length != 2 || ks[0] != kh || ks[1] != kw || st.length != 2 || st[0] < 1 || st[1] < 1 || st[0] > 1 << 16 || st[1] > 1 << 16) {
            throw new ModelFormatException(file, where(i), "kernel_shape " + java.util.Arrays.toString(ks) + " and strides "
                    + java.util.Arrays.toString(st) + " do not fit weight " + wd);
        }
        int sh = (int) st[0];
        int sw = (int) st[1];
        int[] pads = convPads(n, i, kh, kw, sh, sw);
        float[] bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(n, 2, i, "B", oc) : new float[oc];
        Padding padding;
        if (isZero(pads)) {
            padding = Padding.VALID;
        } else if (java.util.Arrays.equals(pads, tfSame(kh, kw, sh, sw))) {
            padding = Padding.SAME;
        } else {
            plan.add(new ZeroPadding2D(pads[0], pads[2], pads[1], pads[3]));
            padding = Padding.VALID;
        }
        int oh = (shape[1] + pads[0] + pads[2] - kh) / sh + 1;
        int ow = (shape[2] + pads[1] + pads[3] - kw) / sw + 1;
        if (shape[1] + pads[0] + pads[2] < kh || shape[2] + pads[1] + pads[3] < kw) {
            throw new ModelFormatException(file, where(i), "kernel " + kh + "x" + kw + " does not fit input " + java.util.Arrays.toString(shape));
        }
        if (depthwise) {
            // ONNX (c * m, 1, kh, kw), output channel c * m + j, is Keras's (kh, kw, c, m) with the same channel order.
            plan.addDepthwise(kh, kw, sh, sw, padding, oc / shape[0], true, Activation.LINEAR,
                    new float[][] {oihwToHwio(toFloats(w, i), oc, 1, kh, kw), bias}, null);
        } else {
            plan.addConv(oc, kh, kw, sh, sw, padding, oihwToHwio(toFloats(w, i), oc, shape[0], kh, kw), bias);
        }
        shape = new int[] {oc, oh, ow};
    }

    /** A Conv's pads (top, left, bottom, right), from auto_pad or pads. */
    private int[] convPads(NodeProto n, int i, int kh, int kw, int sh, int sw) throws ModelFormatException {
        String autoPad = stringAttr(n, "auto_pad", "NOTSET");
        int[] pads;
        switch (autoPad) {
            case "NOTSET" -> {
                long[] p = longs(n, "pads", new long[4]);
                if (p.length != 4) {
                    throw new ModelFormatException(file, where(i), "pads needs 4 values, got " + p.length);
                }
                pads = new int[4];
                for (int k = 0; k < 4; k++) {
                    if (p[k] < 0 || p[k] > 1 << 16) {
                        throw new ModelFormatException(file, where(i), "pads " + java.util.Arrays.toString(p) + " out of range");
                    }
                    pads[k] = (int) p[k];
                }
            }
            case "VALID" -> pads = new int[4];
            case "SAME_UPPER" -> pads = tfSame(kh, kw, sh, sw);
            case "SAME_LOWER" -> {
                int[] upper = tfSame(kh, kw, sh, sw);
                pads = new int[] {upper[2], upper[3], upper[0], upper[1]};
            }
            default -> throw new ModelFormatException(file, where(i), "auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
        return pads;
    }

    /** TensorFlow's SAME pads (top, left, bottom, right) for the current input: the odd pixel at the end. */
    private int[] tfSame(int kh, int kw, int sh, int sw) {
        int th = Math.max(((shape[1] + sh - 1) / sh - 1) * sh + kh - shape[1], 0);
        int tw = Math.max(((shape[2] + sw - 1) / sw - 1) * sw + kw - shape[2], 0);
        return new int[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
    }

    /** A constant zero Pad of the two spatial axes, as a ZeroPadding2D layer. */
    private void pad(NodeProto n, int i) throws ModelFormatException {
        requireImage(i);
        String mode = stringAttr(n, "mode", "constant");
        long[] p = opset >= 11 ? constantLongs(n, 1, i, "pads") : longs(n, "pads", null);
        boolean zeroValue = n.getInputCount() < 3 || n.getInput(2).isEmpty() || isZero(floats(n, 2, i, "constant_value", 1));
        if (!mode.equals("constant") || p == null || p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0
                || !zeroValue || (n.getInputCount() > 3 && !n.getInput(3).isEmpty())) {
            throw new ModelFormatException(file, where(i), "only a constant zero Pad of the height and width axes is supported");
        }
        for (long v : p) {
            if (v < 0 || v > 1 << 16) {
                throw new ModelFormatException(file, where(i), "pads " + java.util.Arrays.toString(p) + " out of range");
            }
        }
        plan.add(new ZeroPadding2D((int) p[2], (int) p[6], (int) p[3], (int) p[7]));
        shape = new int[] {shape[0], shape[1] + (int) (p[2] + p[6]), shape[2] + (int) (p[3] + p[7])};
    }

    /**
     * An activation node: folded into the conv or dense layer before it when that has none (ReLU also across
     * max pooling and dropout, with which it commutes), otherwise a standalone Activation layer.
     */
    private void activation(int i, Activation a) throws ModelFormatException {
        boolean fused = a == Activation.RELU ? plan.fuseActivation(a) : plan.fuseDirect(a);
        if (!fused) {
            plan.add(new ActivationLayer(a));
        }
    }

    /** An activation whose ONNX parameter must equal the one Shears fixes (Keras's default). */
    private Activation fixedParameter(NodeProto n, int i, String attr, float onnxDefault, float shears, Activation a)
            throws ModelFormatException {
        float v = floatAttr(n, attr, onnxDefault);
        if (v != shears) {
            throw new ModelFormatException(file, where(i), attr + " " + v + " is not supported; Shears' " + a.kerasName() + " uses " + shears);
        }
        return a;
    }

    /** Clip(0, 6): ReLU6. Bounds come from inputs (opset 11 on) or attributes. */
    private Activation relu6(NodeProto n, int i) throws ModelFormatException {
        float min;
        float max;
        if (opset >= 11) {
            min = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? floats(n, 1, i, "min", 1)[0] : Float.NEGATIVE_INFINITY;
            max = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(n, 2, i, "max", 1)[0] : Float.POSITIVE_INFINITY;
        } else {
            min = floatAttr(n, "min", Float.NEGATIVE_INFINITY);
            max = floatAttr(n, "max", Float.POSITIVE_INFINITY);
        }
        if (min != 0f || max != 6f) {
            throw new ModelFormatException(file, where(i), "Clip(" + min + ", " + max + ") is not supported; only Clip(0, 6), ReLU6");
        }
        return Activation.RELU6;
    }

    /**
     * SiLU and GELU as ONNX (opset 17) spells them, the value feeding two nodes: Sigmoid(x) then Mul(x, s);
     * and Div(x, sqrt 2), Erf, Add 1, Mul by x, Mul by 0.5. Consumes the pattern and returns true if it is one.
     */
    private boolean twoBranchActivation() throws ModelFormatException {
        String x = current;
        List<Integer> users = consumers.get(x);
        NodeProto a = graph.getNode(users.get(0));
        NodeProto b = graph.getNode(users.get(1));
        for (NodeProto[] pair : new NodeProto[][] {{a, b}, {b, a}}) {
            NodeProto first = pair[0];
            NodeProto mul = pair[1];
            if (!mul.getOpType().equals("Mul") || mul.getInputCount() != 2) {
                continue;
            }
            String other = mul.getInput(0).equals(x) ? mul.getInput(1) : mul.getInput(0);
            if (first.getOpType().equals("Sigmoid") && first.getOutput(0).equals(other)) {
                activation(users.get(0), Activation.SILU);
                current = mul.getOutput(0);
                return true;
            }
            if (first.getOpType().equals("Div") && first.getInputCount() == 2 && first.getInput(0).equals(x)) {
                String gelu = geluTail(first, other, mul);
                if (gelu != null) {
                    activation(users.get(0), Activation.GELU);
                    current = gelu;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * If {@code div} = Div(x, sqrt 2) starts GELU's chain (Erf, Add 1 giving {@code onePlusErf}, then
     * {@code mul} = Mul(x, onePlusErf), then Mul by 0.5), the chain's output; else null.
     */
    private String geluTail(NodeProto div, String onePlusErf, NodeProto mul) throws ModelFormatException {
        if (Math.abs(constantValue(div.getInput(1)) - (float) Math.sqrt(2)) > 1e-6f) {
            return null;
        }
        NodeProto erf = onlyUser(div.getOutput(0), "Erf");
        NodeProto add = erf == null ? null : onlyUser(erf.getOutput(0), "Add");
        if (add == null || !add.getOutput(0).equals(onePlusErf) || constantOperand(add, erf.getOutput(0)) != 1f) {
            return null;
        }
        NodeProto half = onlyUser(mul.getOutput(0), "Mul");
        return half != null && constantOperand(half, mul.getOutput(0)) == 0.5f ? half.getOutput(0) : null;
    }

    /** The one node using {@code value}, if it has type {@code op}; else null. */
    private NodeProto onlyUser(String value, String op) {
        List<Integer> users = consumers.getOrDefault(value, List.of());
        return users.size() == 1 && graph.getNode(users.get(0)).getOpType().equals(op) ? graph.getNode(users.get(0)) : null;
    }

    /** The scalar constant a binary node combines with {@code value}, or NaN if the other input is not one. */
    private float constantOperand(NodeProto n, String value) throws ModelFormatException {
        if (n.getInputCount() != 2) {
            return Float.NaN;
        }
        return constantValue(n.getInput(0).equals(value) ? n.getInput(1) : n.getInput(0));
    }

    /** The value of a one-element float constant, or NaN. */
    private float constantValue(String name) throws ModelFormatException {
        TensorProto t = constants.get(name);
        if (t == null) {
            return Float.NaN;
        }
        float[] v = OnnxTensors.toFloats(t, file, "constant '" + name + "'");
        return v.length == 1 ? v[0] : Float.NaN;
    }

    /** AveragePool without padding, or with TensorFlow's SAME pads and padded cells left out of the count. */
    private void averagePool(NodeProto n, int i) throws ModelFormatException {
        requireImage(i);
        long[] k = longs(n, "kernel_shape", null);
        long[] s = longs(n, "strides", new long[] {1, 1});
        long[] p = longs(n, "pads", new long[4]);
        if (k == null || k.length != 2 || s.length != 2 || p.length != 4 || k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1
                || k[0] > 1 << 16 || k[1] > 1 << 16 || s[0] > 1 << 16 || s[1] > 1 << 16) {
            throw new ModelFormatException(file, where(i), "kernel_shape " + java.util.Arrays.toString(k) + ", strides "
                    + java.util.Arrays.toString(s) + " and pads must be 2, 2 and 4 sizes");
        }
        int[] pads = {(int) Math.min(p[0], 1 << 16), (int) Math.min(p[1], 1 << 16), (int) Math.min(p[2], 1 << 16), (int) Math.min(p[3], 1 << 16)};
        Padding padding;
        if (isZero(pads) && !stringAttr(n, "auto_pad", "NOTSET").startsWith("SAME")) {
            padding = Padding.VALID;
        } else if (java.util.Arrays.equals(pads, tfSame((int) k[0], (int) k[1], (int) s[0], (int) s[1])) && longAttr(n, "count_include_pad", 0) == 0
                || stringAttr(n, "auto_pad", "NOTSET").equals("SAME_UPPER")) {
            padding = Padding.SAME;
        } else {
            throw new ModelFormatException(file, where(i), "AveragePool pads " + java.util.Arrays.toString(p)
                    + " are supported only as none or TensorFlow's SAME with count_include_pad = 0");
        }
        if (longAttr(n, "ceil_mode", 0) != 0 || padding == Padding.VALID && (k[0] > shape[1] || k[1] > shape[2])) {
            throw new ModelFormatException(file, where(i), "ceil_mode or a window larger than the input " + java.util.Arrays.toString(shape));
        }
        plan.add(new AveragePooling2D((int) k[0], (int) k[1], (int) s[0], (int) s[1], padding));
        shape = padding == Padding.SAME
                ? new int[] {shape[0], (int) ((shape[1] + s[0] - 1) / s[0]), (int) ((shape[2] + s[1] - 1) / s[1])}
                : new int[] {shape[0], (int) ((shape[1] - k[0]) / s[0] + 1), (int) ((shape[2] - k[1]) / s[1] + 1)};
    }

    private void softmax(NodeProto n, int i) throws ModelFormatException {
        long axis = longAttr(n, "axis", opset >= 13 ? -1 : 1);
        int rank = shape.length + 1;
        boolean channels = axis == 1 || axis == -1 && rank == 2;
        if (!channels || pooledToVector && rank != 2) {
            throw new ModelFormatException(file, where(i), "Softmax over axis " + axis + " of a rank-" + rank + " tensor; only the channel axis is supported");
        }
        if (!plan.fuseDirect(Activation.SOFTMAX)) {
            plan.add(new ActivationLayer(Activation.SOFTMAX));
        }
    }

    private void maxPool(NodeProto n, int i) throws ModelFormatException {
        requireImage(i);
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
            throw new ModelFormatException(file, where(i), "MaxPool's Indices output is used; it is not supported");
        }
        long[] k = longs(n, "kernel_shape", null);
        long[] s = longs(n, "strides", new long[] {1, 1});
        long[] pads = longs(n, "pads", new long[4]);
        long[] dil = longs(n, "dilations", new long[] {1, 1});
        String autoPad = stringAttr(n, "auto_pad", "NOTSET");
        if (k == null || k.length != 2 || s.length != 2 || k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1
                || k[0] > shape[1] || k[1] > shape[2] || s[0] > 1 << 16 || s[1] > 1 << 16) {
            throw new ModelFormatException(file, where(i), "kernel_shape " + java.util.Arrays.toString(k) + " and strides "
                    + java.util.Arrays.toString(s) + " must be 2 positive sizes that fit input " + java.util.Arrays.toString(shape));
        }
        if (!isZero(pads) || !(autoPad.equals("NOTSET") || autoPad.equals("VALID")) || longAttr(n, "ceil_mode", 0) != 0
                || dil.length != 2 || dil[0] != 1 || dil[1] != 1 || longAttr(n, "storage_order", 0) != 0) {
            throw new ModelFormatException(file, where(i), "only unpadded MaxPool (no pads, auto_pad, ceil_mode or dilations) is supported");
        }
        plan.add(new MaxPooling2D((int) k[0], (int) k[1], (int) s[0], (int) s[1]));
        shape = new int[] {shape[0], (int) ((shape[1] - k[0]) / s[0] + 1), (int) ((shape[2] - k[1]) / s[1] + 1)};
    }

    private void flatten() {
        if (shape.length == 3) {
            plan.add(new Flatten());
            if (!flattenInHwcOrder && shape[0] > 1 && shape[1] * shape[2] > 1) {
                flattenedFrom = shape;
            }
            shape = new int[] {shape[0] * shape[1] * shape[2]};
        } else if (pooledToVector) {
            // (c, 1, 1) after GlobalAveragePool: nothing to reorder; the layer keeps the model's shape as Keras writes it.
            plan.add(new Flatten());
        }
        pooledToVector = false;
        flattenInHwcOrder = false;
    }

    /**
     * A Transpose to NHWC right before a Flatten (as tf2onnx and Shears export a Keras Flatten): the flatten
     * is then in Shears' own (h, w, c) order and the next dense layer's rows stay as they are.
     */
    private void transposeBeforeFlatten(NodeProto n, int i) throws ModelFormatException {
        long[] perm = longs(n, "perm", null);
        int next = soleConsumer(output(n, i));
        String op = graph.getNode(next).getOpType();
        if (shape.length != 3 || pooledToVector || perm == null || !java.util.Arrays.equals(perm, new long[] {0, 2, 3, 1})
                || !(op.equals("Flatten") || op.equals("Reshape"))) {
            throw new ModelFormatException(file, where(i), "a Transpose is supported only on the input (NHWC to NCHW) "
                    + "or to NHWC right before a Flatten; Shears imports " + SUPPORTED);
        }
        flattenInHwcOrder = true;
    }

    private void reshape(NodeProto n, int i) throws ModelFormatException {
        long[] target = constantLongs(n, 1, i, "shape");
        long total = 1;
        for (int d : shape) {
            total *= d;
        }
        boolean toVector = target.length == 2 && (target[1] == total || target[1] == -1)
                && (target[0] == 0 || target[0] == -1 && target[1] == total || target[0] > 0 && target[1] == -1);
        if (!toVector) {
            throw new ModelFormatException(file, where(i), "Reshape to " + java.util.Arrays.toString(target)
                    + "; only a reshape to (batch, " + total + ") is supported");
        }
        flatten();
    }

    private void gemm(NodeProto n, int i) throws ModelFormatException {
        requireVector(i);
        if (longAttr(n, "transA", 0) != 0) {
            throw new ModelFormatException(file, where(i), "transA = 1 is not supported");
        }
        boolean transB = longAttr(n, "transB", 0) != 0;
        float alpha = floatAttr(n, "alpha", 1f);
        float beta = floatAttr(n, "beta", 1f);
        TensorProto b = constant(n, 1, i, "B");
        List<Long> bd = b.getDimsList();
        int in = shape[0];
        if (bd.size() != 2 || bd.get(transB ? 1 : 0) != in) {
            throw new ModelFormatException(file, where(i) + " weight " + b.getName(), "expected " + (transB ? "(out, " + in + ")" : "(" + in + ", out)")
                    + ", got " + bd);
        }
        int out = Math.toIntExact(bd.get(transB ? 0 : 1));
        float[] w = toFloats(b, i);
        float[] kernel = new float[in * out];
        for (int r = 0; r < in; r++) {
            for (int c = 0; c < out; c++) {
                kernel[r * out + c] = alpha * (transB ? w[c * in + r] : w[r * out + c]);
            }
        }
        float[] bias = new float[out];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            float[] c = floats(n, 2, i, "C", -1);
            if (c.length != out && c.length != 1) {
                throw new ModelFormatException(file, where(i) + " bias", "expected " + out + " values (or 1), got " + c.length);
            }
            for (int k = 0; k < out; k++) {
                bias[k] = beta * c[c.length == 1 ? 0 : k];
            }
        }
        dense(kernel, bias, in, out);
    }

    /** A MatMul by a constant, and the Add of a constant bias right after it if there is one; returns the last value used. */
    private String matMul(NodeProto n, int i) throws ModelFormatException {
        requireVector(i);
        TensorProto b = constant(n, 1, i, "B");
        List<Long> bd = b.getDimsList();
        int in = shape[0];
        if (bd.size() != 2 || bd.get(0) != in) {
            throw new ModelFormatException(file, where(i) + " weight " + b.getName(), "expected (" + in + ", out), got " + bd);
        }
        int out = Math.toIntExact(bd.get(1));
        String product = output(n, i);
        List<Integer> users = consumers.getOrDefault(product, List.of());
        if (users.size() == 1 && graph.getNode(users.get(0)).getOpType().equals("Add")) {
            int a = users.get(0);
            NodeProto add = graph.getNode(a);
            int other = add.getInput(0).equals(product) ? 1 : 0;
            if (add.getInputCount() == 2 && isConstant(add.getInput(other))) {
                dense(toFloats(b, i), floats(add, other, a, "bias", out), in, out);
                return output(add, a);
            }
        }
        dense(toFloats(b, i), new float[out], in, out);
        return product;
    }

    private void dense(float[] kernel, float[] bias, int in, int out) {
        if (flattenedFrom != null) {
            kernel = chwRowsToHwc(kernel, flattenedFrom, out);
            flattenedFrom = null;
        }
        plan.addDense(out, kernel, bias);
        shape = new int[] {out};
        pooledToVector = false;
    }

    /** Inference-mode BatchNormalization over the channel axis: a Shears BatchNormalization with ONNX's epsilon. */
    private void batchNorm(NodeProto n, int i) throws ModelFormatException {
        if (pooledToVector || longAttr(n, "training_mode", 0) != 0 || n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
            throw new ModelFormatException(file, where(i), "only inference-mode BatchNormalization over the channels is supported");
        }
        int c = shape[0];
        float[][] values = {floats(n, 1, i, "scale", c), floats(n, 2, i, "B", c), floats(n, 3, i, "input_mean", c), floats(n, 4, i, "input_var", c)};
        plan.addBatchNorm(0.99, floatAttr(n, "epsilon", 1e-5f), true, true, values, null);
    }

    private void dropout(NodeProto n, int i) throws ModelFormatException {
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
            throw new ModelFormatException(file, where(i), "Dropout's mask output is used; it is not supported");
        }
        float ratio = opset >= 12 ? (n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? floats(n, 1, i, "ratio", 1)[0] : 0.5f)
                : floatAttr(n, "ratio", 0.5f);
        if (ratio > 0f && ratio < 1f) {
            plan.add(new Dropout(ratio));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private int soleConsumer(String value) throws ModelFormatException {
        List<Integer> users = consumers.getOrDefault(value, List.of());
        if (users.isEmpty()) {
            throw new ModelFormatException(file, "graph", "value '" + value + "' is used by no node and is not the graph output");
        }
        if (users.size() > 1) {
            List<String> ops = new ArrayList<>();
            for (int u : users) {
                ops.add(graph.getNode(u).getOpType());
            }
            throw new ModelFormatException(file, "graph", "value '" + value + "' feeds " + users.size() + " nodes " + ops
                    + "; Shears imports only a chain of layers (no branches or skip connections)");
        }
        return users.get(0);
    }

    private void requireImage(int i) throws ModelFormatException {
        if (shape.length != 3 || pooledToVector) {
            throw new ModelFormatException(file, where(i), "needs an image (batch, c, h, w) but gets a tensor of "
                    + (pooledToVector ? "(batch, " + shape[0] + ", 1, 1) after GlobalAveragePool" : "shape (batch, " + shape[0] + ")"));
        }
    }

    private void requireVector(int i) throws ModelFormatException {
        if (shape.length != 1 || pooledToVector) {
            throw new ModelFormatException(file, where(i), "needs a (batch, features) input; add a Flatten before it (it gets "
                    + java.util.Arrays.toString(shape) + " per example)");
        }
    }

    private String where(int i) {
        NodeProto n = graph.getNode(i);
        return "graph.node[" + i + "] " + (n.getName().isEmpty() ? "" : "'" + n.getName() + "' ") + "(" + n.getOpType() + ")";
    }

    private ModelFormatException unsupported(int i, String op) {
        return new ModelFormatException(file, where(i), "op type '" + op + "' is not supported; Shears imports " + SUPPORTED);
    }

    private String output(NodeProto n, int i) throws ModelFormatException {
        if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
            throw new ModelFormatException(file, where(i), "has no output");
        }
        return n.getOutput(0);
    }

    private TensorProto constantValue(NodeProto n, int i) throws ModelFormatException {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                return a.getT();
            }
        }
        throw new ModelFormatException(file, where(i), "only a Constant with a 'value' tensor is supported");
    }

    private boolean isConstant(String name) {
        return constants.containsKey(name) || sparse.containsKey(name);
    }

    /** Input {@code index} of node {@code i}, which must be an initializer or a Constant. */
    private TensorProto constant(NodeProto n, int index, int i, String what) throws ModelFormatException {
        if (n.getInputCount() <= index || n.getInput(index).isEmpty()) {
            throw new ModelFormatException(file, where(i), "input " + what + " is missing");
        }
        String name = n.getInput(index);
        TensorProto t = constants.get(name);
        if (t != null) {
            return t;
        }
        SparseTensorProto s = sparse.get(name);
        if (s != null) {
            // Expanded once and kept dense: the rest of the import reads dims and values like any initializer.
            float[] dense = OnnxTensors.sparseToFloats(s, file, "sparse_initializer " + name);
            long[] dims = s.getDimsList().stream().mapToLong(Long::longValue).toArray();
            t = OnnxTensors.floats(name, dense, dims);
            constants.put(name, t);
            return t;
        }
        throw new ModelFormatException(file, where(i), "input " + what + " ('" + name + "') must be an initializer or a Constant; "
                + "Shears imports graphs whose weights are constants");
    }

    private float[] toFloats(TensorProto t, int i) throws ModelFormatException {
        return OnnxTensors.toFloats(t, file, where(i) + " tensor '" + t.getName() + "'");
    }

    /** A constant float input with {@code count} values ({@code -1}: any number). */
    private float[] floats(NodeProto n, int index, int i, String what, int count) throws ModelFormatException {
        float[] v = toFloats(constant(n, index, i, what), i);
        if (count >= 0 && v.length != count) {
            throw new ModelFormatException(file, where(i) + " " + what, "expected " + count + " values, got " + v.length);
        }
        return v;
    }

    private long[] constantLongs(NodeProto n, int index, int i, String what) throws ModelFormatException {
        TensorProto t = constant(n, index, i, what);
        return OnnxTensors.toLongs(t, file, where(i) + " " + what);
    }

    private static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long[] longs(NodeProto n, String name, long[] fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static long longAttr(NodeProto n, String name, long fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getI();
    }

    private static float floatAttr(NodeProto n, String name, float fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getF();
    }

    private static String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    private static boolean isZero(int[] v) {
        return java.util.Arrays.stream(v).allMatch(x -> x == 0);
    }

    private static boolean isZero(long[] v) {
        return java.util.Arrays.stream(v).allMatch(x -> x == 0);
    }

    private static boolean isZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }

    /** ONNX conv weight (oc, c, kh, kw) to Shears/Keras (kh, kw, c, oc). */
    static float[] oihwToHwio(float[] oihw, int oc, int c, int kh, int kw) {
        float[] hwio = new float[oihw.length];
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < c; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        hwio[((y * kw + x) * c + i) * oc + o] = oihw[((o * c + i) * kh + y) * kw + x];
                    }
                }
            }
        }
        return hwio;
    }

    /** Dense kernel rows in ONNX's flatten order (c, h, w) moved to Shears' (h, w, c). */
    static float[] chwRowsToHwc(float[] kernel, int[] chw, int out) {
        int c = chw[0];
        int h = chw[1];
        int w = chw[2];
        float[] moved = new float[kernel.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    System.arraycopy(kernel, ((ch * h + y) * w + x) * out, moved, ((y * w + x) * c + ch) * out, out);
                }
            }
        }
        return moved;
    }
}
