package dev.shears.infer;

/**
 * One thread's scratch buffers for a compiled model, grown to the largest size asked for and kept: the
 * model's own buffers (activations, chunk copies) in slots it numbers, and after them the buffers of the
 * step that runs now, which the step declares ({@link Step#scratchBuffers()}) and reads with
 * {@link #scratch}. Steps run one after the other on a thread, so they share those buffers.
 */
final class Arena {
    private final float[][] slots;
    private final int modelSlots;
    /** Buffers the running step declared; {@link #scratch} refuses any other. */
    private int stepBuffers;

    /** {@code modelSlots} numbered slots for the model, then room for the largest step's {@code stepBuffers}. */
    Arena(int modelSlots, int stepBuffers) {
        this.slots = new float[modelSlots + stepBuffers][];
        this.modelSlots = modelSlots;
    }

    /** The model's slot {@code slot} with room for at least {@code size} floats; contents left from earlier use. */
    float[] get(int slot, int size) {
        if (slot >= modelSlots) {
            throw new IllegalArgumentException("model slot " + slot + " of " + modelSlots);
        }
        return grow(slot, size);
    }

    /** Makes this arena lend {@code buffers} scratch buffers to the step about to run; returns it. */
    Arena forStep(int buffers) {
        if (modelSlots + buffers > slots.length) {
            throw new IllegalStateException("a step declares " + buffers + " scratch buffers, the arena has "
                    + (slots.length - modelSlots));
        }
        this.stepBuffers = buffers;
        return this;
    }

    /**
     * The running step's scratch buffer {@code i} with room for at least {@code size} floats; contents left
     * from earlier use (of this or another step).
     *
     * @throws IllegalStateException if the step did not declare buffer {@code i}
     */
    float[] scratch(int i, int size) {
        if (i < 0 || i >= stepBuffers) {
            throw new IllegalStateException("scratch buffer " + i + " was not declared (the step declared " + stepBuffers + ")");
        }
        return grow(modelSlots + i, size);
    }

    private float[] grow(int slot, int size) {
        float[] a = slots[slot];
        if (a == null || a.length < size) {
            a = new float[size];
            slots[slot] = a;
        }
        return a;
    }
}
