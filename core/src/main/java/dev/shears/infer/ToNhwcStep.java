package dev.shears.infer;

import dev.shears.kernels.SparseKernels;

/** Channel-major (n, c, h, w) back to NHWC, before a step that needs NHWC or at the model's end. */
final class ToNhwcStep implements Step {
    private final int hw;
    private final int c;

    /** {@code shape} = (h, w, c) of the data. */
    ToNhwcStep(int[] shape) {
        this.hw = shape[0] * shape[1];
        this.c = shape[2];
    }

    @Override
    public int outSize() {
        return hw * c;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        for (int b = 0; b < n; b++) {
            SparseKernels.transpose(y, b * hw * c, x, b * hw * c, c, hw);
        }
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%-16s %-8s (c, h, w) -> (h, w, c), %d positions x %d channels", "", "ToNHWC", hw, c);
    }
}
