using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Secrets;

/// <summary>
/// What <c>secret</c> and <c>config</c> share: the Engine API's routes of one kind (<c>/secrets</c>, <c>/configs</c>),
/// EventSwarm's rotate route, docker's limit on the data it reads (swarmkit's MaxSecretSize, 500 KB; configs 1000 KB).
/// </summary>
public sealed record StoredKind(string Noun, string Plural, int MaxBytes)
{
    public static readonly StoredKind Secret = new("secret", "secrets", 500 * 1024);

    public static readonly StoredKind Config = new("config", "configs", 1000 * 1024);

    public string CreatePath => $"/v1.41/{Plural}/create";

    public string PathOf(string nameOrId) => $"/v1.41/{Plural}/{Uri.EscapeDataString(nameOrId)}";

    public string RotatePath(string nameOrId) => $"/eventswarm/v1/{Plural}/{Uri.EscapeDataString(nameOrId)}/rotate";

    public string ListPath(Dictionary<string, IDictionary<string, bool>> filters) =>
        filters.Count == 0 ? $"/v1.41/{Plural}" : $"/v1.41/{Plural}?filters={Uri.EscapeDataString(JsonSerializer.Serialize(filters))}";
}

/// <summary>
/// A secret or config as the manager answers it: the Engine API's object (<c>swarm.Secret</c>, <c>swarm.Config</c>)
/// and EventSwarm's two additions, the data's version and the tasks that use it. The CLI's own type, so that a
/// docker-only field set (the SDK's models) does not drop ours.
/// </summary>
public sealed record StoredObject
{
    public string ID { get; init; } = "";

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    public StoredSpec Spec { get; init; } = new();

    /// <summary>EventSwarm's: 1 when created, one more per rotation; absent from a Docker Engine's answer.</summary>
    public long? DataVersion { get; init; }

    /// <summary>EventSwarm's: the tasks that use this object, each with the version it runs.</summary>
    public IReadOnlyList<TaskUse>? Tasks { get; init; }

    public static StoredObject Read(JsonNode? json) => json.Deserialize<StoredObject>(Api.DockerJson.Options) ?? new StoredObject();
}

/// <summary>swarm.SecretSpec / swarm.ConfigSpec as sent to <c>POST /secrets/create</c>; Data goes as base64, as Go's []byte.</summary>
public sealed record StoredSpec
{
    public string Name { get; init; } = "";

    public Dictionary<string, string> Labels { get; init; } = [];

    public byte[]? Data { get; init; }

    public StoredDriver? Driver { get; init; }

    public StoredDriver? Templating { get; init; }
}

public sealed record StoredDriver(string Name);

public sealed record TaskUse(string ID, string ServiceID, string NodeID, long DataVersion);

/// <summary>EventSwarm's rotate answer: <c>{"ID":"…","DataVersion":2}</c>.</summary>
public sealed record Rotated(string ID, long DataVersion);

