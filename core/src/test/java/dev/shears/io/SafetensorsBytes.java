package dev.shears.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Safetensors bytes written by hand, as another writer would (no {@code shears_crc32c}), for tests that
 * need files without going through {@link Safetensors#write} (and its fsync).
 */
final class SafetensorsBytes {
    private SafetensorsBytes() {
    }

    /** Header (tensors in map order, metadata if not empty) padded with spaces to 8 bytes, then the data. */
    static byte[] of(Map<String, Safetensors.Entry> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Map.Entry<String, Safetensors.Entry> e : tensors.entrySet()) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", e.getValue().dtype().name());
            info.put("shape", e.getValue().shape());
            info.put("data_offsets", new long[] {offset, offset + e.getValue().raw().length});
            header.put(e.getKey(), info);
            offset += e.getValue().raw().length;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        for (Safetensors.Entry t : tensors.values()) {
            b.put(t.raw());
        }
        return b.array();
    }
}
