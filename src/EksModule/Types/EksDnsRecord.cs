using EksModule.Engine.Dns;

namespace EksModule.Types;

/// <summary>
/// A Route 53 record set, as read or as written. Name, Type, TTL and Values bind by property name to
/// Set-EksDnsRecord (to copy records) and, with HostedZoneId, to Remove-EksDnsRecord.
/// </summary>
public sealed class EksDnsRecord
{
    internal EksDnsRecord(HostedZone zone, RecordSet record, ChangeAction? action = null, ChangeInfo? change = null, RecordSet? previous = null)
    {
        Name = record.Name.TrimEnd('.').Replace("\\052", "*");
        Type = record.Type;
        TTL = record.Alias is null ? record.Ttl : null;
        Values = record.Values.ToArray();
        AliasDNSName = record.Alias?.DnsName.TrimEnd('.');
        AliasHostedZoneId = record.Alias is null ? null : Route53Names.ShortZoneId(record.Alias.HostedZoneId);
        EvaluateTargetHealth = record.Alias?.EvaluateTargetHealth;
        SetIdentifier = record.SetIdentifier;
        HostedZoneId = zone.ShortId;
        ZoneName = zone.Name.TrimEnd('.');
        PrivateZone = zone.IsPrivate;
        Action = action switch { null => change is null ? null : "None", { } a => a.ToString().ToUpperInvariant() };
        ChangeId = change?.ShortId;
        Status = change?.Status;
        PreviousValue = previous?.Describe();
    }

    public string Name { get; }
    public string Type { get; }
    public long? TTL { get; }
    public string[] Values { get; }
    /// <summary>For an alias record: the DNS name it points at (a load balancer's, for example).</summary>
    public string? AliasDNSName { get; }
    /// <summary>For an alias record: the hosted zone of the alias target (the load balancer's canonical hosted zone).</summary>
    public string? AliasHostedZoneId { get; }
    public bool? EvaluateTargetHealth { get; }
    public string? SetIdentifier { get; }
    public string HostedZoneId { get; }
    public string ZoneName { get; }
    public bool PrivateZone { get; }
    /// <summary>What Set-EksDnsRecord did: CREATE, UPSERT, or None when the record already had these values.</summary>
    public string? Action { get; internal set; }
    /// <summary>The Route 53 change that carried this record (GetChange id).</summary>
    public string? ChangeId { get; internal set; }
    /// <summary>PENDING or INSYNC.</summary>
    public string? Status { get; internal set; }
    public string? PreviousValue { get; }
    /// <summary>
    /// The owner id in the record's ownership mark: the module's (TXT _eksmodule-&lt;type&gt;.&lt;name&gt;) or
    /// ExternalDNS's; empty when nobody marked the record.
    /// </summary>
    public string? Owner { get; internal set; }
    /// <summary>Whose mark holds the owner: EksModule or ExternalDNS (empty when unmarked).</summary>
    public string? ManagedBy { get; internal set; }

    /// <summary>The values, or the alias target, as one line for the table view.</summary>
    public string Target => AliasDNSName is not null ? $"ALIAS {AliasDNSName}" : string.Join(", ", Values);

    public override string ToString() => $"{Name} {Type}";
}
