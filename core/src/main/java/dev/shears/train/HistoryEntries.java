package dev.shears.train;

import dev.shears.io.Json;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link History} as checkpoint entries: each metric one F64 tensor {@code __history__/<key>} (doubles,
 * so that every value, NaN included, comes back bit for bit) and metadata {@code history} =
 * {@code {"metrics": [keys in order], "records": {kind: [record, ...]}}}.
 */
final class HistoryEntries {
    static final String TENSOR_PREFIX = "__history__/";
    static final String METADATA_KEY = "history";

    private HistoryEntries() {
    }

    /** Adds {@code history}, followed by one more epoch's logs unless null, to a checkpoint's maps. */
    static void addTo(History history, Map<String, Double> pendingLogs, Map<String, Safetensors.Entry> tensors,
                      Map<String, String> metadata) {
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        history.metrics().forEach((k, v) -> metrics.put(k, new ArrayList<>(v)));
        if (pendingLogs != null) {
            // as History.addEpoch will append them once every callback has seen them
            pendingLogs.forEach((k, v) -> metrics.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        for (Map.Entry<String, List<Double>> e : metrics.entrySet()) {
            ByteBuffer b = ByteBuffer.allocate(e.getValue().size() * 8).order(ByteOrder.LITTLE_ENDIAN);
            e.getValue().forEach(b::putDouble);
            tensors.put(TENSOR_PREFIX + e.getKey(), new Safetensors.Entry(Safetensors.DType.F64,
                    new int[] {e.getValue().size()}, b.array()));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("metrics", new ArrayList<>(metrics.keySet()));
        meta.put("records", history.allRecords());
        metadata.put(METADATA_KEY, Json.write(meta));
    }

    /** Refills the empty {@code target} from a checkpoint's contents. */
    static void restore(History target, Path file, Safetensors.Contents c) throws ModelFormatException {
        String field = "__metadata__." + METADATA_KEY;
        Map<?, ?> meta;
        try {
            meta = Json.parse(c.metadata().getOrDefault(METADATA_KEY, "null")) instanceof Map<?, ?> m ? m : null;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, field, e.getMessage(), e);
        }
        if (meta == null || !(meta.get("metrics") instanceof List<?> keys) || !(meta.get("records") instanceof Map<?, ?> recs)) {
            throw new ModelFormatException(file, field, "expected an object with a 'metrics' list and a 'records' object");
        }
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        for (Object k : keys) {
            Safetensors.Entry e = c.tensors().get(TENSOR_PREFIX + k);
            if (e == null || e.dtype() != Safetensors.DType.F64 || e.shape().length != 1) {
                throw new ModelFormatException(file, TENSOR_PREFIX + k, "expected a one-dimensional F64 tensor, got "
                        + (e == null ? "none" : e.dtype() + " of " + e.shape().length + " dimensions"));
            }
            ByteBuffer b = ByteBuffer.wrap(e.raw()).order(ByteOrder.LITTLE_ENDIAN);
            List<Double> values = new ArrayList<>();
            while (b.remaining() >= 8) {
                values.add(b.getDouble());
            }
            metrics.put(String.valueOf(k), values);
        }
        Map<String, List<Map<String, Object>>> records = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : recs.entrySet()) {
            if (!(e.getValue() instanceof List<?> list)) {
                throw new ModelFormatException(file, field + ".records." + e.getKey(), "expected a list of objects");
            }
            List<Map<String, Object>> rs = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> r)) {
                    throw new ModelFormatException(file, field + ".records." + e.getKey(), "expected a list of objects");
                }
                Map<String, Object> copy = new LinkedHashMap<>();
                r.forEach((k, v) -> copy.put(String.valueOf(k), v));
                rs.add(copy);
            }
            records.put(String.valueOf(e.getKey()), rs);
        }
        target.restore(metrics, records);
    }
}
