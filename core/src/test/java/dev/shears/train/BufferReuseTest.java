package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.Loss;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Padding;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.tensor.BufferPool;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The training step's reuse of its buffers changes no result and never touches what a caller keeps. */
class BufferReuseTest {
    private static Sequential model() {
        return Sequential.builder(10, 10, 2).seed(4)
                .add(Conv2D.builder(6, 3).padding(Padding.SAME).build()).add(new BatchNormalization())
                .add(new dev.shears.nn.ActivationLayer(Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Conv2D(8, 3, Activation.RELU)).add(new Dropout(0.3)).add(new Flatten())
                .add(new Dense(5, Activation.SOFTMAX)).build();
    }

    private static float[] batch(Random r, int n) {
        float[] x = new float[n * 200];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    @Test
    void weightsAreBitIdenticalWithAndWithoutReuseAfterManySteps() {
        Sequential reused = model();
        Sequential fresh = model();
        Trainer a = new Trainer(reused, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        Trainer b = new Trainer(fresh, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        b.reuseBuffers(false);
        Random r = new Random(8);
        for (int step = 0; step < 12; step++) {
            int n = step % 4 == 3 ? 5 : 16; // a short batch now and then, as an epoch's last one
            float[] x = batch(r, n);
            int[] y = r.ints(n, 0, 5).toArray();
            assertEquals(b.trainOnBatch(x, y, n), a.trainOnBatch(x, y, n), 0.0, "loss at step " + step);
        }
        List<Parameter> pa = reused.parameters();
        List<Parameter> pb = fresh.parameters();
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pb.get(i).data(), pa.get(i).data(), pa.get(i).name());
        }
        for (int i = 0; i < reused.state().size(); i++) {
            assertArrayEquals(fresh.state().get(i).data(), reused.state().get(i).data(), reused.state().get(i).name());
        }
        Dataset test = new Dataset(batch(r, 40), new int[] {10, 10, 2}, r.ints(40, 0, 5).toArray(), 5);
        assertEquals(b.evaluate(test, 16), a.evaluate(test, 16));
    }

    @Test
    void tensorsAndOutputsACallerKeepsAreNeverOverwrittenByLaterSteps() {
        Sequential m = model();
        Trainer t = new Trainer(m, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        Random r = new Random(3);
        float[] probe = batch(r, 4);
        Tensor kept = m.forward(Tensor.of(probe, 4, 10, 10, 2), false);   // outside any step: never pooled
        float[] keptCopy = kept.data().clone();
        float[] predicted = m.predict(probe, 4);
        float[] predictedCopy = predicted.clone();
        for (int step = 0; step < 5; step++) {
            t.trainOnBatch(batch(r, 4), r.ints(4, 0, 5).toArray(), 4); // same shapes: the pool would hand out the same sizes
        }
        assertArrayEquals(keptCopy, kept.data());
        assertArrayEquals(predictedCopy, predicted);
        assertTrue(!java.util.Arrays.equals(predicted, m.predict(probe, 4)), "the steps changed the weights");
    }

    @Test
    void aPoolLendsOnlyInsideItsScopeAndTakesEverythingBack() {
        BufferPool pool = new BufferPool();
        float[] outside = BufferPool.floats(8);
        float[] first;
        try (BufferPool.Scope s = pool.open()) {
            first = BufferPool.floats(8);
            first[3] = 7f;
            try (BufferPool.Scope nested = new BufferPool().open()) {
                assertEquals(16, BufferPool.floats(4).length * 4); // lent by the outer pool
            }
            assertEquals(48, pool.lentBytes());
        }
        assertEquals(2, pool.freeArrays());
        try (BufferPool.Scope s = pool.open()) {
            float[] again = BufferPool.floats(8);
            assertTrue(again == first, "the same array comes back for the same size");
            assertEquals(0f, again[3], "and it comes back zeroed");
        }
        assertTrue(BufferPool.floats(8) != first && outside.length == 8, "no scope open: a new array");
        assertThrows(ShapeMismatchException.class, () -> new Trainer(model(), new Adam(), Loss.sparseCategoricalCrossentropy(false))
                .trainOnBatch(new float[10], new int[] {1}, 1));
    }
}
