using System.Management.Automation;
using EksModule.Engine.Dns;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Gets Route 53 records: of one hosted zone (-HostedZoneId or -ZoneName), of the zone that holds -Name,
/// or of every hosted zone; -Name takes wildcards and -Type filters.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksDnsRecord")]
[OutputType(typeof(EksDnsRecord))]
public sealed class GetEksDnsRecordCommand : AwsCmdletBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RecordName")]
    [SupportsWildcards]
    public string? Name { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("RecordType")]
    [ArgumentCompleter(typeof(DnsRecordTypeCompleter))]
    public string[]? Type { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostedZoneId { get; set; }

    [Parameter]
    public string? ZoneName { get; set; }

    [Parameter]
    public SwitchParameter PrivateZone { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var types = Type?.Select(RecordValidation.Type).ToHashSet(StringComparer.Ordinal);
            var pattern = Name is { Length: > 0 } ? new WildcardPattern(Name.Trim().TrimEnd('.'), WildcardOptions.IgnoreCase) : null;
            var dns = new DnsRecordService(Session);
            var zones = Run<IReadOnlyList<HostedZone>>(async ct =>
            {
                if (HostedZoneId is { Length: > 0 } || ZoneName is { Length: > 0 })
                {
                    if (HostedZoneId is { Length: > 0 }) return new[] { await dns.Route53.GetHostedZoneAsync(HostedZoneId, ct).ConfigureAwait(false) };
                    var named = await dns.Route53.ListHostedZonesByNameAsync(ZoneName!, ct).ConfigureAwait(false);
                    var chosen = named.Where(z => z.IsPrivate == PrivateZone).ToList();
                    return chosen.Count > 0 ? (IReadOnlyList<HostedZone>)chosen : throw new Engine.Errors.ModuleOperationException("NoSuchHostedZone", "ObjectNotFound",
                        $"No {(PrivateZone ? "private" : "public")} hosted zone is named {ZoneName}.");
                }
                // A literal name (or one whose wildcards are all in front) tells the zone; otherwise look in every zone.
                var literal = Name?.Trim().TrimEnd('.');
                while (literal is not null && literal.StartsWith("*.", StringComparison.Ordinal)) literal = literal[2..];
                if (literal is { Length: > 0 } && !WildcardPattern.ContainsWildcardCharacters(literal))
                    return new[] { await dns.ResolveZoneAsync(literal, null, null, PrivateZone, ct).ConfigureAwait(false) };
                return await dns.ZonesAsync(ct).ConfigureAwait(false);
            });
            foreach (var zone in zones)
            {
                var records = Run(ct => dns.ListAsync(zone, ct));
                var byKey = records.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                foreach (var record in records)
                {
                    if (types is not null && !types.Contains(record.Type)) continue;
                    // The module's ownership marks show as the Owner of the record they mark, not as records.
                    if (DnsRecordService.IsOwnershipMark(record)) continue;
                    var owner = DnsRecordService.OwnersFromListing(zone, record, byKey).FirstOrDefault();
                    var output = new EksDnsRecord(zone, record)
                    {
                        Owner = owner?.OwnerId,
                        ManagedBy = owner is null ? null : owner.Heritage == DnsOwnership.Heritage ? "EksModule" : "ExternalDNS",
                    };
                    if (pattern is not null && !pattern.IsMatch(output.Name)) continue;
                    WriteObject(output);
                }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            if (e is InvalidRecordInputException) ThrowTerminatingError(ToErrorRecord(e, Name));
            ReportError(e, Name);
        }
    }
}
