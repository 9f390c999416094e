package dev.shears.bench;

import dev.shears.kernels.Csr;
import dev.shears.kernels.Elementwise;
import dev.shears.kernels.ConvShape;
import dev.shears.kernels.DenseConv;
import dev.shears.kernels.PlanarConv;
import dev.shears.kernels.SparseKernels;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Sequential;
import dev.shears.ops.ConvOps;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The conv kernels alone, one image, each on the layout it works in, so no layout conversion is timed:
 * {@code dense} is the runtime's dense conv on NHWC (unfolding + GEMM + fused bias and ReLU), {@code planar}
 * the runtime's sparse direct conv on channel-major planes (zero padding, shifted copies, CSR multiply with
 * fused bias and ReLU) with the weights pruned by magnitude to {@code sparsity}%. In a model the planar
 * layout flows from conv to pool to conv; {@link SparseLayerBench} times a lone layer, NHWC in and out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dshears.threads=1", "-Xmx6g"})
public class ConvKernelBench {
    @Param({"conv1", "conv2", "conv64"})
    public String shape;

    @Param({"0", "50", "70", "80", "90", "95"})
    public int sparsity;

    private int h;
    private int w;
    private int c;
    private int kh;
    private int kw;
    private int padTop;
    private int padLeft;
    private int oh;
    private int ow;
    private int oc;
    private ConvShape convShape;
    private float[] kernel;
    private float[] bias;
    private float[] nhwc;
    private float[] chw;
    private float[] cols;
    private float[] y;
    private PlanarConv planar;
    private float[] padded;
    private float[] scratch;

    @Setup
    public void setup() {
        Sequential m = BenchModels.layer(shape);
        Conv2D conv = (Conv2D) m.layers().get(0);
        int[] in = m.inputShape();
        h = in[0];
        w = in[1];
        c = in[2];
        kh = conv.kernelSize()[0];
        kw = conv.kernelSize()[1];
        padTop = ConvOps.padBefore(h, kh, 1, conv.padding());
        padLeft = ConvOps.padBefore(w, kw, 1, conv.padding());
        oh = conv.outputShape()[0];
        ow = conv.outputShape()[1];
        oc = conv.filters();
        kernel = conv.kernel().data().clone();
        bias = conv.bias().data().clone();
        nhwc = BenchModels.input(m, 1);
        chw = new float[nhwc.length];
        SparseKernels.transpose(chw, nhwc, h * w, c);
        convShape = new ConvShape(h, w, c, kh, kw, 1, 1, padTop, padLeft, oh, ow);
        cols = new float[DenseConv.scratchSize(1, convShape)];
        y = new float[oh * ow * oc];
        BenchModels.prune(m, "CSR", sparsity / 100.0);
        Csr csr = Csr.ofTransposed(conv.kernel().data(), kh * kw * c, oc);
        int hp = oh + kh - 1;
        int wp = ow + kw - 1;
        planar = new PlanarConv(csr, bias, c, hp, wp, kh, kw, PlanarConv.GROUP_BYTES);
        padded = hp != h || wp != w ? new float[c * hp * wp] : null;
        scratch = planar.newScratch();
    }

    /** Dense conv, NHWC: {@link DenseConv#forward}, as training and the runtime run a DENSE conv. */
    @Benchmark
    public float[] dense() {
        DenseConv.forward(y, nhwc, kernel, oc, 1, convShape, cols, false);
        Elementwise.biasRelu(y, bias, convShape.rows(1), oc, true);
        return y;
    }

    /** Sparse planar conv, channel-major: as the runtime runs a CSR stride-1 conv between planar steps. */
    @Benchmark
    public float[] planar() {
        float[] src = chw;
        if (padded != null) {
            SparseKernels.padPlanes(padded, chw, 0, h, w, c, padTop, padLeft, oh + kh - 1, ow + kw - 1, true);
            src = padded;
        }
        planar.run(y, 0, src, 0, scratch, true);
        return y;
    }
}
