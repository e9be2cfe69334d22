namespace EksModule.Engine.Dns;

/// <summary>
/// Picks the hosted zone a record name belongs in: the zone whose name is the longest suffix of the
/// record name, public unless a private zone is asked for.
/// </summary>
public static class HostedZoneMatcher
{
    public static HostedZone? Match(IEnumerable<HostedZone> zones, string recordName, bool privateZone)
    {
        var candidates = zones
            .Where(z => z.IsPrivate == privateZone && Route53Names.IsInZone(recordName, z.Name))
            .OrderByDescending(z => Route53Names.Normalize(z.Name).Length)
            .ToList();
        if (candidates.Count == 0) return null;
        var longest = Route53Names.Normalize(candidates[0].Name).Length;
        var best = candidates.Where(z => Route53Names.Normalize(z.Name).Length == longest).ToList();
        if (best.Count > 1)
            throw new Errors.ModuleOperationException("AmbiguousHostedZone", "InvalidArgument",
                $"{best.Count} {(privateZone ? "private" : "public")} hosted zones are named {best[0].Name} ({string.Join(", ", best.Select(z => z.ShortId))}); " +
                "pass -HostedZoneId to say which one to use.");
        return best[0];
    }
}
