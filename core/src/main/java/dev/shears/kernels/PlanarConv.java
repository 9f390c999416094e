package dev.shears.kernels;

/**
 * A sparse stride-1 convolution's weights laid out for {@link SparseKernels#planarConv}, the direct
 * convolution over channel-major planes: the CSR non-zeros (rows = output channels, columns = kernel taps
 * (ky, kx, ch)) regrouped by groups of input channels, each with its offset into the group's shifted copies,
 * and the bias spread over vector lanes. Geometry: input planes (c, hp, wp) already padded, kernel kh x kw,
 * output planes (oc, oh, ow) with oh = hp - kh + 1, ow = wp - kw + 1.
 *
 * <pre>{@code PlanarConv p = new PlanarConv(csr, bias, 16, 12, 12, 5, 5, PlanarConv.GROUP_BYTES);
 * p.run(out, 0, x, 0, p.newScratch(), true);}</pre>
 */
public final class PlanarConv {
    /**
     * Default bytes of shifted copies one channel group makes. Each group re-reads and re-writes all output
     * planes, so groups pay only when the copies far outgrow the caches: on this machine the tutorial's
     * second conv (38 KB of copies) ran fastest in one group (1.3x faster than groups of 12 KB) and the
     * 64-channel 3x3 conv on 28x28 (645 KB) in groups of about 100 KB (1.1x faster than one group, 2x
     * faster than groups of 12 KB).
     */
    public static final int GROUP_BYTES = 96 * 1024;
    /** Room past the shifted copies for whole-vector copies of narrow rows (at least one vector of any width). */
    private static final int SHIFT_SLACK = 64;

    private final int c;
    private final int hp;
    private final int wp;
    private final int kw;
    private final int oc;
    private final int oh;
    private final int ow;
    private final int groupChannels;
    private final float[] values;
    private final int[] offsets;
    private final int[] ptr;
    private final float[] start;

    /**
     * Regroups {@code w} (oc, kh*kw*c), columns ordered (ky, kx, ch) as Keras kernels are, for input planes
     * (c, hp, wp), in channel groups whose shifted copies take at most {@code groupBytes}.
     *
     * @throws IllegalArgumentException if the shapes disagree
     */
    public PlanarConv(Csr w, float[] bias, int c, int hp, int wp, int kh, int kw, int groupBytes) {
        if (w.cols() != kh * kw * c || bias.length != w.rows() || hp < kh || wp < kw) {
            throw new IllegalArgumentException("planar conv: weights (" + w.rows() + ", " + w.cols() + "), bias " + bias.length
                    + ", kernel " + kh + "x" + kw + " over " + c + " planes of " + hp + "x" + wp + " do not fit together");
        }
        this.c = c;
        this.hp = hp;
        this.wp = wp;
        this.kw = kw;
        this.oc = w.rows();
        this.oh = hp - kh + 1;
        this.ow = wp - kw + 1;
        int perChannel = kw * hp * ow * Float.BYTES;
        int most = Math.max(1, groupBytes / perChannel);
        int groups = (c + most - 1) / most;
        this.groupChannels = (c + groups - 1) / groups; // spread evenly: 16 channels, at most 6 a group -> 6, 6, 4
        float[] v = w.values();
        int[] col = w.colIdx();
        int[] rowPtr = w.rowPtr();
        this.values = new float[v.length];
        this.offsets = new int[v.length];
        this.ptr = new int[groups * oc + 1];
        int at = 0;
        for (int group = 0; group < groups; group++) {
            for (int r = 0; r < oc; r++) {
                for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
                    int ch = col[i] % c;
                    if (ch / groupChannels != group) {
                        continue;
                    }
                    int kx = (col[i] / c) % kw;
                    int ky = col[i] / c / kw;
                    values[at] = v[i];
                    offsets[at++] = (((ch - group * groupChannels) * kw + kx) * hp + ky) * ow;
                }
                ptr[group * oc + r + 1] = at;
            }
        }
        this.start = SparseKernels.startLanes(bias);
    }

    /** Floats of scratch {@link #run} needs: one channel group's shifted copies, plus slack. */
    public int scratchSize() {
        return groupChannels * kw * hp * ow + SHIFT_SLACK;
    }

    /** A scratch buffer for {@link #run}, of {@link #scratchSize()} floats. One per thread. */
    public float[] newScratch() {
        return new float[scratchSize()];
    }

    /**
     * One image: out[outOff ..] (oc, oh, ow) = act(bias + conv(src[srcOff ..] (c, hp, wp))), act = ReLU when
     * {@code relu} else the identity. {@code scratch} holds at least {@link #scratchSize()} floats.
     */
    public void run(float[] out, int outOff, float[] src, int srcOff, float[] scratch, boolean relu) {
        SparseKernels.planarConv(out, outOff, scratch, src, srcOff, c, hp, wp, kw, oh, ow, groupChannels, values, offsets, ptr,
                oc, start, relu);
    }

    /** Input channels per group. */
    public int groupChannels() {
        return groupChannels;
    }
}
