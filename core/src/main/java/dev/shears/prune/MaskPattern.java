package dev.shears.prune;

import dev.shears.nn.ConfigFields;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of the sparsity a mask may have: any weights ({@link Unstructured}), whole 1 x size blocks
 * along the input dimension ({@link Block}) or N of every M consecutive inputs ({@link NOfM}). See
 * {@link Masks} for the matrix view (rows = input dimension, columns = last dimension).
 *
 * <pre>{@code PruningConfig.of(schedule).withPattern(new MaskPattern.NOfM(2, 4))}</pre>
 */
public sealed interface MaskPattern {
    /**
     * Computes {@code mask} for weights {@code w} whose last dimension is {@code cols}, at sparsity {@code s}.
     *
     * @return the threshold (smallest kept magnitude or block score)
     */
    float compute(boolean[] mask, float[] w, int cols, double s);

    /** JSON-friendly description, read back by {@link #fromConfig}. */
    Map<String, Object> toConfig();

    /** Per-weight magnitude pruning (tfmot's default). */
    record Unstructured() implements MaskPattern {
        @Override
        public float compute(boolean[] mask, float[] w, int cols, double s) {
            return Masks.topK(mask, w, Masks.keepCount(w.length, s));
        }

        @Override
        public Map<String, Object> toConfig() {
            return map("unstructured");
        }
    }

    /**
     * 1 x {@code size} blocks along the input dimension, scored by mean |w| or, with {@code useMax}, max |w|.
     *
     * @param size   block length, >= 1
     * @param useMax score blocks by max instead of mean magnitude
     */
    record Block(int size, boolean useMax) implements MaskPattern {
        /** @throws IllegalArgumentException if {@code size < 1} */
        public Block {
            if (size < 1) {
                throw new IllegalArgumentException("block size must be >= 1, got " + size);
            }
        }

        @Override
        public float compute(boolean[] mask, float[] w, int cols, double s) {
            return Masks.blocks(mask, w, cols, size, useMax, s);
        }

        @Override
        public Map<String, Object> toConfig() {
            Map<String, Object> m = map("block");
            m.put("size", size);
            m.put("pooling", useMax ? "max" : "avg");
            return m;
        }
    }

    /**
     * N:M sparsity along the input dimension (2:4 is what sparse tensor cores and the Shears inference
     * kernels exploit). The sparsity is fixed at 1 - n/m; the schedule only says when masks are computed.
     *
     * @param n kept per group, {@code 1 <= n < m}
     * @param m group length
     */
    record NOfM(int n, int m) implements MaskPattern {
        /** @throws IllegalArgumentException unless {@code 1 <= n < m} */
        public NOfM {
            if (n < 1 || n >= m) {
                throw new IllegalArgumentException("N:M sparsity needs 1 <= n < m, got " + n + ":" + m);
            }
        }

        @Override
        public float compute(boolean[] mask, float[] w, int cols, double s) {
            return Masks.nOfM(mask, w, cols, n, m);
        }

        @Override
        public Map<String, Object> toConfig() {
            Map<String, Object> c = map("n_of_m");
            c.put("n", n);
            c.put("m", m);
            return c;
        }
    }

    /**
     * Reads a {@link #toConfig} map.
     *
     * @throws IllegalArgumentException for an unknown kind or bad field
     */
    static MaskPattern fromConfig(Map<?, ?> m) {
        String where = "pruning.pattern";
        String kind = ConfigFields.stringField(m, "kind", where);
        return switch (kind) {
            case "unstructured" -> new Unstructured();
            case "block" -> new Block(ConfigFields.intField(m, "size", 1, Integer.MAX_VALUE, where),
                    ConfigFields.named(m, "pooling", p -> switch (p) {
                        case "max" -> true;
                        case "avg" -> false;
                        default -> throw new IllegalArgumentException("unknown block pooling '" + p + "', expected max or avg");
                    }, where));
            case "n_of_m" -> new NOfM(ConfigFields.intField(m, "n", 1, Integer.MAX_VALUE, where),
                    ConfigFields.intField(m, "m", 1, Integer.MAX_VALUE, where));
            default -> throw new IllegalArgumentException("field " + where + ".kind: unknown mask pattern '" + kind + "'");
        };
    }

    private static Map<String, Object> map(String kind) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        return m;
    }
}
