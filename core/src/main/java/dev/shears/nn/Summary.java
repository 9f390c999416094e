package dev.shears.nn;

import dev.shears.tensor.Shapes;
import java.util.Locale;

/** Renders the Keras-style model summary. */
final class Summary {
    private static final int MIN_NAME_WIDTH = 30;
    private static final int SHAPE_WIDTH = 24;

    private Summary() {
    }

    static String render(Sequential model) {
        int nameWidth = MIN_NAME_WIDTH;
        for (Layer l : model.layers()) {
            nameWidth = Math.max(nameWidth, l.name().length() + l.type().length() + 5);
        }
        int lineWidth = nameWidth + SHAPE_WIDTH + 12;
        StringBuilder sb = new StringBuilder();
        String thin = "_".repeat(lineWidth) + "\n";
        String thick = "=".repeat(lineWidth) + "\n";
        sb.append("Model: \"").append(model.name()).append("\"\n").append(thin);
        sb.append(row(nameWidth, "Layer (type)", "Output Shape", "Param #")).append(thick);
        for (int i = 0; i < model.layers().size(); i++) {
            Layer l = model.layers().get(i);
            long params = l.nonTrainableCount();
            for (Parameter p : l.parameters()) {
                params += p.size();
            }
            sb.append(row(nameWidth, l.name() + " (" + l.type() + ")", Shapes.describe(l.outputShape(), true), format(params)));
            sb.append(i == model.layers().size() - 1 ? thick : "\n");
        }
        long trainable = model.trainableCount();
        long nonTrainable = model.nonTrainableCount();
        sb.append("Total params: ").append(format(trainable + nonTrainable)).append('\n');
        sb.append("Trainable params: ").append(format(trainable)).append('\n');
        sb.append("Non-trainable params: ").append(format(nonTrainable)).append('\n');
        sb.append(thin);
        return sb.toString();
    }

    private static String row(int nameWidth, String name, String shape, String params) {
        return String.format(Locale.ROOT, " %-" + (nameWidth - 1) + "s%-" + SHAPE_WIDTH + "s%s%n", name, shape, params);
    }

    private static String format(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
