using System.Net;

namespace EventSwarm.Domain.Networking;

/// <summary>An IPv4 subnet in CIDR form, with the address arithmetic the allocator needs.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
    public uint Broadcast => Network | ~Mask;

    /// <summary>The first host address, Docker's default gateway.</summary>
    public uint FirstHost => Network + 1;

    public bool Contains(uint address) => (address & Mask) == Network;
    public bool Overlaps(Ipv4Subnet other) => Contains(other.Network) || other.Contains(Network);

    /// <summary>Whether Go's net.ParseCIDR would read it (ADDRESS/PREFIX), which the engine's messages distinguish.</summary>
    public static bool IsCidrNotation(string text) =>
        text.Split('/') is [var address, var prefix] && IPAddress.TryParse(address, out _) && int.TryParse(prefix, out _);

    public static bool TryParse(string? text, out Ipv4Subnet subnet, out string error)
    {
        subnet = default;
        error = $"invalid subnet '{text}': expected an IPv4 CIDR such as 10.0.9.0/24";
        if (string.IsNullOrWhiteSpace(text)) return false;
        var slash = text.IndexOf('/');
        if (slash < 0 || !TryParseAddress(text[..slash], out var address) || !int.TryParse(text[(slash + 1)..], out var prefix) || prefix is < 0 or > 32)
            return false;
        if (prefix > 29)
        {
            error = $"invalid subnet '{text}': a network needs at least 8 addresses (/29 or larger)";
            return false;
        }
        var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        if ((address & mask) != address)
        {
            error = $"invalid subnet '{text}': the address has host bits set (did you mean {Format(address & mask)}/{prefix}?)";
            return false;
        }
        subnet = new Ipv4Subnet(address, prefix);
        return true;
    }

    public static Ipv4Subnet Parse(string text) =>
        TryParse(text, out var subnet, out var error) ? subnet : throw new FormatException(error);

    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
            return false;
        var bytes = ip.GetAddressBytes();
        address = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        return true;
    }

    public static uint ParseAddress(string text) =>
        TryParseAddress(text, out var address) ? address : throw new FormatException($"invalid IPv4 address '{text}'");

    public static string Format(uint address) => $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";

    public override string ToString() => $"{Format(Network)}/{PrefixLength}";
}
