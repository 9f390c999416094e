package dev.shears.data;

import java.util.Arrays;
import java.util.Random;

/**
 * A labelled data set held in memory: examples as one flat row-major array and integer class labels, seen
 * through an index array so that {@link #shuffle}, {@link #take} and {@link #split} return cheap views that
 * share the underlying data. The values are stored as floats, or as unsigned bytes scaled when they are read
 * ({@link #ofUnsignedBytes}: a quarter of the memory, the same floats).
 *
 * <p>Shapes: features {@code (size, featureShape...)}, e.g. {@code (60000, 28, 28, 1)} for images in
 * (height, width, channels) order; labels {@code (size)} with values in {@code [0, numClasses)}.
 *
 * <pre>{@code Dataset train = new Dataset(pixels, new int[] {28, 28, 1}, labels, 10).shuffle(42);}</pre>
 */
public final class Dataset {
    /** Where the values live: the example at position p holds values [p * featureSize, (p + 1) * featureSize). */
    private sealed interface Storage permits FloatValues, ByteValues {
        /** Copies {@code count} values from {@code from} into {@code dst} at {@code offset}. */
        void copy(int from, float[] dst, int offset, int count);

        /** Value {@code i}. */
        float get(int i);

        /** Number of values. */
        int length();

        /** Bytes the values take. */
        long bytes();
    }

    /** Values stored as they are. */
    private record FloatValues(float[] values) implements Storage {
        @Override
        public void copy(int from, float[] dst, int offset, int count) {
            System.arraycopy(values, from, dst, offset, count);
        }

        @Override
        public float get(int i) {
            return values[i];
        }

        @Override
        public int length() {
            return values.length;
        }

        @Override
        public long bytes() {
            return 4L * values.length;
        }
    }

    /** Unsigned bytes, each read as {@code (b & 0xFF) / divisor}: the expression the IDX reader decodes with. */
    private record ByteValues(byte[] values, float divisor) implements Storage {
        @Override
        public void copy(int from, float[] dst, int offset, int count) {
            for (int j = 0; j < count; j++) {
                dst[offset + j] = (values[from + j] & 0xFF) / divisor;
            }
        }

        @Override
        public float get(int i) {
            return (values[i] & 0xFF) / divisor;
        }

        @Override
        public int length() {
            return values.length;
        }

        @Override
        public long bytes() {
            return values.length;
        }
    }

    private final Storage features;
    private final int[] featureShape;
    private final int featureSize;
    private final int[] labels;
    private final int numClasses;
    /** Positions into {@link #features} / {@link #labels}; the view's i-th example is example index[i]. */
    private final int[] index;

    /**
     * Wraps features and labels without copying.
     *
     * @param features     {@code labels.length * prod(featureShape)} values, example after example
     * @param featureShape shape of one example, e.g. {@code {28, 28, 1}}
     * @param labels       class of each example, in {@code [0, numClasses)}
     * @param numClasses   number of classes, at least 1
     * @throws IllegalArgumentException if the lengths disagree or a label is out of range
     */
    public Dataset(float[] features, int[] featureShape, int[] labels, int numClasses) {
        this(new FloatValues(features), featureShape, labels, numClasses);
    }

    /**
     * Wraps unsigned bytes without copying; example values are {@code (b & 0xFF) / divisor}, computed when
     * they are read, bit for bit the floats {@code Idx.readFloats(file, divisor)} would hold (e.g. pixels and
     * 255f), in a quarter of the memory.
     *
     * @throws IllegalArgumentException if the lengths disagree, a label is out of range or the divisor is not
     *                                  positive and finite
     */
    public static Dataset ofUnsignedBytes(byte[] values, float divisor, int[] featureShape, int[] labels, int numClasses) {
        if (!(divisor > 0 && Float.isFinite(divisor))) {
            throw new IllegalArgumentException("divisor must be positive and finite, got " + divisor);
        }
        return new Dataset(new ByteValues(values, divisor), featureShape, labels, numClasses);
    }

