using System.Text;
using System.Xml.Linq;

namespace EksModule.Engine.Dns;

public sealed record HostedZone(string Id, string Name, bool IsPrivate, long? RecordCount)
{
    /// <summary>The zone id without the "/hostedzone/" prefix Route 53 puts on it.</summary>
    public string ShortId => Route53Names.ShortZoneId(Id);
}

public sealed record AliasTarget(string HostedZoneId, string DnsName, bool EvaluateTargetHealth);

/// <summary>
/// One resource record set. <see cref="Raw"/> keeps the element Route 53 returned, because a DELETE
/// must repeat the current record set exactly (routing policy, health check, ... included).
/// </summary>
public sealed record RecordSet(string Name, string Type, long? Ttl, IReadOnlyList<string> Values, AliasTarget? Alias,
    string? SetIdentifier = null, XElement? Raw = null)
{
    public string Key => Route53Names.Key(Name, Type, SetIdentifier);

    /// <summary>Same answer to DNS clients: same values (any order), TTL and alias target.</summary>
    public bool SameDataAs(RecordSet other)
    {
        if (Alias is not null || other.Alias is not null)
            return Alias is not null && other.Alias is not null
                && string.Equals(Route53Names.ShortZoneId(Alias.HostedZoneId), Route53Names.ShortZoneId(other.Alias.HostedZoneId), StringComparison.OrdinalIgnoreCase)
                && string.Equals(Route53Names.Normalize(Alias.DnsName), Route53Names.Normalize(other.Alias.DnsName), StringComparison.Ordinal)
                && Alias.EvaluateTargetHealth == other.Alias.EvaluateTargetHealth;
        return Ttl == other.Ttl
            && Values.OrderBy(v => v, StringComparer.Ordinal).SequenceEqual(other.Values.OrderBy(v => v, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public string Describe() => Alias is not null
        ? $"ALIAS {Alias.DnsName} (zone {Route53Names.ShortZoneId(Alias.HostedZoneId)})"
        : $"{string.Join(", ", Values)} (TTL {Ttl})";
}

public enum ChangeAction { Create, Upsert, Delete }

public sealed record RecordChange(ChangeAction Action, RecordSet Record);

public sealed record ChangeInfo(string Id, string Status, DateTime? SubmittedAt)
{
    public string ShortId => Id.StartsWith("/change/", StringComparison.Ordinal) ? Id["/change/".Length..] : Id;
}

/// <summary>DNS name handling as Route 53 does it: case-insensitive, absolute with a trailing dot, octal escapes.</summary>
public static class Route53Names
{
    public static string ShortZoneId(string id)
    {
        var slash = id.LastIndexOf('/');
        return slash >= 0 ? id[(slash + 1)..] : id;
    }

    /// <summary>Lower case, trailing dot, Route 53's \ooo escapes (\052 for *) decoded.</summary>
    public static string Normalize(string name)
    {
        var text = name.Trim();
        if (text.Contains('\\'))
        {
            var sb = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\\' && IsOctal(text, i + 1))
                {
                    sb.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                    i += 3;
                }
                else sb.Append(text[i]);
            }
            text = sb.ToString();
        }
        text = text.ToLowerInvariant();
        return text.EndsWith('.') ? text : text + ".";
    }

    private static bool IsOctal(string s, int start)
        => start + 3 <= s.Length && s.Skip(start).Take(3).All(c => c is >= '0' and <= '7');

    public static string Key(string name, string type, string? setIdentifier)
        => $"{Normalize(name)}|{type.ToUpperInvariant()}|{setIdentifier}";

    /// <summary>Whether <paramref name="name"/> is the zone apex or inside the zone.</summary>
    public static bool IsInZone(string name, string zoneName)
    {
        var n = Normalize(name);
        var z = Normalize(zoneName);
        return n == z || n.EndsWith("." + z, StringComparison.Ordinal);
    }
}
