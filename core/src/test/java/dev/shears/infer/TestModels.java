package dev.shears.infer;

import dev.shears.nn.Conv2D;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import java.util.Arrays;
import java.util.Random;

/** Models and pruning patterns for the inference tests, built without the pruning library. */
final class TestModels {
    private TestModels() {
    }

    /** The Keras pruning tutorial's CNN for 28x28x1 images, with small random biases so they matter. */
    static Sequential tutorial(long seed) {
        Sequential m = dev.shears.examples.PruningTutorialExample.model(seed);
        Random rng = new Random(seed + 1);
        for (Parameter p : m.parameters()) {
            if (!p.prunable()) {
                for (int i = 0; i < p.size(); i++) {
                    p.data()[i] = (float) (rng.nextGaussian() * 0.05);
                }
            }
        }
        return m;
    }

    /** Zeroes the {@code sparsity} fraction of smallest-magnitude entries of every prunable tensor. */
    static Sequential pruneUnstructured(Sequential m, double sparsity) {
        for (Parameter p : m.parameters()) {
            if (p.prunable()) {
                zeroSmallest(p.data(), sparsity);
            }
        }
        return m;
    }

    static void zeroSmallest(float[] w, double sparsity) {
        int zeros = (int) Math.round(sparsity * w.length);
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < w.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(w[a]), Math.abs(w[b])));
        for (int i = 0; i < zeros; i++) {
            w[order[i]] = 0f;
        }
    }

    /** 2:4 along the input axis: in each output channel, keeps the two largest of every four consecutive inputs. */
    static void pruneTwoFour(float[] w, int k, int oc) {
        for (int j = 0; j < oc; j++) {
            for (int g = 0; g + 3 < k; g += 4) {
                float[] grp = new float[4];
                for (int t = 0; t < 4; t++) {
                    grp[t] = w[(g + t) * oc + j];
                }
                zeroSmallest(grp, 0.5);
                for (int t = 0; t < 4; t++) {
                    w[(g + t) * oc + j] = grp[t];
                }
            }
        }
    }

    /** 1x4 blocks along the input axis: zeroes the {@code sparsity} fraction of blocks with the smallest L1 norm. */
    static void pruneBlock4(float[] w, int k, int oc, double sparsity) {
        int groups = (k + 3) / 4;
        float[] norms = new float[groups * oc];
        for (int j = 0; j < oc; j++) {
            for (int g = 0; g < groups; g++) {
                for (int t = 4 * g; t < Math.min(k, 4 * g + 4); t++) {
                    norms[j * groups + g] += Math.abs(w[t * oc + j]);
                }
            }
        }
        float[] sorted = norms.clone();
        Arrays.sort(sorted);
        int cut = (int) Math.round(sparsity * norms.length);
        float limit = cut == 0 ? Float.NEGATIVE_INFINITY : sorted[cut - 1];
        for (int j = 0; j < oc; j++) {
            for (int g = 0; g < groups; g++) {
                if (norms[j * groups + g] <= limit) {
                    for (int t = 4 * g; t < Math.min(k, 4 * g + 4); t++) {
                        w[t * oc + j] = 0f;
                    }
                }
            }
        }
    }

    /** A random (rows, cols) matrix with about {@code sparsity} of its entries exactly zero. */
    static float[] sparseMatrix(int rows, int cols, double sparsity, Random rng) {
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble() < sparsity ? 0f : (float) rng.nextGaussian();
        }
        return a;
    }

    static float[] randomInput(int n, int size, Random rng) {
        float[] x = new float[n * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        return x;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " vs " + b.length);
        }
        float d = 0f;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