    private Dataset(Storage features, int[] featureShape, int[] labels, int numClasses) {
        this(features, featureShape.clone(), labels, numClasses, identity(labels.length));
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        long expected = (long) labels.length * featureSize;
        if (features.length() != expected) {
            throw new IllegalArgumentException("features has " + features.length() + " values, expected "
                    + labels.length + " examples x " + Arrays.toString(featureShape) + " = " + expected);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i]
                        + ", expected a class in [0, " + numClasses + ")");
            }
        }
    }

    private Dataset(Storage features, int[] featureShape, int[] labels, int numClasses, int[] index) {
        this.features = features;
        this.featureShape = featureShape;
        int size = 1;
        for (int d : featureShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("feature shape must be positive, got " + Arrays.toString(featureShape));
            }
            size = Math.multiplyExact(size, d);
        }
        this.featureSize = size;
        this.labels = labels;
        this.numClasses = numClasses;
        this.index = index;
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Number of examples in this view. */
    public int size() {
        return index.length;
    }

    /** Shape of one example, e.g. {@code {28, 28, 1}}; a copy. */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** Number of values in one example. */
    public int featureSize() {
        return featureSize;
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Class label of the i-th example of this view. */
    public int label(int i) {
        return labels[index[checkIndex(i)]];
    }

    /** Copies the i-th example's values into {@code dst} at {@code offset}. */
    public void copyFeatures(int i, float[] dst, int offset) {
        features.copy(index[checkIndex(i)] * featureSize, dst, offset, featureSize);
    }

    /** All labels of this view, in view order; a new array. */
    public int[] labels() {
        int[] out = new int[index.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[index[i]];
        }
        return out;
    }

    /** All features of this view, in view order; a new array of {@code size() * featureSize()} values. */
    public float[] features() {
        float[] out = new float[index.length * featureSize];
        gather(0, index.length, out, null);
        return out;
    }

    /** Bytes the stored values take (all examples, not only this view's): 4 per value, or 1 as bytes. */
    public long storedBytes() {
        return features.bytes();
    }

    /** Labels as one-hot rows: {@code (size, numClasses)}, 1 at the label's column. */
    public float[] oneHotLabels() {
        float[] out = new float[index.length * numClasses];
        for (int i = 0; i < index.length; i++) {
            out[i * numClasses + labels[index[i]]] = 1f;
        }
        return out;
    }

    /**
     * Copies examples {@code [start, start + count)} of this view into caller-owned buffers, so that a
     * training loop reuses one batch buffer instead of allocating per batch.
     *
     * @param xBuf receives {@code count * featureSize()} values
     * @param yBuf receives {@code count} labels, or null to skip labels
     */
    public void gather(int start, int count, float[] xBuf, int[] yBuf) {
        if (start < 0 || count < 0 || start + count > index.length) {
            throw new IndexOutOfBoundsException("batch [" + start + ", " + (start + count) + ") outside dataset of size " + index.length);
        }
        for (int i = 0; i < count; i++) {
            int src = index[start + i];
            features.copy(src * featureSize, xBuf, i * featureSize, featureSize);
            if (yBuf != null) {
                yBuf[i] = labels[src];
            }
        }
    }

    /** The first {@code n} examples (all of them if {@code n >= size()}); shares data. */
    public Dataset take(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("take(n) needs n >= 0, got " + n);
        }
        return slice(0, Math.min(n, index.length));
    }

    /** Examples {@code [from, to)} of this view; shares data. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to < from || to > index.length) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") outside dataset of size " + index.length);
        }
        return new Dataset(features, featureShape, labels, numClasses, Arrays.copyOfRange(index, from, to));
    }

    /**
     * Splits into the first {@code fraction} of the examples and the rest (Keras's validation_split takes
     * the last part), without shuffling.
     *
     * @param fraction in (0, 1)
     * @return two views: {@code [0]} the first part, {@code [1]} the rest
     */
    public Dataset[] split(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
        }
        int cut = (int) Math.round(index.length * fraction);
        return new Dataset[] {slice(0, cut), slice(cut, index.length)};
    }

    /** A view with the examples in a random order drawn from {@code seed} (Fisher-Yates); shares data. */
    public Dataset shuffle(long seed) {
        return shuffle(new Random(seed));
    }

    /** A view with the examples in a random order drawn from {@code rng}; shares data. */
    public Dataset shuffle(Random rng) {
        return new Dataset(features, featureShape, labels, numClasses, fisherYates(index.clone(), rng));
    }

    /**
     * The order {@link #shuffle(long)} gives a view of {@code n} examples: example {@code i} of the shuffled
     * view is example {@code permutation(n, seed)[i]} of the view it was drawn from. The trainer names the
     * examples of a failed batch with it.
     */
    public static int[] permutation(int n, long seed) {
        return fisherYates(identity(n), new Random(seed));
    }

    /** Shuffles {@code idx} in place; one draw per position, from the end, so equal seeds give equal orders. */
    private static int[] fisherYates(int[] idx, Random rng) {
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /**
     * Checks that every feature value of this view is finite, so that a NaN in the inputs is reported as
     * such rather than as a diverged loss many steps later.
     *
     * @throws NonFiniteValueException naming the first example (in view order) holding NaN or an infinity
     *                                 and the value's position in it
     */
    public void checkFinite() {
        for (int i = 0; i < index.length; i++) {
            int base = index[i] * featureSize;
            for (int j = 0; j < featureSize; j++) {
                float v = features.get(base + j);
                if (!Float.isFinite(v)) {
                    throw new NonFiniteValueException(i, j, featureShape, v);
                }
            }
        }
    }

    /**
     * Smallest and largest feature value of a view, and how many values lie outside an expected interval.
     *
     * @param min     the smallest value (NaN for an empty view)
     * @param max     the largest value (NaN for an empty view)
     * @param outside values below lo or above hi (NaN counts as neither)
     * @param count   all values of the view
     */
    public record ValueRange(float min, float max, long outside, long count) {
    }

    /** The range of this view's feature values, counting those outside {@code [lo, hi]}. */
    public ValueRange valueRange(float lo, float hi) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long outside = 0;
        for (int src : index) {
            int base = src * featureSize;
            for (int j = 0; j < featureSize; j++) {
                float v = features.get(base + j);
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v < lo || v > hi) {
                    outside++;
                }
            }
        }
        return index.length == 0 ? new ValueRange(Float.NaN, Float.NaN, 0, 0)
                : new ValueRange(min, max, outside, (long) index.length * featureSize);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= index.length) {
            throw new IndexOutOfBoundsException("example " + i + " outside dataset of size " + index.length);
        }
        return i;
    }
}
