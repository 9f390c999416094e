package dev.shears.interop;

import com.google.protobuf.ByteString;
import dev.shears.interop.onnx.OnnxProto.SparseTensorProto;
import dev.shears.interop.onnx.OnnxProto.TensorProto;
import dev.shears.io.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Conversions between ONNX {@code TensorProto}s and flat Java arrays, with every count checked against
 * the data actually present before anything is allocated.
 */
final class OnnxTensors {
    /** Largest initializer accepted, in elements (a Shears tensor is one Java array). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private OnnxTensors() {
    }

    /** A float32 initializer stored as {@code raw_data} (little-endian), named {@code name}. */
    static TensorProto floats(String name, float[] data, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(boxed(dims)).setRawData(ByteString.copyFrom(buf.array())).build();
    }

    /** An int64 initializer (e.g. a Pad's pads). */
    static TensorProto longs(String name, long... data) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(data.length).addAllInt64Data(boxed(data)).build();
    }

    /**
     * The non-zeros of {@code data} as a sparse initializer: values (nnz) and int64 indices (nnz) into
     * the row-major flattening of {@code dims}.
     */
    static SparseTensorProto sparse(String name, float[] data, long... dims) {
        int nnz = 0;
        for (float v : data) {
            nnz += v != 0f ? 1 : 0;
        }
        float[] values = new float[nnz];
        long[] indices = new long[nnz];
        for (int i = 0, j = 0; i < data.length; i++) {
            if (data[i] != 0f) {
                values[j] = data[i];
                indices[j++] = i;
            }
        }
        ByteBuffer idx = ByteBuffer.allocate(8 * nnz).order(ByteOrder.LITTLE_ENDIAN);
        idx.asLongBuffer().put(indices);
        TensorProto indexTensor = TensorProto.newBuilder().setName(name + "_indices").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(nnz).setRawData(ByteString.copyFrom(idx.array())).build();
        return SparseTensorProto.newBuilder().setValues(floats(name, values, nnz)).setIndices(indexTensor)
                .addAllDims(boxed(dims)).build();
    }

    /** Element count of {@code dims}, checked: non-negative and at most {@link #MAX_ELEMENTS}. */
    static int elementCount(java.util.List<Long> dims, Path file, String field) throws ModelFormatException {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ModelFormatException(file, field, "negative dimension in " + dims);
            }
            if (d > 0 && n > MAX_ELEMENTS / d) {
                throw new ModelFormatException(file, field, "dimensions " + dims + " hold more than " + MAX_ELEMENTS + " values");
            }
            n *= d;
        }
        return (int) n;
    }

    /** The values of a FLOAT or DOUBLE tensor, from {@code raw_data} or the typed field. */
    static float[] toFloats(TensorProto t, Path file, String field) throws ModelFormatException {
        checkEmbedded(t, file, field);
        int n = elementCount(t.getDimsList(), file, field);
        int type = t.getDataType();
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            if (t.hasRawData()) {
                ByteBuffer raw = rawOf(t, n, 4, file, field);
                float[] out = new float[n];
                raw.asFloatBuffer().get(out);
                return out;
            }
            checkCount(t.getFloatDataCount(), n, file, field);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
            return out;
        }
        if (type == TensorProto.DataType.DOUBLE_VALUE) {
            float[] out = new float[n];
            if (t.hasRawData()) {
                ByteBuffer raw = rawOf(t, n, 8, file, field);
                for (int i = 0; i < n; i++) {
                    out[i] = (float) raw.getDouble(8 * i);
                }
                return out;
            }
            checkCount(t.getDoubleDataCount(), n, file, field);
            for (int i = 0; i < n; i++) {
                out[i] = (float) t.getDoubleData(i);
            }
            return out;
        }
        throw new ModelFormatException(file, field, "data type " + typeName(type) + " is not supported for weights; expected FLOAT");
    }

    /** The values of an INT64 or INT32 tensor (shapes, pads, indices). */
    static long[] toLongs(TensorProto t, Path file, String field) throws ModelFormatException {
        checkEmbedded(t, file, field);
        int n = elementCount(t.getDimsList(), file, field);
        int type = t.getDataType();
        long[] out = new long[n];
        if (type == TensorProto.DataType.INT64_VALUE) {
            if (t.hasRawData()) {
                rawOf(t, n, 8, file, field).asLongBuffer().get(out);
                return out;
            }
            checkCount(t.getInt64DataCount(), n, file, field);
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt64Data(i);
            }
            return out;
        }
        if (type == TensorProto.DataType.INT32_VALUE) {
            if (t.hasRawData()) {
                ByteBuffer raw = rawOf(t, n, 4, file, field);
                for (int i = 0; i < n; i++) {
                    out[i] = raw.getInt(4 * i);
                }
                return out;
            }
            checkCount(t.getInt32DataCount(), n, file, field);
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt32Data(i);
            }
            return out;
        }
        throw new ModelFormatException(file, field, "data type " + typeName(type) + " where INT64 was expected");
    }

    /**
     * A sparse initializer expanded to its dense values: indices either linear (nnz) or coordinates
     * (nnz, rank), each checked to lie inside the dense shape.
     */
    static float[] sparseToFloats(SparseTensorProto s, Path file, String field) throws ModelFormatException {
        int n = elementCount(s.getDimsList(), file, field + ".dims");
        float[] values = toFloats(s.getValues(), file, field + ".values");
        long[] idx = toLongs(s.getIndices(), file, field + ".indices");
        int rank = s.getDimsCount();
        boolean coordinates = s.getIndices().getDimsCount() == 2;
        if (idx.length != (long) values.length * (coordinates ? rank : 1)) {
            throw new ModelFormatException(file, field + ".indices", idx.length + " indices for " + values.length + " values");
        }
        float[] dense = new float[n];
        for (int i = 0; i < values.length; i++) {
            long flat = 0;
            if (coordinates) {
                for (int d = 0; d < rank; d++) {
                    long c = idx[i * rank + d];
                    if (c < 0 || c >= s.getDims(d)) {
                        throw new ModelFormatException(file, field + ".indices", "coordinate " + c + " outside dimension " + s.getDims(d));
                    }
                    flat = flat * s.getDims(d) + c;
                }
            } else {
                flat = idx[i];
            }
            if (flat < 0 || flat >= n) {
                throw new ModelFormatException(file, field + ".indices", "index " + flat + " outside the " + n + " values of " + s.getDimsList());
            }
            dense[(int) flat] = values[i];
        }
        return dense;
    }

    /** The ONNX name of a data type number, for messages. */
    static String typeName(int type) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(type);
        return t == null ? "#" + type : t.name();
    }

    private static void checkEmbedded(TensorProto t, Path file, String field) throws ModelFormatException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new ModelFormatException(file, field, "stored in an external data file, which Shears does not read; "
                    + "save the ONNX model with its weights embedded (onnx.save(model, path, save_as_external_data=False))");
        }
    }

    private static ByteBuffer rawOf(TensorProto t, int n, int width, Path file, String field) throws ModelFormatException {
        ByteString raw = t.getRawData();
        if (raw.size() != (long) n * width) {
            throw new ModelFormatException(file, field, "raw_data has " + raw.size() + " bytes, dimensions " + t.getDimsList()
                    + " need " + (long) n * width);
        }
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkCount(int found, int expected, Path file, String field) throws ModelFormatException {
        if (found != expected) {
            throw new ModelFormatException(file, field, found + " values stored, dimensions need " + expected);
        }
    }

    private static Iterable<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed()::iterator;
    }
}
