using System.Text;

namespace EksModule.Engine.Dns;

/// <summary>Who claims a DNS name: the module (heritage eksmodule) or ExternalDNS (heritage external-dns), and where the claim is written.</summary>
public sealed record RecordOwner(string Heritage, string OwnerId, string MarkName)
{
    public string Describe() => Heritage == DnsOwnership.Heritage
        ? $"EksModule owner '{OwnerId}' (TXT {MarkName.TrimEnd('.')})"
        : $"ExternalDNS owner '{OwnerId}' (TXT {MarkName.TrimEnd('.')})";
}

/// <summary>
/// The module's ownership registry, in the manner of ExternalDNS's TXT registry and beside it. Each record
/// the module writes gets a TXT record "_eksmodule-&lt;type&gt;.&lt;name&gt;" holding
/// "heritage=eksmodule,eksmodule/owner=&lt;owner id&gt;". The extra label keeps the mark in the record's zone
/// even at the apex, never shares a name with a CNAME, and cannot collide with ExternalDNS's own registry
/// names ("&lt;type&gt;-&lt;name&gt;", or the record's own name in its legacy format); ExternalDNS ignores TXT values
/// whose heritage is not external-dns, so it never reads our mark as its ownership.
/// </summary>
public static class DnsOwnership
{
    public const string Heritage = "eksmodule";
    public const string ExternalDnsHeritage = "external-dns";
    private const string OwnerKey = "eksmodule/owner";
    private const string ExternalDnsOwnerKey = "external-dns/owner";
    private const long MarkTtl = 300;

    /// <summary>The name of the module's mark for a record: one label in front of the record's name.</summary>
    public static string MarkName(string recordName, string type)
        => $"_eksmodule-{type.ToLowerInvariant()}.{Route53Names.Normalize(recordName)}";

    public static RecordSet Mark(RecordSet record, string ownerId)
        => new(MarkName(record.Name, record.Type), "TXT", MarkTtl, new[] { MarkValue(ownerId) }, null);

    public static string MarkValue(string ownerId) => $"\"heritage={Heritage},{OwnerKey}={ownerId}\"";

    /// <summary>
    /// Where ExternalDNS (default settings, no --txt-prefix/--txt-suffix) keeps its claim on a record: the
    /// "&lt;type&gt;-" prefixed name (v0.12+), the record's own name (legacy format), and for A records the
    /// "cname-" name older versions used for alias records. Names outside the zone are left out.
    /// </summary>
    public static IEnumerable<string> ExternalDnsMarkNames(string recordName, string type, string zoneName)
    {
        var name = Route53Names.Normalize(recordName);
        var types = type == "A" ? new[] { "a", "cname" } : new[] { type.ToLowerInvariant() };
        var dot = name.IndexOf('.');
        foreach (var t in types)
        {
            var candidate = $"{t}-{name[..dot]}{name[dot..]}";
            if (dot + t.Length + 1 <= 63 && Route53Names.IsInZone(candidate, zoneName)) yield return candidate;
        }
        yield return name;
    }

    /// <summary>Every claim found in the TXT record sets read at the mark names of a record.</summary>
    public static IReadOnlyList<RecordOwner> Owners(IEnumerable<RecordSet> txtRecordSets)
    {
        var owners = new List<RecordOwner>();
        foreach (var set in txtRecordSets.Where(s => s.Type == "TXT"))
            foreach (var value in set.Values)
            {
                var labels = ParseLabels(value);
                if (labels is null || !labels.TryGetValue("heritage", out var heritage)) continue;
                var ours = heritage == Heritage && Route53Names.Normalize(set.Name).StartsWith("_eksmodule-", StringComparison.Ordinal);
                var theirs = heritage == ExternalDnsHeritage;
                if (!ours && !theirs) continue;
                labels.TryGetValue(ours ? OwnerKey : ExternalDnsOwnerKey, out var owner);
                owners.Add(new RecordOwner(heritage, owner ?? string.Empty, set.Name));
            }
        return owners;
    }

    /// <summary>"key=value,key=value" from one TXT value (quoted character-strings joined), or null when it is not that shape.</summary>
    public static Dictionary<string, string>? ParseLabels(string txtValue)
    {
        var text = Unquote(txtValue);
        if (!text.StartsWith("heritage=", StringComparison.Ordinal)) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(','))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) return null;
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels;
    }

    /// <summary>A TXT value as Route 53 shows it ("a" "b", with \" and \\ escapes) turned back into its text.</summary>
    public static string Unquote(string value)
    {
        var text = value.Trim();
        if (!text.StartsWith('"')) return text;
        var sb = new StringBuilder(text.Length);
        var inside = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"') { inside = !inside; continue; }
            if (!inside) continue;
            if (c == '\\' && i + 1 < text.Length) { sb.Append(text[++i]); continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>An owner id fits in the mark's value: 1 to 200 visible ASCII characters, none of , = " \ or space.</summary>
    public static string ValidateOwnerId(string ownerId)
    {
        var trimmed = ownerId.Trim();
        if (trimmed.Length is 0 or > 200 || trimmed.Any(c => c is < '!' or > '~' or ',' or '=' or '"' or '\\'))
            throw new InvalidRecordInputException("InvalidOwnerId",
                $"'{ownerId}' cannot be an owner id: use 1 to 200 visible ASCII characters without spaces, commas, '=', quotes or backslashes (a cluster ARN or a team name, for example).");
        return trimmed;
    }

    /// <summary>
    /// The default owner id when a record is not tied to a cluster: the caller's account, written as the account's
    /// ARN (arn:&lt;partition&gt;:iam::&lt;account&gt;:root), from the caller's identity ARN.
    /// </summary>
    public static string AccountOwnerId(string callerArn)
    {
        var parts = callerArn.Split(':');
        return $"arn:{parts[1]}:iam::{parts[4]}:root";
    }

    /// <summary>The ARN of the EKS cluster a load balancer belongs to (same partition, region and account).</summary>
    public static string ClusterOwnerId(string partition, string region, string account, string clusterName)
        => $"arn:{partition}:eks:{region}:{account}:cluster/{clusterName}";

    /// <summary>The cluster named by a load balancer's tags: the AWS Load Balancer Controller's, the in-tree cloud provider's, or EKS Auto Mode's.</summary>
    public static string? ClusterNameFromTags(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.TryGetValue("elbv2.k8s.aws/cluster", out var name) && name.Length > 0) return name;
        if (tags.TryGetValue("eks:eks-cluster-name", out name) && name.Length > 0) return name;
        foreach (var key in tags.Keys)
            if (key.StartsWith("kubernetes.io/cluster/", StringComparison.Ordinal) && key.Length > "kubernetes.io/cluster/".Length)
                return key["kubernetes.io/cluster/".Length..];
        return null;
    }
}
