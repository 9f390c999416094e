package dev.shears.interop;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs an ONNX file in ONNX Runtime (Java), the independent reference for exported models. */
final class OrtRunner {
    private OrtRunner() {
    }

    /** Runs {@code file} on {@code x} with the given input dims (batch first); returns the flat output. */
    static float[] run(Path file, float[] x, long... dims) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                FloatBuffer buf = out.getFloatBuffer();
                float[] y = new float[buf.remaining()];
                buf.get(y);
                return y;
            }
        }
    }
}
