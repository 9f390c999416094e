package dev.shears.bench.study;

import java.nio.file.Path;
import java.util.List;

/**
 * Validated settings of one study run.
 *
 * @param model            the model and its schedule of learning rates
 * @param epochs           baseline training epochs
 * @param pruneEpochs      pruning epochs
 * @param learningRate     Adam's baseline rate (where a cosine starts, for a model that decays it)
 * @param pruneLearningRate Adam's constant rate while pruning
 * @param initialSparsity  PolynomialDecay start
 * @param finalSparsity    PolynomialDecay end
 * @param pruneFromInitial prune the initial weights with the tutorial's end step instead of the baseline
 * @param pruneFrequency   steps between mask updates
 * @param batchSize        batch size
 * @param threads          worker threads
 * @param seed             seed for everything random
 * @param dataDir          explicit data directory, or null for the search order
 * @param out              output directory
 * @param trainLimit       first N training images, or null for all
 * @param testLimit        first N test images, or null for all
 * @param quick            smoke mode
 * @param sweep            extra target sparsities
 * @param resume           continue the run killed last time from its last completed epoch
 */
public record StudyConfig(StudyModel model, int epochs, int pruneEpochs, double learningRate, double pruneLearningRate,
                          double initialSparsity, double finalSparsity,
                          boolean pruneFromInitial, int pruneFrequency, int batchSize, int threads, long seed, Path dataDir, Path out,
                          Integer trainLimit, Integer testLimit, boolean quick, List<Double> sweep,
                          boolean resume) {
}
