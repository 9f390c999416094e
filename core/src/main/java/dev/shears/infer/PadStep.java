package dev.shears.infer;

import dev.shears.kernels.Padding2D;

/**
 * ZeroPadding2D: (n, h, w, c) -> (n, top+h+bottom, left+w+right, c), zeros around the input. With
 * {@code chw} the data is channel-major, (n, c, h, w), and stays so: each channel's plane is padded as an
 * image of one channel, so a planar sparse conv before and after it needs no transposes.
 */
final class PadStep implements Step {
    private final String name;
    private final int h;
    private final int w;
    private final int c;
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private final boolean chw;

    /** {@code in} = (h, w, c); {@code chw}: the input arrives channel-major. */
    PadStep(String name, int[] in, int top, int bottom, int left, int right, boolean chw) {
        this.name = name;
        this.h = in[0];
        this.w = in[1];
        this.c = in[2];
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
        this.chw = chw;
    }

    @Override
    public int outSize() {
        return (h + top + bottom) * (w + left + right) * c;
    }

    @Override
    public boolean acceptsChannelsFirst() {
        return true;
    }

    @Override
    public boolean channelsFirstOut() {
        return chw;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        // y is a reused buffer: the kernel writes every element, the zeros included.
        if (chw) {
            Padding2D.zeroPad(y, x, n * c, h, w, 1, top, bottom, left, right);
        } else {
            Padding2D.zeroPad(y, x, n, h, w, c, top, bottom, left, right);
        }
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s %dx%dx%d -> %dx%dx%d, pads ((%d, %d), (%d, %d))", name, "ZeroPad",
                h, w, c, h + top + bottom, w + left + right, c, top, bottom, left, right);
    }
}