/// <summary>The calls and layouts of the secret and config verbs.</summary>
public static class StoredObjects
{
    /// <summary>
    /// docker's readSecretData/readConfigData: the file's bytes or standard input's for "-", empty refused, at most
    /// twice the manager's limit read (the manager refuses what is over its limit, with its own words).
    /// </summary>
    public static byte[] ReadData(string file, Func<Stream> stdin, int maxBytes)
    {
        if (file == "-")
        {
            using var input = stdin();
            var data = ReadAtMost(input, 2 * maxBytes);
            return data.Length > 0 ? data : throw new UsageException("error reading from STDIN: data is empty");
        }
        try
        {
            using var stream = File.OpenRead(file);
            var data = ReadAtMost(stream, 2 * maxBytes);
            return data.Length > 0 ? data : throw new UsageException($"error reading from {file}: data is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Go's os.Open error, as docker prints it: "open FILE: no such file or directory".
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw new UsageException($"error reading from {file}: open {file}: {why}");
        }
    }

    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < limit && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length))) > 0) buffer.Write(chunk, 0, read);
        return buffer.ToArray();
    }

    public static string Body<T>(T value) => JsonSerializer.Serialize(value, Api.DockerJson.Options);

    public static async Task<string> CreateAsync(CliContext context, StoredKind kind, StoredSpec spec)
    {
        var answer = await context.SendAsync(HttpMethod.Post, kind.CreatePath, Body(spec));
        return JsonNode.Parse(answer)?["ID"]?.GetValue<string>() ?? "";
    }

    public static async Task<List<StoredObject>> ListAsync(CliContext context, StoredKind kind, Dictionary<string, IDictionary<string, bool>> filters)
    {
        var answer = await context.SendAsync(HttpMethod.Get, kind.ListPath(filters));
        var listed = JsonSerializer.Deserialize<List<StoredObject>>(answer, Api.DockerJson.Options) ?? [];
        // docker sorts by name in natural order (sortorder.NaturalLess: "2-foo" before "10-foo").
        return [.. listed.OrderBy(o => o.Spec.Name, NaturalOrder.Instance)];
    }

    /// <summary>
    /// ls output as docker's: the IDs alone with -q (unless a template is given), else the rows through the default
    /// table or the user's template. Row fields are docker's: ID, Name, [Driver,] CreatedAt, UpdatedAt, Labels.
    /// </summary>
    public static void WriteList(TextWriter output, IReadOnlyList<StoredObject> objects, string? format, bool quiet, string defaultTable, DateTime now)
    {
        if (quiet && format is null or "" or "table")
        {
            foreach (var o in objects) output.WriteLine(o.ID);
            return;
        }
        var rows = objects.Select(o => Row(o, now, withDriver: defaultTable.Contains("{{.Driver}}", StringComparison.Ordinal))).ToList();
        Listing.Write(output, format, rows, () => Listing.Write(output, defaultTable, rows, () => { }, Headers), Headers);
    }

    /// <summary>docker's secret/config formatters head CreatedAt and UpdatedAt "CREATED" and "UPDATED".</summary>
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["ID"] = "ID",
        ["CreatedAt"] = "CREATED",
        ["UpdatedAt"] = "UPDATED",
    };

    public static JsonObject Row(StoredObject o, DateTime now, bool withDriver)
    {
        var row = new JsonObject { ["CreatedAt"] = Ago(o.CreatedAt, now) };
        if (withDriver) row["Driver"] = o.Spec.Driver?.Name ?? "";
        row["ID"] = o.ID;
        row["Labels"] = string.Join(",", o.Spec.Labels.Select(l => $"{l.Key}={l.Value}").Order(StringComparer.Ordinal));
        row["Name"] = o.Spec.Name;
        row["UpdatedAt"] = Ago(o.UpdatedAt, now);
        return row;
    }

    private static string Ago(DateTime at, DateTime now) => Units.HumanDuration(now - at.ToUniversalTime()) + " ago";

    /// <summary>
    /// inspect as docker's (cli/command/inspect): every name asked, the manager's JSON of those found (EventSwarm's
    /// DataVersion and Tasks included), then one error line per name not found, exit 1 if any.
    /// </summary>
    public static async Task<(List<JsonNode> Found, List<string> Errors)> InspectAsync(CliContext context, StoredKind kind, IEnumerable<string> names)
    {
        var found = new List<JsonNode>();
        var errors = new List<string>();
        foreach (var name in names)
        {
            try
            {
                if (JsonNode.Parse(await context.SendAsync(HttpMethod.Get, kind.PathOf(name))) is { } json) found.Add(json);
            }
            catch (DockerApiException e)
            {
                errors.Add($"Error response from daemon: {CliApp.ServerMessage(e)}");
            }
        }
        return (found, errors);
    }

    /// <summary>
    /// docker's <c>--pretty</c> rule: it wins over <c>-f</c>; <c>-f pretty</c> is the same; <c>-f prettyX</c> is refused.
    /// </summary>
    public static bool IsPretty(bool pretty, string? format) =>
        pretty || format == "pretty" || (format?.StartsWith("pretty", StringComparison.Ordinal) == true
            ? throw new UsageException("cannot supply extra formatting options to the pretty template") : false);

    public static async Task<int> InspectAsync(CliContext context, StoredKind kind, IReadOnlyList<string> names, bool pretty, string? format, Func<StoredObject, string> layout)
    {
        pretty = IsPretty(pretty, format);
        var (found, errors) = await InspectAsync(context, kind, names);
        if (pretty)
            foreach (var json in found) context.Out.WriteLine(layout(StoredObject.Read(json)));
        else
            Listing.WriteInspect(context.Out, format, found); // "[]" when none was found, as docker's inspect prints
        foreach (var error in errors) await context.Err.WriteLineAsync(error);
        return errors.Count > 0 ? 1 : 0;
    }

    /// <summary>docker's rm: each name removed is printed; each failure is reported; exit 1 if any failed.</summary>
    public static async Task<int> RemoveAsync(CliContext context, StoredKind kind, IReadOnlyList<string> names)
    {
        var failed = false;
        foreach (var name in names)
        {
            try
            {
                await context.SendAsync(HttpMethod.Delete, kind.PathOf(name));
                context.Out.WriteLine(name);
            }
            catch (DockerApiException e)
            {
                await context.Err.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>EventSwarm's rotate: the new data as the next version; its services' tasks move to it one by one.</summary>
    public static async Task<int> RotateAsync(CliContext context, StoredKind kind, string name, byte[] data)
    {
        var answer = await context.SendAsync(HttpMethod.Post, kind.RotatePath(name), Body(new { Data = data }));
        var rotated = JsonSerializer.Deserialize<Rotated>(answer, Api.DockerJson.Options);
        context.Out.WriteLine($"{name} rotated to version {rotated?.DataVersion}");
        return 0;
    }

    /// <summary>Our lines in the --pretty layouts: the data's version and how many of the tasks using it are behind.</summary>
    public static (string Version, string Behind)? VersionLines(StoredObject o) => o.DataVersion is { } version
        ? (version.ToString(CultureInfo.InvariantCulture),
            $"{(o.Tasks ?? []).Count(t => t.DataVersion < version)} of {(o.Tasks ?? []).Count}")
        : null;

    /// <summary>A label list as docker's pretty templates range over it: sorted by key, " - k=v" (" - k" when empty).</summary>
    public static string LabelLines(StoredSpec spec) => spec.Labels.Count == 0 ? ""
        : "Labels:\n" + string.Concat(spec.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Value == "" ? $" - {l.Key}\n" : $" - {l.Key}={l.Value}\n"));

    /// <summary>
    /// A time as docker's formatter.PrettyPrint writes it: Go's time.String ("2006-01-02 15:04:05.999999999 -0700 MST",
    /// fraction without trailing zeros), first letter up and the rest down (hence "+0000 utc").
    /// </summary>
    public static string PrettyTime(DateTime at)
    {
        var utc = at.ToUniversalTime();
        var text = new StringBuilder(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        var fraction = utc.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        if (fraction.Length > 0) text.Append('.').Append(fraction);
        return text.Append(" +0000 utc").ToString();
    }
}

/// <summary>fvbommel/sortorder's NaturalLess: runs of digits compare as numbers, the rest byte by byte.</summary>
public sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                var a = x[si..i].TrimStart('0');
                var b = y[sj..j].TrimStart('0');
                var byValue = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                if (byValue != 0) return byValue;
                // Equal values: the one with fewer leading zeros first, as sortorder does.
                if (i - si != j - sj) return (i - si).CompareTo(j - sj);
                continue;
            }
            if (x[i] != y[j]) return x[i].CompareTo(y[j]);
            i++;
            j++;
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
