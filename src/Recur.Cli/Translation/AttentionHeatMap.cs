using System.Globalization;
using System.Security;
using System.Text;
using Recur.Cli.Output;

namespace Recur.Cli.Translation;

/// <summary>
/// Attention weights as an SVG heat map, one panel per item: source tokens along x, output
/// tokens down y, each cell shaded by its weight (white 0 → dark blue 1).
/// </summary>
internal static class AttentionHeatMap
{
    /// <summary>One item: its source and output tokens and the (output, source) weights.</summary>
    public sealed record Panel(string[] Source, string[] Output, float[,] Weights);

    public static void Save(string path, string title, IReadOnlyList<Panel> panels)
        => JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(Render(title, panels)));

    public static string Render(string title, IReadOnlyList<Panel> panels)
    {
        const int cell = 22, left = 70, gap = 40, top = 40;
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        int width = left + 20 + cell * Math.Max(1, panels.Max(p => p.Source.Length));
        int height = top + panels.Sum(p => cell * (p.Output.Length + 1) + gap);
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append($"<text x=\"10\" y=\"20\" font-size=\"14\">{SecurityElement.Escape(title)}</text>\n");
        int y0 = top;
        foreach (var p in panels)
        {
            // Source tokens above the columns, output tokens left of the rows.
            for (int j = 0; j < p.Source.Length; j++)
                svg.Append($"<text x=\"{F(left + j * cell + cell / 2.0)}\" y=\"{y0 + cell - 6}\" text-anchor=\"middle\">{SecurityElement.Escape(p.Source[j])}</text>\n");
            for (int i = 0; i < p.Output.Length; i++)
            {
                int y = y0 + cell * (i + 1);
                svg.Append($"<text x=\"{left - 6}\" y=\"{y + cell - 6}\" text-anchor=\"end\">{SecurityElement.Escape(p.Output[i])}</text>\n");
                for (int j = 0; j < p.Source.Length; j++)
                {
                    double w = Math.Clamp(p.Weights[i, j], 0f, 1f);
                    int shade = (int)Math.Round(255 * (1 - w));
                    svg.Append($"<rect x=\"{left + j * cell}\" y=\"{y}\" width=\"{cell - 1}\" height=\"{cell - 1}\" fill=\"rgb({shade},{shade},255)\"><title>{F(100 * w)} %</title></rect>\n");
                }
            }
            y0 += cell * (p.Output.Length + 1) + gap;
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
