package dev.shears.bench.study;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures measured for one model (baseline or pruned). Field names match the keys written to
 * {@code results.json}.
 *
 * @param testAccuracy          test accuracy in the training engine, 0..1
 * @param testLoss              test loss in the training engine
 * @param runtimeTestAccuracy   test accuracy in the inference runtime (automatic kernels)
 * @param runtimeMaxAbsDiff     largest |runtime output - engine output| over the test set
 * @param sparsity              fraction of zeros over all prunable kernels
 * @param secondsPerEpoch       mean training seconds per epoch
 * @param fileBytes             saved safetensors model
 * @param gzipBytes             that file gzipped
 * @param compactBytes          compact runtime file
 * @param compactGzipBytes      compact file gzipped
 * @param batch1LatencyUs       runtime, batch 1, automatic kernel choice, microseconds per image
 * @param batch1LatencyUsDense  runtime, batch 1, dense kernels forced
 * @param batch64ImagesPerS     runtime, batch 64, automatic kernels, images per second
 * @param batch64ImagesPerSDense runtime, batch 64, dense kernels forced
 * @param kernels               per-layer kernel choice of the runtime
 * @param batch1LatencyUsOrt    ONNX Runtime on the model exported to ONNX, batch 1, microseconds per image
 *                              (NaN when ONNX Runtime is not on the class path)
 * @param batch64ImagesPerSOrt  ONNX Runtime, batch 64, images per second (NaN likewise)
 */
public record ModelResult(double testAccuracy, double testLoss, double runtimeTestAccuracy, double runtimeMaxAbsDiff,
                          double sparsity, double secondsPerEpoch, long fileBytes, long gzipBytes, long compactBytes,
                          long compactGzipBytes, double batch1LatencyUs, double batch1LatencyUsDense,
                          double batch64ImagesPerS, double batch64ImagesPerSDense, String kernels,
                          double batch1LatencyUsOrt, double batch64ImagesPerSOrt) {
    /** The documented results.json keys. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test_accuracy", testAccuracy);
        m.put("test_loss", testLoss);
        m.put("runtime_test_accuracy", runtimeTestAccuracy);
        m.put("runtime_max_abs_diff", runtimeMaxAbsDiff);
        m.put("sparsity", sparsity);
        m.put("seconds_per_epoch", secondsPerEpoch);
        m.put("file_bytes", fileBytes);
        m.put("gzip_bytes", gzipBytes);
        m.put("compact_bytes", compactBytes);
        m.put("compact_gzip_bytes", compactGzipBytes);
        m.put("batch1_latency_us", batch1LatencyUs);
        m.put("batch1_latency_us_dense", batch1LatencyUsDense);
        m.put("batch64_images_per_s", batch64ImagesPerS);
        m.put("batch64_images_per_s_dense", batch64ImagesPerSDense);
        m.put("kernels", kernels);
        // JSON has no NaN: null means not measured
        m.put("batch1_latency_us_ort", Double.isNaN(batch1LatencyUsOrt) ? null : batch1LatencyUsOrt);
        m.put("batch64_images_per_s_ort", Double.isNaN(batch64ImagesPerSOrt) ? null : batch64ImagesPerSOrt);
        return m;
    }
}
