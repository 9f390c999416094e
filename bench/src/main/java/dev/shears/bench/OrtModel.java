package dev.shears.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX file run by ONNX Runtime for Java, the reference Shears' runtime is measured against in one JVM
 * ({@code ModelBench}'s {@code ort} variants, the study's ONNX Runtime rows). ONNX Runtime is a dependency
 * of the benchmarks jar and of {@code mvn exec:java} only, not of {@code shears.jar} (54 MB of native
 * libraries). A caller that may run without it checks for ONNX Runtime by class name before it loads this
 * class (whose verification needs ONNX Runtime's), as the study does.
 *
 * <pre>{@code try (OrtModel ort = new OrtModel(Path.of("model.onnx"), 1)) { float[] y = ort.predict(x, n); }}</pre>
 */
public final class OrtModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final long[] exampleShape;

    /**
     * Loads {@code file} with {@code threads} intra-op threads (one inter-op thread, sequential execution),
     * for inputs of {@code exampleShape} per example. No ONNX Runtime type appears in this class's
     * signatures, so its callers name none.
     *
     * @throws IOException if ONNX Runtime cannot load the file
     */
    public OrtModel(Path file, int threads, int... exampleShape) throws IOException {
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new IOException(file + ": ONNX Runtime could not load it: " + e.getMessage(), e);
        }
        this.input = session.getInputNames().iterator().next();
        this.exampleShape = new long[exampleShape.length + 1];
        for (int i = 0; i < exampleShape.length; i++) {
            this.exampleShape[i + 1] = exampleShape[i];
        }
    }

    /** The outputs of {@code n} examples {@code x} (flattened), flattened. */
    public float[] predict(float[] x, int n) {
        long[] shape = exampleShape.clone();
        shape[0] = n;
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of(input, in))) {
            FloatBuffer buf = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] y = new float[buf.remaining()];
            buf.get(y);
            return y;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
        }
    }
}
