using System.Globalization;
using System.Net;
using System.Text;
using Recur.Cli.Output;

namespace Recur.Cli.Speech;

/// <summary>
/// The CTC alignment of one utterance as an SVG: a heat map of the posteriors (classes × steps,
/// darker = more probable) with the best class of each step outlined, titled with the reference
/// and the recognised transcript.
/// </summary>
internal static class AlignmentPlot
{
    public static void Save(string path, float[] posteriors, int classes, SpeechAlphabet alphabet, string reference, string hypothesis, double stepSeconds)
    {
        int T = posteriors.Length / classes;
        const int left = 40, top = 46, cellH = 16;
        int cellW = Math.Max(3, Math.Min(12, 900 / Math.Max(T, 1)));
        int width = left + T * cellW + 20, height = top + classes * cellH + 40;
        var svg = new StringBuilder();
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"16\">reference: {WebUtility.HtmlEncode(reference)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"32\">recognised: {WebUtility.HtmlEncode(hypothesis)}</text>\n");
        for (int c = 0; c < classes; c++)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + c * cellH + 12}\" text-anchor=\"end\">{WebUtility.HtmlEncode(alphabet.Name(c))}</text>\n");
        for (int t = 0; t < T; t++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (posteriors[t * classes + c] > posteriors[t * classes + best]) best = c;
            for (int c = 0; c < classes; c++)
            {
                double p = posteriors[t * classes + c];
                if (p < 0.02 && c != best) continue;
                int shade = (int)Math.Round(255 * (1 - p));
                string stroke = c == best ? " stroke=\"#d62728\" stroke-width=\"1\"" : "";
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + t * cellW}\" y=\"{top + c * cellH}\" width=\"{cellW}\" height=\"{cellH}\" fill=\"rgb({shade},{shade},255)\"{stroke}/>\n");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{T * cellW}\" height=\"{classes * cellH}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 12}\">time: {T} steps of {F(stepSeconds * 1000)} ms ({F(T * stepSeconds)} s); rows: CTC classes ({SpeechAlphabet.BlankName} = blank); red: the best class per step</text>\n");
        svg.Append("</svg>\n");
        JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(svg.ToString()));
    }
}
