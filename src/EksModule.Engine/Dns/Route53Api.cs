using System.Globalization;
using System.Text;
using System.Xml.Linq;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Dns;

public sealed record RecordSetPage(IReadOnlyList<RecordSet> RecordSets, bool IsTruncated, string? NextName, string? NextType, string? NextIdentifier);

/// <summary>Typed Route 53 operations (restXml) over the generic client.</summary>
public sealed class Route53Api
{
    public static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    private const string Version = "/2013-04-01";
    private readonly GenericServiceClient _client;

    public Route53Api(AwsSession session) => _client = session.Client(ServiceDefinition.Route53);

    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken ct)
    {
        var zones = new List<HostedZone>();
        string? marker = null;
        do
        {
            var request = new AwsRequest("ListHostedZones", "GET", $"{Version}/hostedzone");
            if (marker is not null) request.Query.Add(new("marker", marker));
            var doc = await SendAsync(request, ct).ConfigureAwait(false);
            zones.AddRange(doc.Descendants(Ns + "HostedZone").Select(ParseZone));
            marker = IsTrue(doc.Root!.Element(Ns + "IsTruncated")) ? doc.Root.Element(Ns + "NextMarker")?.Value : null;
        } while (marker is not null);
        return zones;
    }

    /// <summary>The zones named exactly <paramref name="zoneName"/> (public and private may share a name).</summary>
    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesByNameAsync(string zoneName, CancellationToken ct)
    {
        var request = new AwsRequest("ListHostedZonesByName", "GET", $"{Version}/hostedzonesbyname");
        request.Query.Add(new("dnsname", Route53Names.Normalize(zoneName)));
        request.Query.Add(new("maxitems", "100"));
        var doc = await SendAsync(request, ct).ConfigureAwait(false);
        var wanted = Route53Names.Normalize(zoneName);
        return doc.Descendants(Ns + "HostedZone").Select(ParseZone).Where(z => Route53Names.Normalize(z.Name) == wanted).ToList();
    }

    public async Task<HostedZone> GetHostedZoneAsync(string zoneId, CancellationToken ct)
    {
        var request = new AwsRequest("GetHostedZone", "GET", $"{Version}/hostedzone/{Uri.EscapeDataString(Route53Names.ShortZoneId(zoneId))}");
        var doc = await SendAsync(request, ct).ConfigureAwait(false);
        var zone = ParseZone(doc.Descendants(Ns + "HostedZone").First());
        // GetHostedZone lists the VPCs of a private zone; a public zone has none.
        var vpcs = doc.Descendants(Ns + "VPCs").Any();
        return zone with { IsPrivate = zone.IsPrivate || vpcs };
    }

    public async Task<RecordSetPage> ListResourceRecordSetsAsync(string zoneId, string? startName, string? startType, string? startIdentifier,
        int? maxItems, CancellationToken ct)
    {
        var request = new AwsRequest("ListResourceRecordSets", "GET", $"{Version}/hostedzone/{Uri.EscapeDataString(Route53Names.ShortZoneId(zoneId))}/rrset");
        if (startName is not null) request.Query.Add(new("name", startName));
        if (startType is not null) request.Query.Add(new("type", startType));
        if (startIdentifier is not null) request.Query.Add(new("identifier", startIdentifier));
        if (maxItems is not null) request.Query.Add(new("maxitems", maxItems.Value.ToString(CultureInfo.InvariantCulture)));
        var doc = await SendAsync(request, ct).ConfigureAwait(false);
        var root = doc.Root!;
        var sets = root.Descendants(Ns + "ResourceRecordSet").Select(ParseRecordSet).ToList();
        return new RecordSetPage(sets, IsTrue(root.Element(Ns + "IsTruncated")), root.Element(Ns + "NextRecordName")?.Value,
            root.Element(Ns + "NextRecordType")?.Value, root.Element(Ns + "NextRecordIdentifier")?.Value);
    }

    public async Task<IReadOnlyList<RecordSet>> ListAllResourceRecordSetsAsync(string zoneId, CancellationToken ct)
    {
        var all = new List<RecordSet>();
        string? name = null, type = null, identifier = null;
        while (true)
        {
            var page = await ListResourceRecordSetsAsync(zoneId, name, type, identifier, null, ct).ConfigureAwait(false);
            all.AddRange(page.RecordSets);
            if (!page.IsTruncated || page.NextName is null) return all;
            (name, type, identifier) = (page.NextName, page.NextType, page.NextIdentifier);
        }
    }

    public async Task<ChangeInfo> ChangeResourceRecordSetsAsync(string zoneId, IReadOnlyList<RecordChange> changes, string? comment, CancellationToken ct)
    {
        var request = new AwsRequest("ChangeResourceRecordSets", "POST", $"{Version}/hostedzone/{Uri.EscapeDataString(Route53Names.ShortZoneId(zoneId))}/rrset/")
        {
            Body = Encoding.UTF8.GetBytes(ChangeBatchXml(changes, comment).ToString(SaveOptions.DisableFormatting)),
            ContentType = "text/xml",
        };
        var doc = await SendAsync(request, ct).ConfigureAwait(false);
        return ParseChange(doc.Descendants(Ns + "ChangeInfo").First());
    }

    public async Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken ct)
    {
        var id = changeId.StartsWith("/change/", StringComparison.Ordinal) ? changeId["/change/".Length..] : changeId;
        var request = new AwsRequest("GetChange", "GET", $"{Version}/change/{Uri.EscapeDataString(id)}");
        var doc = await SendAsync(request, ct).ConfigureAwait(false);
        return ParseChange(doc.Descendants(Ns + "ChangeInfo").First());
    }

    /// <summary>The request body; element order follows the Route 53 API reference, which Route 53 enforces.</summary>
    public static XDocument ChangeBatchXml(IReadOnlyList<RecordChange> changes, string? comment)
    {
        var batch = new XElement(Ns + "ChangeBatch");
        if (!string.IsNullOrEmpty(comment)) batch.Add(new XElement(Ns + "Comment", comment));
        batch.Add(new XElement(Ns + "Changes", changes.Select(c => new XElement(Ns + "Change",
            new XElement(Ns + "Action", c.Action.ToString().ToUpperInvariant()),
            RecordSetXml(c)))));
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement(Ns + "ChangeResourceRecordSetsRequest", batch));
    }

    private static XElement RecordSetXml(RecordChange change)
    {
        var record = change.Record;
        // DELETE repeats what Route 53 holds, element for element.
        if (change.Action == ChangeAction.Delete && record.Raw is not null) return new XElement(record.Raw);
        var element = new XElement(Ns + "ResourceRecordSet",
            new XElement(Ns + "Name", record.Name),
            new XElement(Ns + "Type", record.Type));
        if (record.SetIdentifier is not null) element.Add(new XElement(Ns + "SetIdentifier", record.SetIdentifier));
        if (record.Alias is null)
        {
            element.Add(new XElement(Ns + "TTL", (record.Ttl ?? 300).ToString(CultureInfo.InvariantCulture)));
            element.Add(new XElement(Ns + "ResourceRecords",
                record.Values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v)))));
        }
        else
        {
            element.Add(new XElement(Ns + "AliasTarget",
                new XElement(Ns + "HostedZoneId", record.Alias.HostedZoneId),
                new XElement(Ns + "DNSName", record.Alias.DnsName),
                new XElement(Ns + "EvaluateTargetHealth", record.Alias.EvaluateTargetHealth ? "true" : "false")));
        }
        return element;
    }

    internal static HostedZone ParseZone(XElement zone)
    {
        var config = zone.Element(Ns + "Config");
        var count = zone.Element(Ns + "ResourceRecordSetCount")?.Value;
        return new HostedZone(zone.Element(Ns + "Id")!.Value, zone.Element(Ns + "Name")!.Value,
            IsTrue(config?.Element(Ns + "PrivateZone")),
            long.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null);
    }

    internal static RecordSet ParseRecordSet(XElement set)
    {
        var ttl = set.Element(Ns + "TTL")?.Value;
        var alias = set.Element(Ns + "AliasTarget");
        return new RecordSet(
            set.Element(Ns + "Name")!.Value,
            set.Element(Ns + "Type")!.Value,
            long.TryParse(ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : null,
            set.Element(Ns + "ResourceRecords")?.Elements(Ns + "ResourceRecord").Select(r => r.Element(Ns + "Value")?.Value ?? string.Empty).ToList() ?? new List<string>(),
            alias is null ? null : new AliasTarget(alias.Element(Ns + "HostedZoneId")!.Value, alias.Element(Ns + "DNSName")!.Value,
                IsTrue(alias.Element(Ns + "EvaluateTargetHealth"))),
            set.Element(Ns + "SetIdentifier")?.Value,
            new XElement(set));
    }

    private static ChangeInfo ParseChange(XElement change)
    {
        var submitted = change.Element(Ns + "SubmittedAt")?.Value;
        return new ChangeInfo(change.Element(Ns + "Id")!.Value, change.Element(Ns + "Status")!.Value,
            DateTime.TryParse(submitted, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : null);
    }

    private static bool IsTrue(XElement? element) => string.Equals(element?.Value, "true", StringComparison.OrdinalIgnoreCase);

    private async Task<XDocument> SendAsync(AwsRequest request, CancellationToken ct)
    {
        var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
        var doc = XDocument.Parse(response.Body);
        // Some servers answer without the namespace; read both the same way.
        if (doc.Root is not null && doc.Root.Name.Namespace == XNamespace.None)
            foreach (var e in doc.Root.DescendantsAndSelf()) e.Name = Ns + e.Name.LocalName;
        return doc;
    }
}
