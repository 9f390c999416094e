package dev.shears.train;

import dev.shears.data.Dataset;
import dev.shears.io.ModelFiles;
import dev.shears.nn.Loss;
import dev.shears.optim.Adam;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child JVM of {@link KillAndResumeTest}: trains the small CNN on synthetic data for {@value #EPOCHS}
 * epochs with a {@link BackupAndRestore} in {@code args[0]}, then saves the final model to {@code args[1]}.
 * It prints {@code resumed <epoch>}, {@code epoch <e> finished} after each epoch and {@code step <s>} after
 * each batch; with {@code args[2] >= 0} it prints {@code paused} before that global step's batch and
 * waits to be killed. Run with {@code -Dshears.threads=1}.
 */
public final class BackupChild {
    static final int EPOCHS = 4;
    static final int BATCH = 10;
    /** 8 batches of 10 per epoch. */
    static final Dataset TRAIN = SyntheticData.bars(80, 4, 11);

    private BackupChild() {
    }

    public static void main(String[] args) throws Exception {
        Path backup = Path.of(args[0]);
        Path out = Path.of(args[1]);
        long pauseAt = Long.parseLong(args[2]);
        Callback report = new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, long step) {
                if (step == pauseAt) {
                    System.out.println("paused");
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
                System.out.println("step " + step);
            }

            @Override
            public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
                System.out.println("epoch " + epoch + " finished");
                System.out.flush();
            }
        };
        BackupAndRestore b = new BackupAndRestore(backup);
        Trainer t = new Trainer(TrainerTest.smallCnn(8), new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        t.fit(TRAIN, FitOptions.defaults().withEpochs(EPOCHS).withBatchSize(BATCH).withShuffleSeed(3).withVerbose(false)
                .withCallback(b).withCallback(report));
        System.out.println("resumed " + b.resumedAt());
        ModelFiles.save(t.model(), out);
        System.out.println("done");
    }
}
