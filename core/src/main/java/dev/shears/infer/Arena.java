package dev.shears.infer;

/** One thread's scratch buffers for a compiled model: numbered slots that grow to the largest size asked for. */
final class Arena {
    private final float[][] slots;

    Arena(int slotCount) {
        slots = new float[slotCount][];
    }

    /** Slot {@code slot} with room for at least {@code size} floats; contents are left over from earlier use. */
    float[] get(int slot, int size) {
        float[] a = slots[slot];
        if (a == null || a.length < size) {
            a = new float[size];
            slots[slot] = a;
        }
        return a;
    }
}
