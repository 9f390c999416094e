package dev.shears.infer;

import dev.shears.kernels.Pool;

/**
 * MaxPooling2D (valid, no argmax), AveragePooling2D (valid or same), GlobalAveragePooling2D or
 * GlobalMaxPooling2D, over NHWC or, with {@code chw}, over channel-major (n, c, h, w) data: then each
 * channel's plane is pooled as an image of one channel, and the layout is kept (a global pool's (n, c)
 * output is the same in both).
 */
final class PoolStep implements Step {
    /** What a step computes. */
    enum Kind {
        MAX("MaxPool"), AVERAGE("AvgPool"), GLOBAL_AVERAGE("GAP2D"), GLOBAL_MAX("GMP2D");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        boolean global() {
            return this == GLOBAL_AVERAGE || this == GLOBAL_MAX;
        }
    }

    private final String name;
    private final Kind kind;
    /** The NHWC geometry; a global pool's window covers the whole image. */
    private final Pool.Window g;
    /** The same windows over channel-major planes, made once: a warm run allocates nothing. */
    private final Pool.Window planes;
    private final boolean chw;

    /** A windowed pool; {@code kind} MAX or AVERAGE (MAX without padding). */
    PoolStep(String name, Kind kind, Pool.Window g, boolean chw) {
        if (kind.global() || (kind == Kind.MAX && (g.padTop() != 0 || g.padLeft() != 0))) {
            throw new IllegalArgumentException(kind + " pooling over " + g);
        }
        this.name = name;
        this.kind = kind;
        this.g = g;
        this.planes = g.planes();
        this.chw = chw;
    }

    /** A global pool over {@code in} = (h, w, c). */
    PoolStep(String name, Kind kind, int[] in, boolean chw) {
        if (!kind.global()) {
            throw new IllegalArgumentException(kind + " is not a global pool");
        }
        this.name = name;
        this.kind = kind;
        this.g = new Pool.Window(in[0], in[1], in[2], in[0], in[1], 1, 1, 0, 0, 1, 1);
        this.planes = g.planes();
        this.chw = chw;
    }

    /** One scratch buffer: the row maxima of the channel-major 2x2 max pool. */
    @Override
    public int scratchBuffers() {
        return 1;
    }

    @Override
    public int outSize() {
        return g.oh() * g.ow() * g.c();
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return true;
    }

    @Override
    public boolean channelsFirstOut() {
        return chw && !kind.global();
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        int images = chw ? n * g.c() : n;
        Pool.Window win = chw ? planes : g;
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow();
        switch (kind) {
            case GLOBAL_AVERAGE -> Pool.globalAvgPool(y, x, images, h * w, win.c());
            case GLOBAL_MAX -> Pool.globalMaxPool(y, x, images, h * w, win.c());
            case AVERAGE -> Pool.avgPool(y, x, images, win);
            case MAX -> {
                if (chw && g.ph() == 2 && g.pw() == 2 && g.sh() == 2 && g.sw() == 2) {
                    Pool.maxPool2x2Planes(y, x, arena.scratch(0, images * oh * w + 64), images, h, w, oh, ow);
                } else {
                    Pool.maxPool(y, null, x, images, h, w, win.c(), g.ph(), g.pw(), g.sh(), g.sw(), oh, ow);
                }
            }
        }
    }

    @Override
    public String describe() {
        String pads = g.padTop() + g.padLeft() > 0 ? String.format(java.util.Locale.ROOT, ", pads (%d, %d)", g.padTop(), g.padLeft()) : "";
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %dx%dx%d -> %dx%dx%d%s", name,
                kind.label, g.h(), g.w(), g.c(), g.oh(), g.ow(), g.c(), pads);
    }
}
