using System.Text.RegularExpressions;

namespace EventSwarm.Infrastructure.Stacks;

// The image a service is created with. docker's API client tags every service image before sending it
// (moby client ServiceCreate/ServiceUpdate: imageWithTagString = reference.FamiliarString(TagNameOnly(
// ParseNormalizedNamed(image)))), and pins it to a digest only when the registry answers; EventSwarm's nodes pull
// from their own engines, so the stack's services get the tagged name, exactly what the stock CLI sends here.
public static partial class ComposeConverter
{
    private const string DefaultDomain = "docker.io";

    // distribution/reference's grammar, with Go's ASCII-only \w.
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainAndPort = "(?:" + DomainComponent + "(?:\\." + DomainComponent + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private const string NamePattern = "(?:" + DomainAndPort + "/)?" + PathComponent + "(?:/" + PathComponent + ")*";

    [GeneratedRegex("^(?<name>" + NamePattern + ")(?::(?<tag>[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexIdentifier();

    /// <summary>
    /// `wordpress` → `wordpress:latest`, `docker.io/library/mysql:5.7` → `mysql:5.7`; a digest stays; what docker
    /// cannot parse is sent as written (the engine then refuses it with its own message).
    /// </summary>
    internal static string ImageWithTag(string image)
    {
        if (HexIdentifier().IsMatch(image)) return image;
        // splitDockerDomain: the first component is a registry when it has a '.' or ':', is "localhost", or has capitals.
        var slash = image.IndexOf('/');
        string domain, remainder;
        if (slash < 0 || (image.AsSpan(0, slash).IndexOfAny(".:") < 0 && image[..slash] != "localhost" && !image[..slash].Any(char.IsUpper)))
            (domain, remainder) = (DefaultDomain, image);
        else
            (domain, remainder) = (image[..slash], image[(slash + 1)..]);
        if (domain == "index.docker.io") domain = DefaultDomain;
        if (domain == DefaultDomain && !remainder.Contains('/')) remainder = "library/" + remainder;
        var tagAt = remainder.IndexOf(':');
        var repository = tagAt < 0 ? remainder : remainder[..tagAt];
        if (repository.Any(char.IsUpper)) return image;

        var match = ReferencePattern().Match(domain + "/" + remainder);
        if (!match.Success || match.Groups["name"].Value.Length > 255) return image;
        var digest = match.Groups["digest"];
        if (digest.Success && !ValidDigest(digest.Value)) return image;
        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : digest.Success ? null : "latest";

        var path = match.Groups["name"].Value[(domain.Length + 1)..];
        var familiar = domain != DefaultDomain
            ? domain + "/" + path
            : path.StartsWith("library/", StringComparison.Ordinal) && !path["library/".Length..].Contains('/') ? path["library/".Length..] : path;
        return familiar + (tag is null ? "" : ":" + tag) + (digest.Success ? "@" + digest.Value : "");
    }

    /// <summary>go-digest: a registered algorithm with its hex length, lower case.</summary>
    private static bool ValidDigest(string digest)
    {
        var colon = digest.IndexOf(':');
        var length = digest[..colon] switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => -1,
        };
        var hex = digest[(colon + 1)..];
        return hex.Length == length && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
    }
}
