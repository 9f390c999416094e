package dev.shears.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress: on a terminal a live line per epoch (steps done/total, bar, ETA, ms/step, running
 * loss and accuracy) rewritten with carriage returns; otherwise one plain line per epoch.
 */
final class ProgressLogger implements Callback {
    private static final long REFRESH_NANOS = 100_000_000L;
    private final PrintStream out;
    private final boolean live;
    private long epochStart;
    private long lastDraw;
    private int stepsDone;
    private double lossSum;
    private double accSum;

    ProgressLogger(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public void onEpochBegin(TrainingContext ctx, int epoch) {
        out.println("Epoch " + (epoch + 1) + "/" + ctx.epochs());
        epochStart = System.nanoTime();
        lastDraw = 0;
        stepsDone = 0;
        lossSum = 0;
        accSum = 0;
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
        stepsDone++;
        lossSum += loss;
        accSum += accuracy;
        long now = System.nanoTime();
        if (live && (now - lastDraw > REFRESH_NANOS || stepsDone == ctx.stepsPerEpoch())) {
            lastDraw = now;
            double msPerStep = (now - epochStart) / 1e6 / stepsDone;
            double eta = msPerStep * (ctx.stepsPerEpoch() - stepsDone) / 1000;
            out.print("\r" + bar(stepsDone, ctx.stepsPerEpoch())
                    + String.format(Locale.ROOT, " - ETA: %.0fs - %.0fms/step - loss: %.4f - accuracy: %.4f   ",
                    eta, msPerStep, lossSum / stepsDone, accSum / stepsDone));
            out.flush();
        }
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        StringBuilder sb = new StringBuilder();
        if (live) {
            sb.append('\r');
        }
        sb.append(bar(stepsDone, ctx.stepsPerEpoch()));
        sb.append(String.format(Locale.ROOT, " - %.1fs - %.0fms/step", seconds, seconds * 1000 / Math.max(1, stepsDone)));
        for (String key : new String[] {"loss", "accuracy", "val_loss", "val_accuracy"}) {
            Double v = logs.get(key);
            if (v != null) {
                sb.append(String.format(Locale.ROOT, " - %s: %.4f", key, v));
            }
        }
        out.println(sb);
    }

    private static String bar(int done, int total) {
        int width = 30;
        int filled = (int) ((long) done * width / Math.max(1, total));
        StringBuilder sb = new StringBuilder();
        String count = String.valueOf(total);
        sb.append(String.format(Locale.ROOT, "%" + count.length() + "d/%d [", done, total));
        for (int i = 0; i < width; i++) {
            sb.append(i < filled ? '=' : (i == filled ? '>' : '.'));
        }
        return sb.append(']').toString();
    }
}
