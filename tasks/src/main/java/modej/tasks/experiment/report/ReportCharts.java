package modej.tasks.experiment.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG plots, drawn headless with XChart: training loss per method against tokens
 * trained (mean over seeds), next-token accuracy per domain and method (bars with 95% intervals),
 * and for each MoDE method and block a heatmap of the gate's mean weight per domain and source.
 */
public final class ReportCharts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ReportCharts() {
    }

    /** Draws every plot into {@code dir}; returns title → file name, in the order to show them. */
    public static Map<String, String> write(ResultsSummary s, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> files = new LinkedHashMap<>();
        XYChart loss = lossCurves(s);
        if (!loss.getSeriesMap().isEmpty()) {
            files.put("Training loss per method", save(loss, dir, "loss-curves.png"));
        }
        files.put("Next-token accuracy per domain", save(accuracy(s), dir, "accuracy.png"));
        for (MethodSummary m : s.methods()) {
            int blocks = m.gates().isEmpty() ? 0 : m.gates().values().iterator().next().size();
            // BTX and MoE-LoRA have a router per layer, MoDE a gate per block
            String unit = m.routedUnit(), router = unit.equals("layer") ? "Router" : "Gate";
            for (int b = 0; b < blocks; b++) {
                files.put(router + " weights of " + m.method() + ", " + unit + " " + b,
                        save(gates(m, b, router, unit), dir, "gates-" + m.method() + "-" + unit + b + ".png"));
            }
        }
        return files;
    }

    private static XYChart lossCurves(ResultsSummary s) {
        XYChart c = new XYChartBuilder().width(900).height(500).title("Training loss (mean over seeds)")
                .xAxisTitle("tokens trained (MoDE: stage 1 per expert, then stage 2)").yAxisTitle("loss (nats/token)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (MethodSummary m : s.methods()) {
            if (m.lossCurve().isEmpty()) {
                continue;
            }
            double[] x = m.lossCurve().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = m.lossCurve().stream().mapToDouble(p -> p[1]).toArray();
            c.addSeries(m.method(), x, y).setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private static CategoryChart accuracy(ResultsSummary s) {
        CategoryChart c = new CategoryChartBuilder().width(900).height(500)
                .title("Held-out next-token accuracy (mean, 95% interval over seeds)").xAxisTitle("domain")
                .yAxisTitle("accuracy").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (MethodSummary m : s.methods()) {
            List<Double> means = new ArrayList<>(), errors = new ArrayList<>();
            for (String d : s.domains()) {
                Statistics.Interval a = m.domains().get(d).accuracy();
                means.add(a.mean());
                errors.add(Double.isFinite(a.halfWidth()) ? a.halfWidth() : 0);
            }
            c.addSeries(m.method(), s.domains(), means, errors);
        }
        return c;
    }

    private static HeatMapChart gates(MethodSummary m, int block, String router, String unit) {
        HeatMapChart c = new HeatMapChartBuilder().width(700).height(120 + 60 * m.gates().size())
                .title(router + " of " + m.method() + ", " + unit + " " + block + ": mean weight per domain and source")
                .xAxisTitle("source").yAxisTitle("domain").build();
        c.getStyler().setShowValue(true).setMin(0).setMax(1).setHeatMapValueDecimalPattern("0.00")
                .setRangeColors(new Color[]{new Color(255, 255, 255), new Color(33, 102, 172)});
        c.getStyler().setLegendVisible(false);
        List<String> domains = new ArrayList<>(m.gates().keySet());
        java.util.Collections.reverse(domains); // row 0 is drawn at the bottom: put the first domain on top
        List<Number[]> cells = new ArrayList<>();
        for (int y = 0; y < domains.size(); y++) {
            double[] w = m.gates().get(domains.get(y)).get(block);
            for (int x = 0; x < w.length; x++) {
                cells.add(new Number[]{x, y, w[x]});
            }
        }
        c.addSeries("weight", m.sources(), domains, cells);
        return c;
    }

    private static String save(Chart<?, ?> chart, Path dir, String name) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return name;
    }
}
