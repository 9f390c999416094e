package dev.shears.infer;

import dev.shears.kernels.Pool;

/**
 * MaxPooling2D (valid, no argmax) or, with {@code global}, GlobalAveragePooling2D, over NHWC or, with
 * {@code chw}, over channel-major (n, c, h, w) data: then each channel's plane is pooled as an image of
 * one channel, and the layout is kept (a global pool's (n, c) output is the same in both).
 */
final class PoolStep implements Step {
    private final String name;
    private final boolean global;
    private final int h;
    private final int w;
    private final int c;
    private final int ph;
    private final int pw;
    private final int sh;
    private final int sw;
    private final int oh;
    private final int ow;
    private final boolean chw;
    private final int scratchSlot;

    PoolStep(String name, boolean global, int[] in, int ph, int pw, int sh, int sw, boolean chw, int scratchSlot) {
        this.name = name;
        this.scratchSlot = scratchSlot;
        this.chw = chw;
        this.global = global;
        this.h = in[0];
        this.w = in[1];
        this.c = in[2];
        this.ph = ph;
        this.pw = pw;
        this.sh = sh;
        this.sw = sw;
        this.oh = global ? 1 : (h - ph) / sh + 1;
        this.ow = global ? 1 : (w - pw) / sw + 1;
    }

    @Override
    public int outSize() {
        return oh * ow * c;
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return true;
    }

    @Override
    public boolean channelsFirstOut() {
        return chw && !global;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        int images = chw ? n * c : n;
        int channels = chw ? 1 : c;
        if (global) {
            Pool.globalAvgPool(y, x, images, h * w, channels);
        } else if (chw && ph == 2 && pw == 2 && sh == 2 && sw == 2) {
            Pool.maxPool2x2Planes(y, x, arena.get(scratchSlot, images * oh * w + 64), images, h, w, oh, ow);
        } else {
            Pool.maxPool(y, null, x, images, h, w, channels, ph, pw, sh, sw, oh, ow);
        }
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %dx%dx%d -> %dx%dx%d", name,
                global ? "GAP2D" : "MaxPool", h, w, c, oh, ow, c);
    }
}
