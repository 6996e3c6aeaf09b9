using System.Globalization;
using System.Text;

namespace CudaNet.Cli.Plots;

/// <summary>One line of a chart: a label, a colour and its (x, y) points.</summary>
internal sealed record Series(string Label, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// A line chart panel rendered as SVG: axes with "nice" tick values, grid lines, a title, axis labels and a
/// legend. Panels are laid side by side by <see cref="SvgDocument"/>. No dependency beyond the BCL.
/// </summary>
internal sealed class LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX = false,
    bool integerX = false)
{
    private const double Left = 70, Right = 20, Top = 40, Bottom = 55;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public void Render(StringBuilder svg, double originX, double width, double height)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && (!logX || p.X > 0)).ToArray();
        double plotW = width - Left - Right, plotH = height - Top - Bottom;
        svg.Append($"<g transform=\"translate({F(originX)},0)\">");
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>");
        if (points.Length == 0)
        {
            svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{F(Top + plotH / 2)}\" text-anchor=\"middle\">no data</text></g>");
            return;
        }
        double Tx(double x) => logX ? Math.Log10(x) : x;
        var (xMin, xMax) = Range(points.Select(p => Tx(p.X)));
        var (yMin, yMax) = Range(points.Select(p => p.Y));
        var xTicks = logX ? DecadeTicks(xMin, xMax) : NiceTicks(xMin, xMax, integerX ? 1 : 0);
        var yTicks = NiceTicks(yMin, yMax);
        (xMin, xMax) = (Math.Min(xMin, xTicks[0]), Math.Max(xMax, xTicks[^1]));
        (yMin, yMax) = (Math.Min(yMin, yTicks[0]), Math.Max(yMax, yTicks[^1]));
        double Px(double x) => Left + (Tx(x) - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => Top + plotH - (y - yMin) / (yMax - yMin) * plotH;

        foreach (double t in yTicks)
        {
            double y = Py(t);
            svg.Append($"<line x1=\"{F(Left)}\" y1=\"{F(y)}\" x2=\"{F(Left + plotW)}\" y2=\"{F(y)}\" stroke=\"#e0e0e0\"/>");
            svg.Append($"<text x=\"{F(Left - 6)}\" y=\"{F(y + 4)}\" text-anchor=\"end\" font-size=\"12\">{Label(t)}</text>");
        }
        foreach (double t in xTicks)
        {
            double x = Left + (t - xMin) / (xMax - xMin) * plotW;
            svg.Append($"<line x1=\"{F(x)}\" y1=\"{F(Top)}\" x2=\"{F(x)}\" y2=\"{F(Top + plotH)}\" stroke=\"#e0e0e0\"/>");
            string text = logX ? $"1e{t.ToString("0", Invariant)}" : Label(t);
            svg.Append($"<text x=\"{F(x)}\" y=\"{F(Top + plotH + 18)}\" text-anchor=\"middle\" font-size=\"12\">{text}</text>");
        }
        svg.Append($"<rect x=\"{F(Left)}\" y=\"{F(Top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#333\"/>");
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{F(height - 12)}\" text-anchor=\"middle\" font-size=\"13\">{Escape(xLabel)}</text>");
        svg.Append($"<text transform=\"translate(18,{F(Top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">{Escape(yLabel)}</text>");

        foreach (var s in series)
        {
            var visible = s.Points.Where(p => double.IsFinite(p.Y) && (!logX || p.X > 0)).ToArray();
            if (visible.Length == 0) continue;
            string path = string.Join(" ", visible.Select((p, i) => $"{(i == 0 ? "M" : "L")}{F(Px(p.X))},{F(Py(p.Y))}"));
            string dash = s.Dashed ? " stroke-dasharray=\"6,4\"" : "";
            svg.Append($"<path d=\"{path}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>");
            if (visible.Length <= 60)
                foreach (var p in visible) svg.Append($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"3\" fill=\"{s.Color}\"/>");
        }
        // The legend sits in a white box so that curves passing under it stay readable around it.
        svg.Append($"<rect x=\"{F(Left + plotW - 158)}\" y=\"{F(Top + 4)}\" width=\"150\" height=\"{F(18 * series.Count + 6)}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>");
        for (int i = 0; i < series.Count; i++)
        {
            double y = Top + 18 + 18 * i, x = Left + plotW - 150;
            string dash = series[i].Dashed ? " stroke-dasharray=\"6,4\"" : "";
            svg.Append($"<line x1=\"{F(x)}\" y1=\"{F(y - 4)}\" x2=\"{F(x + 24)}\" y2=\"{F(y - 4)}\" stroke=\"{series[i].Color}\" stroke-width=\"2\"{dash}/>");
            svg.Append($"<text x=\"{F(x + 30)}\" y=\"{F(y)}\" font-size=\"12\">{Escape(series[i].Label)}</text>");
        }
        svg.Append("</g>");
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        double min = list.Min(), max = list.Max();
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max))) (min, max) = (min - 0.5, max + 0.5);
        return (min, max);
    }

    /// <summary>About five round tick values (1, 2 or 5 × 10^k apart) covering [min, max].</summary>
    internal static double[] NiceTicks(double min, double max, double minStep = 0)
    {
        double raw = Math.Max((max - min) / 5, minStep);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        double first = Math.Floor(min / step) * step, last = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((last - first) / step) + 1;
        return Enumerable.Range(0, count).Select(i => first + i * step).ToArray();
    }

    private static double[] DecadeTicks(double min, double max) =>
        Enumerable.Range((int)Math.Floor(min), (int)Math.Ceiling(max) - (int)Math.Floor(min) + 1).Select(d => (double)d).ToArray();

    private static string Label(double v) => Math.Abs(v) < 1e-12 ? "0" : v.ToString(Math.Abs(v) >= 1000 || Math.Abs(v) < 0.001 ? "0.##E+0" : "0.####", Invariant);

    private static string F(double v) => v.ToString("0.##", Invariant);

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>Panels side by side in one SVG document.</summary>
internal static class SvgDocument
{
    public static string Render(IReadOnlyList<LineChart> panels, double panelWidth = 520, double height = 380)
    {
        var svg = new StringBuilder();
        double width = panelWidth * panels.Count;
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        for (int i = 0; i < panels.Count; i++) panels[i].Render(svg, i * panelWidth, panelWidth, height);
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
