package dev.shears.bench.study;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of the study, rendered headless with XChart. */
final class Charts {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** A named series of (x, y) points. */
    record Series(String name, List<? extends Number> x, List<? extends Number> y) {
    }

    /** Line chart of several series. */
    static void lines(Path file, String title, String xTitle, String yTitle, List<Series> series, boolean markers)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            if (s.x().isEmpty()) {
                continue;
            }
            XYSeries xy = chart.addSeries(s.name(), s.x(), s.y());
            if (!markers) {
                xy.setMarker(SeriesMarkers.NONE);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Step chart: planned sparsity (a curve over all steps) against the mask updates actually applied. */
    static void steps(Path file, String title, Series planned, Series applied) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("training step").yAxisTitle("sparsity").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        XYSeries p = chart.addSeries(planned.name(), planned.x(), planned.y());
        p.setMarker(SeriesMarkers.NONE);
        if (!applied.x().isEmpty()) {
            XYSeries a = chart.addSeries(applied.name(), applied.x(), applied.y());
            a.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Overlaid histograms of |w| (counts per bin), one series per map entry. */
    static void histograms(Path file, String title, Map<String, float[]> values, int bins) throws IOException {
        // The range ends at the 99.5th percentile of |w| (larger values go to the last bin), so a few
        // outliers do not squeeze the bulk of the distribution into the first bins.
        float max = 0;
        for (float[] v : values.values()) {
            float[] abs = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                abs[i] = Math.abs(v[i]);
            }
            java.util.Arrays.sort(abs);
            if (abs.length > 0) {
                max = Math.max(max, abs[Math.min(abs.length - 1, (int) (abs.length * 0.995))]);
            }
        }
        if (max == 0) {
            max = 1;
        }
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            labels.add(String.format(java.util.Locale.ROOT, "%.2f", max * (b + 0.5) / bins));
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("|weight| (bin centre)").yAxisTitle("count").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            List<Integer> counts = new ArrayList<>();
            int[] c = new int[bins];
            for (float f : e.getValue()) {
                c[Math.min(bins - 1, (int) (Math.abs(f) / max * bins))]++;
            }
            for (int x : c) {
                counts.add(x);
            }
            chart.addSeries(e.getKey(), labels, counts);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
