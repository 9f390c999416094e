package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.interop.onnx.OnnxProto.AttributeProto;
import dev.shears.interop.onnx.OnnxProto.GraphProto;
import dev.shears.interop.onnx.OnnxProto.ModelProto;
import dev.shears.interop.onnx.OnnxProto.NodeProto;
import dev.shears.interop.onnx.OnnxProto.OperatorSetIdProto;
import dev.shears.interop.onnx.OnnxProto.TensorProto;
import dev.shears.interop.onnx.OnnxProto.TensorShapeProto;
import dev.shears.interop.onnx.OnnxProto.TypeProto;
import dev.shears.interop.onnx.OnnxProto.ValueInfoProto;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Sequential;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graph forms that PyTorch's exporter did not produce for the fixtures (auto_pad, MatMul + Add, Reshape,
 * Constant nodes, Gemm without transB and with alpha/beta, sparse initializers, Pad nodes), built here
 * with the generated protobuf classes and run in ONNX Runtime as the reference.
 */
class OnnxGraphsTest {
    private static final int N = 7;

    @TempDir
    Path dir;

    private final Random rng = new Random(11);
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("g");
    private int names;

    private float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian() * 0.3f;
        }
        return v;
    }

    private String weight(long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        String name = "w" + names++;
        graph.addInitializer(OnnxTensors.floats(name, random((int) n), dims));
        return name;
    }

    private String node(String op, String input, String[] more, AttributeProto... attrs) {
        String out = "v" + names++;
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(op + names).addInput(input).addOutput(out);
        for (String m : more) {
            b.addInput(m);
        }
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        graph.addNode(b);
        return out;
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    private static AttributeProto scalar(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("n"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** Finishes the graph with {@code last} as output (n, outputs) and checks Shears against ONNX Runtime on NCHW input (c, h, w). */
    private void assertMatchesOnnxRuntime(String last, int outputs, int c, int h, int w) throws Exception {
        graph.addInput(value("x", c, h, w));
        graph.getNodeBuilder(graph.getNodeCount() - 1).setOutput(0, "y");
        graph.addOutput(value("y", outputs));
        Path file = dir.resolve("g" + names + ".onnx");
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        float[] nchw = random(N * c * h * w);
        float[] nhwc = new float[nchw.length];
        for (int n = 0; n < N; n++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h * w; y++) {
                    nhwc[(n * h * w + y) * c + ch] = nchw[(n * c + ch) * h * w + y];
                }
            }
        }
        float[] want = OrtRunner.run(file, nchw, N, c, h, w);
        Sequential imported = Onnx.load(file);
        double diff = TestData.maxDiff(want, imported.predict(nhwc, N, N));
        assertTrue(diff <= 1e-5, "Shears differs from ONNX Runtime by " + diff);
    }

    @Test
    void autoPadMatMulAddAndReshapeFromAConstant() throws Exception {
        String v = node("Conv", "x", new String[] {weight(6, 3, 3, 3), weight(6)}, str("auto_pad", "SAME_UPPER"), ints("strides", 2, 2));
        v = node("Relu", v, new String[0]);
        v = node("Conv", v, new String[] {weight(4, 6, 2, 2)}, str("auto_pad", "SAME_LOWER"));
        graph.addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("shape").addAttribute(AttributeProto.newBuilder()
                .setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder()
                        .setDataType(TensorProto.DataType.INT64_VALUE).addDims(2).addInt64Data(0).addInt64Data(-1))));
        v = node("Reshape", v, new String[] {"shape"});
        v = node("MatMul", v, new String[] {weight(4 * 5 * 4, 8)});
        v = node("Add", v, new String[] {weight(8)});
        v = node("Softmax", v, new String[0]);
        assertMatchesOnnxRuntime(v, 8, 3, 9, 7);
    }

    @Test
    void gemmWithoutTransposeAndWithAlphaBetaAfterPadAndPool() throws Exception {
        String pads = "pads";
        graph.addInitializer(OnnxTensors.longs(pads, 0, 0, 1, 2, 0, 0, 0, 1));
        String v = node("Pad", "x", new String[] {pads});
        v = node("Conv", v, new String[] {weight(5, 2, 3, 3), weight(5)}, ints("pads", 1, 0, 0, 1));
        v = node("MaxPool", v, new String[0], ints("kernel_shape", 2, 2), ints("strides", 2, 1));
        v = node("Relu", v, new String[0]);
        v = node("Flatten", v, new String[0]);
        v = node("Gemm", v, new String[] {weight(5 * 3 * 9, 6), weight(6)}, scalar("alpha", 0.5f), scalar("beta", 2f));
        assertMatchesOnnxRuntime(v, 6, 2, 7, 8);
    }

    @Test
    void sparseInitializerWithCoordinates() throws Exception {
        float[] dense = random(10 * 3 * 4 * 4);
        for (int i = 0; i < dense.length; i += 3) {
            dense[i] = 0;
        }
        // Coordinates (nnz, 2) rather than linear indices: the other form ONNX allows.
        float[] kernel = random(3 * 4 * 4 * 10);
        String w = "sparse_w";
        var sp = OnnxTensors.sparse(w, kernel, 10, 48);
        var coords = TensorProto.newBuilder().setName(w + "_i").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(sp.getValues().getDims(0)).addDims(2);
        long[] linear = OnnxTensors.toLongs(sp.getIndices(), dir, "i");
        for (long l : linear) {
            coords.addInt64Data(l / 48).addInt64Data(l % 48);
        }
        graph.addSparseInitializer(sp.toBuilder().setIndices(coords));
        String v = node("Flatten", "x", new String[0]);
        v = node("Gemm", v, new String[] {w}, AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT)
                .setI(1).build());
        assertMatchesOnnxRuntime(v, 10, 3, 4, 4);
    }

    @Test
    void branchesAndMissingWeightsAreRefusedByName() throws Exception {
        String v = node("Conv", "x", new String[] {weight(2, 1, 3, 3)});
        node("Relu", v, new String[0]);
        node("Sigmoid", v, new String[0]);
        graph.addInput(value("x", 1, 5, 5));
        graph.addOutput(value(graph.getNode(1).getOutput(0), 2, 3, 3));
        Path file = dir.resolve("branch.onnx");
        Files.write(file, ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("feeds 2 nodes") && e.getMessage().contains("no branches"), e.getMessage());

        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 4)).addOutput(value("y", 2))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("y"));
        Path missing = dir.resolve("missing.onnx");
        Files.write(missing, ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
        e = assertThrows(ModelFormatException.class, () -> Onnx.load(missing));
        assertTrue(e.getMessage().contains("(MatMul)") && e.getMessage().contains("'w'"), e.getMessage());
    }
}
