package dev.shears.prune;

import java.util.Arrays;

/**
 * Mask kernels over flat arrays: which weights survive. A mask entry is {@code true} where the weight is
 * kept. Every kernel is deterministic: among equal magnitudes (or block scores) the <b>lower index is
 * kept</b>, so exactly the requested count survives even when many weights tie (tfmot keeps every weight
 * {@code >=} the threshold and may keep more).
 *
 * <p>Weights are viewed as a matrix (rows, cols) with {@code cols} the last dimension: a Dense kernel
 * (in, out) or a Conv2D kernel (kh, kw, c, oc) flattened to (kh*kw*c, oc). Rows are the input
 * dimension; blocks and N:M groups run along it, for a fixed output column.
 *
 * <pre>{@code float t = Masks.topK(mask, w, Masks.keepCount(w.length, 0.8));}</pre>
 */
public final class Masks {
    private Masks() {
    }

    /**
     * Number of entries kept at sparsity {@code s}: {@code max(rint(n * (1 - s)), 1)}, where rint rounds
     * half to even, as {@code tf.round} does in tfmot; at least one entry always survives.
     *
     * @throws IllegalArgumentException if {@code n < 1} or s is outside [0, 1)
     */
    public static int keepCount(long n, double s) {
        if (n < 1) {
            throw new IllegalArgumentException("cannot prune an empty tensor (n = " + n + ")");
        }
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + s);
        }
        return (int) Math.max(Math.rint(n * (1.0 - s)), 1);
    }

    /**
     * Keeps the {@code k} largest {@code |w|}; ties go to the lower index.
     *
     * @return the threshold: the smallest kept magnitude
     */
    public static float topK(boolean[] mask, float[] w, int k) {
        checkLength(mask.length, w.length);
        float[] scores = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            scores[i] = Math.abs(w[i]);
        }
        return keepLargest(mask, scores, k);
    }

    /**
     * One threshold across tensors (PyTorch's {@code global_unstructured}): keeps the
     * {@code keepCount(sum n, s)} largest {@code |w|} over all of {@code ws}, ties going to the lower
     * position in the concatenation {@code ws[0], ws[1], ...}.
     *
     * @return the global threshold: the smallest kept magnitude
     */
    public static float globalTopK(boolean[][] masks, float[][] ws, double s) {
        long total = 0;
        for (int t = 0; t < ws.length; t++) {
            checkLength(masks[t].length, ws[t].length);
            total += ws[t].length;
        }
        float[] scores = new float[Math.toIntExact(total)];
        int off = 0;
        for (float[] w : ws) {
            for (int i = 0; i < w.length; i++) {
                scores[off + i] = Math.abs(w[i]);
            }
            off += w.length;
        }
        boolean[] all = new boolean[scores.length];
        float threshold = keepLargest(all, scores, keepCount(total, s));
        off = 0;
        for (boolean[] m : masks) {
            System.arraycopy(all, off, m, 0, m.length);
            off += m.length;
        }
        return threshold;
    }

    /**
     * Block sparsity: blocks of {@code block} consecutive rows in one column (1 x block along the input
     * dimension; the last block of a column may be shorter) are kept or pruned whole, by score = mean
     * (or max) of |w| over the block. Keeps {@code keepCount(number of blocks, s)} blocks.
     *
     * @return the threshold: the smallest kept block score
     */
    public static float blocks(boolean[] mask, float[] w, int cols, int block, boolean useMax, double s) {
        checkLength(mask.length, w.length);
        int rows = rowsOf(w.length, cols);
        int blockRows = (rows + block - 1) / block;
        float[] scores = new float[blockRows * cols];
        for (int br = 0; br < blockRows; br++) {
            int r0 = br * block;
            int r1 = Math.min(rows, r0 + block);
            for (int c = 0; c < cols; c++) {
                float acc = 0;
                for (int r = r0; r < r1; r++) {
                    float a = Math.abs(w[r * cols + c]);
                    acc = useMax ? Math.max(acc, a) : acc + a;
                }
                scores[br * cols + c] = useMax ? acc : acc / (r1 - r0);
            }
        }
        boolean[] keepBlock = new boolean[scores.length];
        float threshold = keepLargest(keepBlock, scores, keepCount(scores.length, s));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                mask[r * cols + c] = keepBlock[(r / block) * cols + c];
            }
        }
        return threshold;
    }

    /**
     * N:M sparsity (e.g. 2:4): in each group of {@code m} consecutive rows of one column, keeps the
     * {@code n} largest |w| (ties to the lower row). A last, shorter group keeps {@code min(n, size)}.
     *
     * @return the smallest kept magnitude
     */
    public static float nOfM(boolean[] mask, float[] w, int cols, int n, int m) {
        checkLength(mask.length, w.length);
        int rows = rowsOf(w.length, cols);
        Arrays.fill(mask, false);
        float threshold = Float.POSITIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            for (int g = 0; g < rows; g += m) {
                int end = Math.min(rows, g + m);
                for (int kept = 0; kept < n && kept < end - g; kept++) {
                    int best = -1;
                    for (int r = g; r < end; r++) {
                        int i = r * cols + c;
                        if (!mask[i] && (best < 0 || Math.abs(w[i]) > Math.abs(w[best]))) {
                            best = i;
                        }
                    }
                    mask[best] = true;
                    threshold = Math.min(threshold, Math.abs(w[best]));
                }
            }
        }
        return threshold;
    }

    /** Zeroes {@code w[i]} wherever {@code mask[i]} is false. */
    public static void apply(float[] w, boolean[] mask) {
        checkLength(mask.length, w.length);
        for (int i = 0; i < w.length; i++) {
            if (!mask[i]) {
                w[i] = 0f;
            }
        }
    }

    /** Number of kept entries. */
    public static int count(boolean[] mask) {
        int k = 0;
        for (boolean b : mask) {
            if (b) {
                k++;
            }
        }
        return k;
    }

    /**
     * Sets {@code mask} to the {@code k} largest non-negative scores, ties to the lower index, by sorting
     * keys that pack (descending score, ascending index) into one long.
     */
    static float keepLargest(boolean[] mask, float[] scores, int k) {
        if (k < 1 || k > scores.length) {
            throw new IllegalArgumentException("keep count must be in [1, " + scores.length + "], got " + k);
        }
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            // |x| bit patterns order like the values; MAX - bits puts the largest first
            long rank = Integer.MAX_VALUE - Float.floatToIntBits(Math.abs(scores[i]));
            keys[i] = rank << 32 | i;
        }
        Arrays.sort(keys);
        Arrays.fill(mask, false);
        for (int j = 0; j < k; j++) {
            mask[(int) keys[j]] = true;
        }
        return Math.abs(scores[(int) keys[k - 1]]);
    }

    private static int rowsOf(int size, int cols) {
        if (cols <= 0 || size % cols != 0) {
            throw new IllegalArgumentException("cannot view " + size + " weights as rows of " + cols + " columns");
        }
        return size / cols;
    }

    private static void checkLength(int mask, int w) {
        if (mask != w) {
            throw new IllegalArgumentException("mask has " + mask + " entries but the weights have " + w);
        }
    }
}
