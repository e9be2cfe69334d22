using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Errors;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Dns;

/// <summary>A record the caller wants, and which zone it goes in.</summary>
public sealed record DesiredRecord(HostedZone Zone, RecordSet Record);

/// <summary>What one desired record needs: nothing (already so), CREATE (absent) or UPSERT (different).</summary>
public sealed record PlannedRecord(HostedZone Zone, RecordSet Desired, RecordSet? Current, ChangeAction? Action);

/// <summary>A record as sent, with the change that carried it.</summary>
public sealed record AppliedRecord(HostedZone Zone, RecordSet Record, RecordSet? Previous, ChangeAction? Action, ChangeInfo? Change);

/// <summary>Route 53 record management: zone choice, reading current records, batched changes, waiting for INSYNC.</summary>
public sealed class DnsRecordService
{
    private readonly Waiter _waiter;
    private readonly IClock _clock;
    private IReadOnlyList<HostedZone>? _zones;
    private readonly Dictionary<string, HostedZone> _zonesById = new(StringComparer.Ordinal);

    public DnsRecordService(AwsSession session, Waiter? waiter = null, IClock? clock = null)
    {
        Route53 = new Route53Api(session);
        _clock = clock ?? SystemClock.Instance;
        _waiter = waiter ?? new Waiter(_clock);
    }

    public Route53Api Route53 { get; }

    /// <summary>How often ChangeResourceRecordSets is retried on PriorRequestNotComplete after the SDK's own retries gave up.</summary>
    public int PriorRequestRetries { get; init; } = 5;

