package dev.shears.bench;

import dev.shears.infer.InferenceModel;
import dev.shears.infer.WeightFormat;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.util.Arrays;
import java.util.Random;

/**
 * The benchmarked layer shapes as one-layer models, the tutorial model, and magnitude pruning to the
 * unstructured, 1x4-block and 2:4 patterns (until the pruning library lands, pruning is done here).
 *
 * <pre>{@code Sequential m = BenchModels.layer("conv2"); BenchModels.prune(m, "CSR", 0.8);}</pre>
 */
public final class BenchModels {
    /** Shape names: the tutorial's layers and two larger ones. */
    public static final String[] SHAPES = {"conv1", "conv2", "conv64", "dense32x128", "dense128x10", "dense1024"};

    private BenchModels() {
    }

    /** A one-layer model with linear activation: conv1 1->16 5x5 on 28x28, conv2 16->32 5x5 on 12x12, conv64 64->64 3x3 same on 28x28, dense in x out. */
    public static Sequential layer(String shape) {
        return switch (shape) {
            case "conv1" -> conv(28, 1, 16, 5, Padding.VALID);
            case "conv2" -> conv(12, 16, 32, 5, Padding.VALID);
            case "conv64" -> conv(28, 64, 64, 3, Padding.SAME);
            case "dense32x128" -> dense(32, 128);
            case "dense128x10" -> dense(128, 10);
            case "dense1024" -> dense(1024, 1024);
            default -> throw new IllegalArgumentException("unknown shape '" + shape + "', expected one of " + Arrays.toString(SHAPES));
        };
    }

    private static Sequential conv(int hw, int c, int oc, int k, Padding padding) {
        return Sequential.builder(hw, hw, c).seed(1)
                .add(Conv2D.builder(oc, k).padding(padding).build()).build();
    }

    private static Sequential dense(int in, int out) {
        return Sequential.builder(in).seed(1).add(new Dense(out, Activation.LINEAR)).build();
    }

    /** The Keras pruning tutorial's CNN. */
    public static Sequential tutorial() {
        return dev.shears.examples.PruningTutorialExample.model(42);
    }

    /**
     * The one-layer model {@code shape}, pruned in {@code kernel}'s pattern to {@code sparsity}% (DENSE: not
     * pruned), compiled with that kernel forced.
     */
    public static InferenceModel compiledLayer(String shape, String kernel, int sparsity) {
        Sequential m = layer(shape);
        WeightFormat k = WeightFormat.valueOf(kernel);
        if (k != WeightFormat.DENSE) {
            prune(m, kernel, sparsity / 100.0);
        }
        return InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(k));
    }

    /** Random inputs in [0, 1) for {@code n} examples of the compiled model, fixed seed. */
    public static float[] input(InferenceModel m, int n) {
        return random(n * Arrays.stream(m.inputShape()).reduce(1, (a, b) -> a * b));
    }

    /** Values per example of the model's input. */
    public static int inputSize(Sequential m) {
        return Arrays.stream(m.inputShape()).reduce(1, (a, b) -> a * b);
    }

    /** Random inputs in [0, 1) for {@code n} examples, fixed seed. */
    public static float[] input(Sequential m, int n) {
        return random(n * inputSize(m));
    }

    private static float[] random(int size) {
        Random rng = new Random(7);
        float[] x = new float[size];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        return x;
    }

    /**
     * Prunes every kernel of {@code m} in place to {@code sparsity}: pattern "CSR" = unstructured smallest
     * magnitudes; "BLOCK4" = smallest-L1 1x4 blocks along the input axis; "TWO_FOUR" = two of every four
     * inputs (sparsity ignored, always 50%).
     */
    public static Sequential prune(Sequential m, String pattern, double sparsity) {
        for (Layer l : m.layers()) {
            for (Parameter p : l.unwrap().parameters()) {
                if (!p.prunable()) {
                    continue;
                }
                int[] s = p.value().shape();
                int oc = s[s.length - 1];
                int k = p.size() / oc;
                switch (pattern) {
                    case "CSR" -> zeroSmallest(p.data(), sparsity);
                    case "BLOCK4" -> pruneBlocks(p.data(), k, oc, sparsity);
                    case "TWO_FOUR" -> pruneTwoFour(p.data(), k, oc);
                    default -> throw new IllegalArgumentException("unknown pattern '" + pattern + "', expected CSR, BLOCK4 or TWO_FOUR");
                }
            }
        }
        return m;
    }

    private static void zeroSmallest(float[] w, double sparsity) {
        float[] mags = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            mags[i] = Math.abs(w[i]);
        }
        Arrays.sort(mags);
        int zeros = (int) Math.round(sparsity * w.length);
        if (zeros == 0) {
            return;
        }
        float limit = mags[zeros - 1];
        int done = 0;
        for (int i = 0; i < w.length && done < zeros; i++) {
            if (Math.abs(w[i]) <= limit) {
                w[i] = 0f;
                done++;
            }
        }
    }

    private static void pruneBlocks(float[] w, int k, int oc, double sparsity) {
        int groups = (k + 3) / 4;
        float[] norms = new float[groups * oc];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < oc; j++) {
                norms[j * groups + i / 4] += Math.abs(w[i * oc + j]);
            }
        }
        float[] blockZeroed = norms.clone();
        zeroSmallest(blockZeroed, sparsity);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < oc; j++) {
                if (blockZeroed[j * groups + i / 4] == 0f) {
                    w[i * oc + j] = 0f;
                }
            }
        }
    }

    private static void pruneTwoFour(float[] w, int k, int oc) {
        float[] g = new float[4];
        for (int j = 0; j < oc; j++) {
            for (int i = 0; i + 3 < k; i += 4) {
                for (int t = 0; t < 4; t++) {
                    g[t] = w[(i + t) * oc + j];
                }
                zeroSmallest(g, 0.5);
                for (int t = 0; t < 4; t++) {
                    w[(i + t) * oc + j] = g[t];
                }
            }
        }
    }
}
