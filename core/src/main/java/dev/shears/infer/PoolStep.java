package dev.shears.infer;

import dev.shears.kernels.Pool;

/** MaxPooling2D (valid, no argmax) or, with {@code global}, GlobalAveragePooling2D, over NHWC. */
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

    PoolStep(String name, boolean global, int[] in, int ph, int pw, int sh, int sw) {
        this.name = name;
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
    public void run(float[] y, float[] x, int n, Arena arena) {
        if (global) {
            Pool.globalAvgPool(y, x, n, h * w, c);
        } else {
            Pool.maxPool(y, null, x, n, h, w, c, ph, pw, sh, sw, oh, ow);
        }
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %dx%dx%d -> %dx%dx%d", name,
                global ? "GAP2D" : "MaxPool", h, w, c, oh, ow, c);
    }
}
