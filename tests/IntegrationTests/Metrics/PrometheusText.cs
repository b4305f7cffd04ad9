using System.Globalization;
using System.Text;

namespace EventSwarm.IntegrationTests.Metrics;

/// <summary>One scrape in Prometheus' text format (0.0.4), parsed into its samples: what a Prometheus server reads.</summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Metric name → type, from the # TYPE lines.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    private PrometheusText(IReadOnlyList<Sample> samples, IReadOnlyDictionary<string, string> types) => (Samples, Types) = (samples, types);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line[0] == '#') continue;
            samples.Add(ParseSample(line));
        }
        return new PrometheusText(samples, types);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> Series(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <summary>The one sample of <paramref name="name"/> with exactly these labels; fails if there is none.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Series(name, labels).Where(s => s.Labels.Count == labels.Length).ToList();
        return matches.Count == 1 ? matches[0].Value : throw new InvalidOperationException($"{matches.Count} samples of {name}{{{string.Join(",", labels)}}}");
    }

    public double Sum(string name, params (string Name, string Value)[] labels) => Series(name, labels).Sum(s => s.Value);

    private static Sample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (brace < 0 || brace > space)
            return new Sample(line[..space], labels, ParseValue(line[(space + 1)..]));
        var name = line[..brace];
        var at = brace + 1;
        while (line[at] != '}')
        {
            var equals = line.IndexOf('=', at);
            var label = line[at..equals];
            at = equals + 2; // past ="
            var value = new StringBuilder();
            while (line[at] != '"')
            {
                if (line[at] == '\\')
                {
                    at++;
                    value.Append(line[at] == 'n' ? '\n' : line[at]);
                }
                else value.Append(line[at]);
                at++;
            }
            labels[label] = value.ToString();
            at++; // past the closing quote
            if (line[at] == ',') at++;
        }
        return new Sample(name, labels, ParseValue(line[(at + 2)..]));
    }

    private static double ParseValue(string text)
    {
        var value = text.Split(' ')[0];
        return value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(value, CultureInfo.InvariantCulture),
        };
    }
}