    /// <summary>-HostedZoneId, else the zone named -ZoneName, else the zone with the longest suffix of the record name.</summary>
    public async Task<HostedZone> ResolveZoneAsync(string recordName, string? hostedZoneId, string? zoneName, bool privateZone, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(hostedZoneId))
        {
            var id = Route53Names.ShortZoneId(hostedZoneId);
            if (!_zonesById.TryGetValue(id, out var zone))
                _zonesById[id] = zone = await Route53.GetHostedZoneAsync(id, ct).ConfigureAwait(false);
            if (!Route53Names.IsInZone(recordName, zone.Name))
                throw new ModuleOperationException("RecordNotInZone", "InvalidArgument",
                    $"'{recordName}' is not in hosted zone {zone.ShortId} ({zone.Name}). Use a name ending in {zone.Name.TrimEnd('.')}, or another -HostedZoneId.");
            return zone;
        }
        if (!string.IsNullOrEmpty(zoneName))
        {
            var named = await Route53.ListHostedZonesByNameAsync(zoneName, ct).ConfigureAwait(false);
            var match = HostedZoneMatcher.Match(named, recordName, privateZone);
            return match ?? throw NoZone(recordName, privateZone, zoneName);
        }
        _zones ??= await Route53.ListHostedZonesAsync(ct).ConfigureAwait(false);
        return HostedZoneMatcher.Match(_zones, recordName, privateZone) ?? throw NoZone(recordName, privateZone, null);
    }

    private static ModuleOperationException NoZone(string recordName, bool privateZone, string? zoneName)
        => new("NoSuchHostedZone", "ObjectNotFound",
            $"No {(privateZone ? "private" : "public")} hosted zone {(zoneName is null ? "contains" : $"named {zoneName} contains")} '{recordName}'. " +
            (privateZone ? "Drop -PrivateZone for a public zone, " : "Pass -PrivateZone for a private zone, ") +
            "pass -HostedZoneId, or create the zone first (New-R53HostedZone or 'aws route53 create-hosted-zone').");

    /// <summary>Reads the current record set for each desired one and decides the action.</summary>
    public async Task<IReadOnlyList<PlannedRecord>> PlanAsync(IReadOnlyList<DesiredRecord> desired, CancellationToken ct)
    {
        var plans = new List<PlannedRecord>();
        foreach (var group in desired.GroupBy(d => d.Zone.ShortId))
        {
            var zone = group.First().Zone;
            var current = await ReadCurrentAsync(zone, group.Select(d => d.Record).ToList(), ct).ConfigureAwait(false);
            foreach (var d in group)
            {
                current.TryGetValue(d.Record.Key, out var existing);
                ChangeAction? action = existing is null ? ChangeAction.Create
                    : existing.SameDataAs(d.Record) ? null : ChangeAction.Upsert;
                plans.Add(new PlannedRecord(zone, d.Record, existing, action));
            }
        }
        return plans;
    }

    /// <summary>
    /// The current record sets with these keys. A few records are looked up one by one; when that would
    /// take more calls than listing the whole zone (300 record sets per page), the zone is listed.
    /// </summary>
    public async Task<Dictionary<string, RecordSet>> ReadCurrentAsync(HostedZone zone, IReadOnlyList<RecordSet> records, CancellationToken ct)
    {
        var wanted = records.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, RecordSet>(StringComparer.Ordinal);
        var count = zone.RecordCount ?? (await Route53.GetHostedZoneAsync(zone.Id, ct).ConfigureAwait(false)).RecordCount ?? long.MaxValue;
        var pages = count == long.MaxValue ? long.MaxValue : Math.Max(1, (count + 299) / 300);
        var distinct = records.DistinctBy(r => r.Key).ToList();
        if (distinct.Count < pages)
        {
            foreach (var record in distinct)
            {
                var page = await Route53.ListResourceRecordSetsAsync(zone.Id, Route53Names.Normalize(record.Name), record.Type,
                    record.SetIdentifier, record.SetIdentifier is null ? 1 : 100, ct).ConfigureAwait(false);
                foreach (var set in page.RecordSets.Where(s => s.Key == record.Key)) found[set.Key] = set;
            }
        }
        else
        {
            foreach (var set in await Route53.ListAllResourceRecordSetsAsync(zone.Id, ct).ConfigureAwait(false))
                if (wanted.Contains(set.Key)) found[set.Key] = set;
        }
        return found;
    }

    /// <summary>Sends the changes per zone in as few requests as Route 53 allows; returns the changes made.</summary>
    public async Task<IReadOnlyList<(HostedZone Zone, IReadOnlyList<RecordChange> Changes, ChangeInfo Change)>> ApplyAsync(
        IReadOnlyList<(HostedZone Zone, RecordChange Change)> changes, string? comment, IProgress<string>? verbose, CancellationToken ct)
    {
        var results = new List<(HostedZone, IReadOnlyList<RecordChange>, ChangeInfo)>();
        foreach (var group in changes.GroupBy(c => c.Zone.ShortId))
        {
            var zone = group.First().Zone;
            var batches = ChangeBatcher.Split(group.Select(g => g.Change));
            var n = 0;
            foreach (var batch in batches)
            {
                n++;
                verbose?.Report($"Route 53 zone {zone.Name} ({zone.ShortId}): sending change batch {n} of {batches.Count} ({batch.Count} change(s)).");
                foreach (var (sent, info) in await SendBatchAsync(zone, batch, comment, verbose, ct).ConfigureAwait(false))
                    results.Add((zone, sent, info));
            }
        }
        return results;
    }

    private async Task<IReadOnlyList<(IReadOnlyList<RecordChange>, ChangeInfo)>> SendBatchAsync(HostedZone zone, IReadOnlyList<RecordChange> batch,
        string? comment, IProgress<string>? verbose, CancellationToken ct)
    {
        try
        {
            return new[] { ((IReadOnlyList<RecordChange>)batch, await ChangeWithRetryAsync(zone, batch, comment, verbose, ct).ConfigureAwait(false)) };
        }
        catch (AwsServiceError e) when (e.ErrorCode == "InvalidChangeBatch" && batch.Any(c => c.Action == ChangeAction.Create)
                                          && e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // Someone created one of these records since we read the zone: UPSERT is what the caller asked for.
            verbose?.Report($"A record appeared in {zone.Name} while planning; sending the batch again as UPSERT.");
            var upserts = batch.Select(c => c.Action == ChangeAction.Create ? c with { Action = ChangeAction.Upsert } : c).ToList();
            var sent = new List<(IReadOnlyList<RecordChange>, ChangeInfo)>();
            foreach (var part in ChangeBatcher.Split(upserts))
                sent.Add((part, await ChangeWithRetryAsync(zone, part, comment, verbose, ct).ConfigureAwait(false)));
            return sent;
        }
    }

    /// <summary>
    /// The SDK retries Throttling and PriorRequestNotComplete with its standard backoff (a few attempts within
    /// seconds). Route 53 answers PriorRequestNotComplete while it is still applying an earlier change to the zone,
    /// which can outlast those attempts, so this adds a few longer, bounded waits before giving up.
    /// </summary>
    private async Task<ChangeInfo> ChangeWithRetryAsync(HostedZone zone, IReadOnlyList<RecordChange> batch, string? comment,
        IProgress<string>? verbose, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(2);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await Route53.ChangeResourceRecordSetsAsync(zone.Id, batch, comment, ct).ConfigureAwait(false);
            }
            catch (AwsServiceError e) when (e.ErrorCode == "PriorRequestNotComplete" && attempt < PriorRequestRetries)
            {
                var jittered = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2));
                verbose?.Report($"Route 53 is still applying an earlier change to {zone.Name}; retrying in {jittered.TotalSeconds:0.0}s.");
                await _clock.Delay(jittered, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, delay.Ticks * 2));
            }
        }
    }

    /// <summary>Waits until every change is INSYNC (Route 53 says changes usually propagate within 60 seconds).</summary>
    public async Task<IReadOnlyDictionary<string, ChangeInfo>> WaitInSyncAsync(IEnumerable<ChangeInfo> changes, TimeSpan timeout,
        IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var done = new Dictionary<string, ChangeInfo>(StringComparer.Ordinal);
        foreach (var change in changes.DistinctBy(c => c.Id))
        {
            if (change.Status == "INSYNC") { done[change.Id] = change; continue; }
            ChangeInfo last = change;
            await _waiter.WaitAsync("Waiting for Route 53 to apply the DNS change", $"change {change.ShortId}", async token =>
            {
                last = await Route53.GetChangeAsync(change.Id, token).ConfigureAwait(false);
                return last.Status == "INSYNC" ? PollResult.Finished(last.Status) : PollResult.Pending(last.Status);
            }, new WaitOptions(timeout, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)), progress, ct).ConfigureAwait(false);
            done[change.Id] = last;
        }
        return done;
    }

    /// <summary>Record sets of a zone, optionally only one type.</summary>
    public Task<IReadOnlyList<RecordSet>> ListAsync(HostedZone zone, CancellationToken ct)
        => Route53.ListAllResourceRecordSetsAsync(zone.Id, ct);

    public async Task<IReadOnlyList<HostedZone>> ZonesAsync(CancellationToken ct)
        => _zones ??= await Route53.ListHostedZonesAsync(ct).ConfigureAwait(false);

    /// <summary>Route 53 wants TXT and SPF values in double quotes; quote a bare value, escaping its quotes.</summary>
    public static string NormalizeValue(string type, string value)
    {
        if (type is not ("TXT" or "SPF")) return value;
        var trimmed = value.Trim();
        if (trimmed.Length >= 2 && trimmed.StartsWith('"') && trimmed.EndsWith('"')) return trimmed;
        // One character-string holds at most 255 characters; longer text goes in several strings.
        var parts = new List<string>();
        for (var i = 0; i < trimmed.Length; i += 255)
            parts.Add("\"" + trimmed.Substring(i, Math.Min(255, trimmed.Length - i)).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
        return parts.Count == 0 ? "\"\"" : string.Join(" ", parts);
    }
}
