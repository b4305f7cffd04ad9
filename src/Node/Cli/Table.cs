namespace EventSwarm.Node.Cli;

/// <summary>docker's tables: Go's tabwriter(minwidth 10, padding 3): a column is its widest cell plus 3, at least 10; the last is not padded.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print(TextWriter output)
    {
        var widths = Enumerable.Range(0, headers.Length).Select(c => Math.Max(_rows.Max(r => r[c].Length) + 3, 10)).ToArray();
        foreach (var row in _rows)
            output.WriteLine(string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))));
    }
}
