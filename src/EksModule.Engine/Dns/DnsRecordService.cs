using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Errors;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Dns;

/// <summary>A record the caller wants, which zone it goes in, and the owner id its ownership mark carries.</summary>
public sealed record DesiredRecord(HostedZone Zone, RecordSet Record, string OwnerId);

/// <summary>
/// What one desired record needs: nothing (already so), CREATE (absent) or UPSERT (different), and what its
/// ownership mark needs. A record that exists (or is claimed) without our mark for this owner is foreign:
/// it is refused, with no change, unless the caller adopts it.
/// </summary>
public sealed record PlannedRecord(HostedZone Zone, RecordSet Desired, RecordSet? Current, ChangeAction? Action,
    string OwnerId, IReadOnlyList<RecordOwner> Owners, RecordSet? CurrentMark, ChangeAction? MarkAction, bool Refused)
{
    public bool IsOurs => DnsRecordService.IsOwnedBy(Owners, OwnerId);

    /// <summary>The record's change and its mark's, to be sent in one request.</summary>
    public IReadOnlyList<RecordChange> Changes
    {
        get
        {
            var changes = new List<RecordChange>();
            if (Refused) return changes;
            if (Action is { } action) changes.Add(new RecordChange(action, Desired));
            if (MarkAction is { } markAction) changes.Add(new RecordChange(markAction, DnsOwnership.Mark(Desired, OwnerId)));
            return changes;
        }
    }
}

/// <summary>A record to delete: the record set as Route 53 holds it, its mark, and whether it is someone else's.</summary>
public sealed record PlannedRemoval(HostedZone Zone, RecordSet Current, RecordSet? CurrentMark, string OwnerId, IReadOnlyList<RecordOwner> Owners, bool Refused)
{
    public IReadOnlyList<RecordChange> Changes => Refused ? Array.Empty<RecordChange>()
        : CurrentMark is null ? new[] { new RecordChange(ChangeAction.Delete, Current) }
        : new[] { new RecordChange(ChangeAction.Delete, Current), new RecordChange(ChangeAction.Delete, CurrentMark) };
}

