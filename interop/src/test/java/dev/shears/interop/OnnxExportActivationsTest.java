package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.interop.Onnx.ExportOptions;
import dev.shears.interop.Onnx.InputLayout;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Layer;
import dev.shears.nn.Reshape;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every activation and the pooling, Reshape and Activation layers export to ONNX nodes that ONNX Runtime
 * runs to Shears' outputs, and import back to the same model.
 */
class OnnxExportActivationsTest {
    @TempDir
    Path dir;

    /** ONNX Runtime's erf and exp differ from Shears' by a few float ulps; the probabilities by less than this. */
    private static final double TOLERANCE = 1e-5;

    private void assertRoundTrip(Sequential model) throws Exception {
        Path file = dir.resolve("m.onnx");
        float[] x = TestData.testImages();
        for (InputLayout layout : InputLayout.values()) {
            Onnx.export(model, file, ExportOptions.defaults().withInputLayout(layout));
            long[] dims = layout == InputLayout.NHWC ? new long[] {TestData.IMAGES, 28, 28, 1} : new long[] {TestData.IMAGES, 1, 28, 28};
            float[] want = model.predict(x, TestData.IMAGES, 50);
            double diff = TestData.maxDiff(want, OrtRunner.run(file, x, dims));
            assertTrue(diff <= TOLERANCE, layout + ": ONNX Runtime differs from Shears by " + diff);
            Sequential back = Onnx.load(file);
            assertArrayEquals(want, back.predict(x, TestData.IMAGES, 50), 0f);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationOnAConvADenseAndAsALayer(Activation a) throws Exception {
        Sequential model = Sequential.builder(28, 28, 1).seed(5)
                .add(Conv2D.builder(4, 3).strides(2).padding(Padding.SAME).activation(a).build())
                .add(new ActivationLayer(a == Activation.SOFTMAX ? Activation.TANH : a))
                .add(new Flatten()).add(new Dense(12, a)).add(new Dense(10, Activation.LINEAR)).add(new ActivationLayer(a))
                .build();
        assertRoundTrip(model);
    }

    @Test
    void batchNormalizationAndDepthwiseConvolutions() throws Exception {
        Sequential model = Sequential.builder(28, 28, 1).seed(13)
                .add(new Conv2D(6, 3, Activation.LINEAR)).add(new BatchNormalization()).add(new ActivationLayer(Activation.RELU))
                .add(DepthwiseConv2D.builder(3).strides(2).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU6).build())
                .add(new BatchNormalization(0.9, 1e-3, false, true))
                .add(DepthwiseConv2D.builder(3).useBias(false).build())
                .add(new GlobalAveragePooling2D()).add(new BatchNormalization()).add(new Dense(10, Activation.SOFTMAX)).build();
        // Trained a little, so the moving statistics are not the initial zeros and ones.
        OnnxExportTest.trained(model);
        assertRoundTrip(model);
    }

    @Test
    void poolingAndReshapeLayers() throws Exception {
        Layer[] layers = {new Conv2D(3, 3, Activation.RELU), new AveragePooling2D(3, 3, 2, 2, Padding.SAME),
            new AveragePooling2D(2, 2, 1, 1, Padding.VALID), new Reshape(12, 12, -1), new Conv2D(5, 3, Activation.RELU),
            new GlobalMaxPooling2D(), new Dense(10, Activation.SOFTMAX)};
        Sequential.Builder b = Sequential.builder(28, 28, 1).seed(9);
        for (Layer l : layers) {
            b.add(l);
        }
        Path file = dir.resolve("p.onnx");
        Sequential model = b.build();
        Onnx.export(model, file);
        float[] x = TestData.testImages();
        double diff = TestData.maxDiff(model.predict(x, TestData.IMAGES, 50), OrtRunner.run(file, x, TestData.IMAGES, 28, 28, 1));
        assertTrue(diff <= TOLERANCE, "ONNX Runtime differs from Shears by " + diff);
    }
}