/// <summary>Changes that Route 53 must apply together (a record and its mark), and the owner id of the mark.</summary>
public sealed record ChangeGroup(HostedZone Zone, IReadOnlyList<RecordChange> Changes, string OwnerId);

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

    /// <summary>
    /// Reads the current record set, its mark and any ExternalDNS claim for each desired record, and decides the
    /// actions. With <paramref name="adopt"/> (-Force), a foreign record is taken over: it gets our mark.
    /// </summary>
    public async Task<IReadOnlyList<PlannedRecord>> PlanAsync(IReadOnlyList<DesiredRecord> desired, bool adopt, CancellationToken ct)
    {
        var plans = new List<PlannedRecord>();
        foreach (var group in desired.GroupBy(d => d.Zone.ShortId))
        {
            var zone = group.First().Zone;
            var current = await ReadCurrentAsync(zone, group.SelectMany(d => WithClaims(zone, d.Record)).ToList(), ct).ConfigureAwait(false);
            foreach (var d in group)
            {
                current.TryGetValue(d.Record.Key, out var existing);
                var (mark, owners) = Claims(zone, d.Record, current);
                var ours = IsOwnedBy(owners, d.OwnerId);
                if (!ours && (existing is not null || owners.Count > 0) && !adopt)
                {
                    plans.Add(new PlannedRecord(zone, d.Record, existing, null, d.OwnerId, owners, mark, null, Refused: true));
                    continue;
                }
                ChangeAction? action = existing is null ? ChangeAction.Create
                    : existing.SameDataAs(d.Record) ? null : ChangeAction.Upsert;
                var wantedMark = DnsOwnership.Mark(d.Record, d.OwnerId);
                ChangeAction? markAction = mark is null ? ChangeAction.Create
                    : ours && mark.Values.Count == 1 ? null : ChangeAction.Upsert;
                plans.Add(new PlannedRecord(zone, d.Record, existing, action, d.OwnerId, owners, mark, markAction, Refused: false));
            }
        }
        return plans;
    }

    /// <summary>
    /// Reads each record to delete with its mark and claims. A record that is not there is left out (the caller
    /// reports it); one without our mark for its owner id is refused unless <paramref name="adopt"/>.
    /// </summary>
    public async Task<IReadOnlyList<PlannedRemoval>> PlanRemovalAsync(HostedZone zone, IReadOnlyList<RecordSet> keys,
        Func<RecordSet, CancellationToken, Task<string>> ownerFor, bool adopt, CancellationToken ct)
    {
        var current = await ReadCurrentAsync(zone, keys.SelectMany(k => WithClaims(zone, k)).ToList(), ct).ConfigureAwait(false);
        var plans = new List<PlannedRemoval>();
        foreach (var key in keys.DistinctBy(k => k.Key))
        {
            if (!current.TryGetValue(key.Key, out var existing)) continue;
            var owner = await ownerFor(existing, ct).ConfigureAwait(false);
            var (mark, owners) = Claims(zone, existing, current);
            var refused = !IsOwnedBy(owners, owner) && !adopt;
            plans.Add(new PlannedRemoval(zone, existing, mark, owner, owners, refused));
        }
        return plans;
    }

    public static bool IsOwnedBy(IEnumerable<RecordOwner> owners, string ownerId)
        => owners.Any(o => o.Heritage == DnsOwnership.Heritage && string.Equals(o.OwnerId, ownerId, StringComparison.Ordinal));

    /// <summary>The record and the TXT record sets that may claim it: our mark, ExternalDNS's registry names.</summary>
    private static IEnumerable<RecordSet> WithClaims(HostedZone zone, RecordSet record)
    {
        yield return record;
        // Records with a routing policy (SetIdentifier) are never marked by the module; they stay foreign.
        if (record.SetIdentifier is not null) yield break;
        yield return TxtKey(DnsOwnership.MarkName(record.Name, record.Type));
        foreach (var name in DnsOwnership.ExternalDnsMarkNames(record.Name, record.Type, zone.Name)) yield return TxtKey(name);
    }

    private static RecordSet TxtKey(string name) => new(name, "TXT", null, Array.Empty<string>(), null);

    private static (RecordSet? Mark, IReadOnlyList<RecordOwner> Owners) Claims(HostedZone zone, RecordSet record, IReadOnlyDictionary<string, RecordSet> current)
    {
        if (record.SetIdentifier is not null) return (null, Array.Empty<RecordOwner>());
        current.TryGetValue(TxtKey(DnsOwnership.MarkName(record.Name, record.Type)).Key, out var mark);
        var external = DnsOwnership.ExternalDnsMarkNames(record.Name, record.Type, zone.Name)
            .Select(n => current.GetValueOrDefault(TxtKey(n).Key)).OfType<RecordSet>();
        var owners = DnsOwnership.Owners((mark is null ? external : external.Prepend(mark)).DistinctBy(s => s.Key));
        return (mark, owners);
    }

    /// <summary>Why a record is refused, naming what it holds now and who claims it, and how to take it over.</summary>
    public static string ForeignMessage(HostedZone zone, RecordSet record, RecordSet? current, IReadOnlyList<RecordOwner> owners, string ownerId, bool removing)
    {
        var target = $"{record.Name.TrimEnd('.')} {record.Type} in zone {zone.Name.TrimEnd('.')} ({zone.ShortId})";
        var holds = current is null ? "does not exist yet" : $"is {current.Describe()}";
        var claimed = owners.Count == 0
            ? "and carries no ownership mark (it was made outside EksModule, or by EksModule before it marked records)"
            : "and is claimed by " + string.Join(" and ", owners.Select(o => o.Describe()));
        var ours = record.SetIdentifier is not null ? " EksModule never marks records with a SetIdentifier." : string.Empty;
        return $"{target} {holds} {claimed}, not by EksModule owner '{ownerId}', so it was not {(removing ? "deleted" : "changed")}.{ours} " +
            $"If it is yours, run again with -OwnerId <its owner id>, or with -Force to {(removing ? "delete it anyway" : "take it over (adopt it: it gets your mark)")}; " +
            "otherwise choose another name.";
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

    /// <summary>
    /// Sends the changes per zone in as few requests as Route 53 allows, each group (a record and its mark) whole in
    /// one request; returns the changes made.
    /// </summary>
    public async Task<IReadOnlyList<(HostedZone Zone, IReadOnlyList<RecordChange> Changes, ChangeInfo Change)>> ApplyAsync(
        IReadOnlyList<ChangeGroup> changes, string? comment, IProgress<string>? verbose, CancellationToken ct)
    {
        var results = new List<(HostedZone, IReadOnlyList<RecordChange>, ChangeInfo)>();
        foreach (var group in changes.Where(g => g.Changes.Count > 0).GroupBy(c => c.Zone.ShortId))
        {
            var zone = group.First().Zone;
            var owners = new Dictionary<RecordChange, string>(ReferenceEqualityComparer.Instance);
            foreach (var g in group) foreach (var c in g.Changes) owners[c] = g.OwnerId;
            var batches = ChangeBatcher.SplitGroups(group.Select(g => g.Changes));
            var n = 0;
            foreach (var batch in batches)
            {
                n++;
                verbose?.Report($"Route 53 zone {zone.Name} ({zone.ShortId}): sending change batch {n} of {batches.Count} ({batch.Count} change(s)).");
                foreach (var (sent, info) in await SendBatchAsync(zone, batch, owners, comment, verbose, ct).ConfigureAwait(false))
                    results.Add((zone, sent, info));
            }
        }
        return results;
    }

    private async Task<IReadOnlyList<(IReadOnlyList<RecordChange>, ChangeInfo)>> SendBatchAsync(HostedZone zone, IReadOnlyList<RecordChange> batch,
        IReadOnlyDictionary<RecordChange, string> owners, string? comment, IProgress<string>? verbose, CancellationToken ct)
    {
        try
        {
            return new[] { ((IReadOnlyList<RecordChange>)batch, await ChangeWithRetryAsync(zone, batch, comment, verbose, ct).ConfigureAwait(false)) };
        }
        catch (AwsServiceError e) when (e.ErrorCode == "InvalidChangeBatch" && batch.Any(c => c.Action == ChangeAction.Create)
                                          && e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // A record we meant to create is there now. If it carries our mark, an earlier attempt of ours went
            // through (its answer was lost): UPSERT the same content. If not, someone else made it meanwhile.
            var creates = batch.Where(c => c.Action == ChangeAction.Create && !IsMark(c.Record)).ToList();
            var now = await ReadCurrentAsync(zone, creates.SelectMany(c => WithClaims(zone, c.Record)).ToList(), ct).ConfigureAwait(false);
            foreach (var create in creates)
            {
                var (_, claims) = Claims(zone, create.Record, now);
                if ((now.ContainsKey(create.Record.Key) || claims.Count > 0) && !IsOwnedBy(claims, owners[create]))
                    throw new ModuleOperationException("RecordNotOwned", "PermissionDenied",
                        ForeignMessage(zone, create.Record, now.GetValueOrDefault(create.Record.Key), claims, owners[create], removing: false) +
                        " (It appeared while this command ran; this request and later ones were not sent.)");
            }
            verbose?.Report($"Records of ours appeared in {zone.Name} while planning (an earlier attempt went through); sending the batch again as UPSERT.");
            var upserts = batch.Select(c => c.Action == ChangeAction.Create ? c with { Action = ChangeAction.Upsert } : c).ToList();
            var sent = new List<(IReadOnlyList<RecordChange>, ChangeInfo)>();
            foreach (var part in ChangeBatcher.SplitGroups(Regroup(upserts)))
                sent.Add((part, await ChangeWithRetryAsync(zone, part, comment, verbose, ct).ConfigureAwait(false)));
            return sent;
        }
    }

    /// <summary>The batch's changes in their groups again: a record's change is followed by its mark's.</summary>
    private static IEnumerable<IReadOnlyList<RecordChange>> Regroup(IReadOnlyList<RecordChange> changes)
    {
        var groups = new List<List<RecordChange>>();
        foreach (var change in changes)
        {
            var last = groups.LastOrDefault();
            if (last is not null && IsMark(change.Record) && !IsMark(last[0].Record)
                && Route53Names.Normalize(change.Record.Name) == DnsOwnership.MarkName(last[0].Record.Name, last[0].Record.Type))
                last.Add(change);
            else groups.Add(new List<RecordChange> { change });
        }
        return groups;
    }

    /// <summary>The claims on a record found in a listing of its zone, the module's first.</summary>
    public static IReadOnlyList<RecordOwner> OwnersFromListing(HostedZone zone, RecordSet record, IReadOnlyDictionary<string, RecordSet> listing)
        => Claims(zone, record, listing).Owners.OrderBy(o => o.Heritage == DnsOwnership.Heritage ? 0 : 1).ToList();

    public static bool IsOwnershipMark(RecordSet record) => IsMark(record);

    private static bool IsMark(RecordSet record)
        => record.Type == "TXT" && Route53Names.Normalize(record.Name).StartsWith("_eksmodule-", StringComparison.Ordinal);

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
