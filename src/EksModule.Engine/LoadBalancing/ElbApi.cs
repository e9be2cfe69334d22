using System.Xml.Linq;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.LoadBalancing;

public sealed record LoadBalancerListener(string Protocol, int Port, string? CertificateArn);

/// <summary>An ELBv2 (network/application) or Classic load balancer, as the ELB APIs describe it.</summary>
public sealed record LoadBalancerInfo(
    string Kind,                    // Network, Application, Gateway or Classic
    string Name,
    string? Arn,                    // null for Classic
    string DnsName,
    string CanonicalHostedZoneId,
    string Scheme,
    string State,
    string? VpcId,
    string IpAddressType,
    IReadOnlyList<LoadBalancerListener> Listeners)
{
    /// <summary>The ARN, or the name for a Classic load balancer (which has no ARN in its API).</summary>
    public string Identifier => Arn ?? Name;
    public bool IsDualStack => IpAddressType.StartsWith("dualstack", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Typed Elastic Load Balancing (v2 and Classic, both awsQuery) operations over the generic client.</summary>
public sealed class ElbApi
{
    private readonly GenericServiceClient _v2;
    private readonly GenericServiceClient _classic;

    public ElbApi(AwsSession session)
    {
        _v2 = session.Client(ServiceDefinition.ElasticLoadBalancingV2);
        _classic = session.Client(ServiceDefinition.ElasticLoadBalancing);
    }

    /// <summary>An ELBv2 load balancer by ARN, or null when there is none.</summary>
    public async Task<LoadBalancerInfo?> TryDescribeV2ByArnAsync(string arn, CancellationToken ct)
    {
        try
        {
            var doc = await SendAsync(_v2, "DescribeLoadBalancers", ct, ("LoadBalancerArns.member.1", arn)).ConfigureAwait(false);
            var lb = Members(doc, "LoadBalancers").FirstOrDefault();
            return lb is null ? null : await WithListenersAsync(ParseV2(lb), ct).ConfigureAwait(false);
        }
        catch (AwsServiceError e) when (e.IsNotFound) { return null; }
    }

    /// <summary>Every ELBv2 load balancer in the region (paged by Marker).</summary>
    public async Task<IReadOnlyList<LoadBalancerInfo>> ListV2Async(CancellationToken ct)
    {
        var all = new List<LoadBalancerInfo>();
        string? marker = null;
        do
        {
            var parameters = marker is null ? Array.Empty<(string, string)>() : new[] { ("Marker", marker) };
            var doc = await SendAsync(_v2, "DescribeLoadBalancers", ct, parameters).ConfigureAwait(false);
            all.AddRange(Members(doc, "LoadBalancers").Select(ParseV2));
            marker = Child(doc.Root!.Descendants().FirstOrDefault(e => e.Name.LocalName == "DescribeLoadBalancersResult"), "NextMarker");
        } while (!string.IsNullOrEmpty(marker));
        return all;
    }

    public async Task<LoadBalancerInfo?> TryDescribeClassicAsync(string name, CancellationToken ct)
    {
        try
        {
            var doc = await SendAsync(_classic, "DescribeLoadBalancers", ct, ("LoadBalancerNames.member.1", name)).ConfigureAwait(false);
            var lb = Members(doc, "LoadBalancerDescriptions").FirstOrDefault();
            return lb is null ? null : ParseClassic(lb);
        }
        catch (AwsServiceError e) when (e.IsNotFound || e.ErrorCode == "AccessPointNotFound") { return null; }
    }

    public async Task<IReadOnlyList<LoadBalancerInfo>> ListClassicAsync(CancellationToken ct)
    {
        var all = new List<LoadBalancerInfo>();
        string? marker = null;
        do
        {
            var parameters = marker is null ? Array.Empty<(string, string)>() : new[] { ("Marker", marker) };
            var doc = await SendAsync(_classic, "DescribeLoadBalancers", ct, parameters).ConfigureAwait(false);
            all.AddRange(Members(doc, "LoadBalancerDescriptions").Select(ParseClassic));
            marker = Child(doc.Root!.Descendants().FirstOrDefault(e => e.Name.LocalName == "DescribeLoadBalancersResult"), "NextMarker");
        } while (!string.IsNullOrEmpty(marker));
        return all;
    }

    /// <summary>The load balancer (v2 first, then Classic) whose DNS name is <paramref name="dnsName"/>, or null.</summary>
    public async Task<LoadBalancerInfo?> FindByDnsNameAsync(string dnsName, CancellationToken ct)
    {
        var wanted = dnsName.TrimEnd('.');
        var v2 = (await ListV2Async(ct).ConfigureAwait(false)).FirstOrDefault(l => string.Equals(l.DnsName, wanted, StringComparison.OrdinalIgnoreCase));
        if (v2 is not null) return await WithListenersAsync(v2, ct).ConfigureAwait(false);
        return (await ListClassicAsync(ct).ConfigureAwait(false)).FirstOrDefault(l => string.Equals(l.DnsName, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A load balancer's tags (DescribeTags of ELBv2 by ARN, of Classic by name).</summary>
    public async Task<IReadOnlyDictionary<string, string>> TagsAsync(LoadBalancerInfo lb, CancellationToken ct)
    {
        var doc = lb.Arn is { } arn
            ? await SendAsync(_v2, "DescribeTags", ct, ("ResourceArns.member.1", arn)).ConfigureAwait(false)
            : await SendAsync(_classic, "DescribeTags", ct, ("LoadBalancerNames.member.1", lb.Name)).ConfigureAwait(false);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var description in Members(doc, "TagDescriptions"))
            foreach (var tag in description.Elements().FirstOrDefault(e => e.Name.LocalName == "Tags")?.Elements() ?? Enumerable.Empty<XElement>())
                if (Child(tag, "Key") is { } key) tags[key] = Child(tag, "Value") ?? string.Empty;
        return tags;
    }

    /// <summary>By ARN (ELBv2) or name (Classic), or null when there is none.</summary>
    public Task<LoadBalancerInfo?> TryDescribeAsync(string arnOrName, CancellationToken ct)
        => arnOrName.StartsWith("arn:", StringComparison.Ordinal) ? TryDescribeV2ByArnAsync(arnOrName, ct) : TryDescribeClassicAsync(arnOrName, ct);

    private async Task<LoadBalancerInfo> WithListenersAsync(LoadBalancerInfo lb, CancellationToken ct)
    {
        var doc = await SendAsync(_v2, "DescribeListeners", ct, ("LoadBalancerArn", lb.Arn!)).ConfigureAwait(false);
        var listeners = Members(doc, "Listeners").Select(l => new LoadBalancerListener(
            Child(l, "Protocol") ?? "TCP",
            int.TryParse(Child(l, "Port"), out var port) ? port : 0,
            l.Elements().FirstOrDefault(e => e.Name.LocalName == "Certificates")?.Descendants().FirstOrDefault(e => e.Name.LocalName == "CertificateArn")?.Value))
            .OrderBy(l => l.Port).ToList();
        return lb with { Listeners = listeners };
    }

    private static LoadBalancerInfo ParseV2(XElement lb)
    {
        var type = Child(lb, "Type") ?? "application";
        return new LoadBalancerInfo(
            char.ToUpperInvariant(type[0]) + type[1..],
            Child(lb, "LoadBalancerName")!,
            Child(lb, "LoadBalancerArn"),
            Child(lb, "DNSName")!,
            Child(lb, "CanonicalHostedZoneId") ?? string.Empty,
            Child(lb, "Scheme") ?? "internet-facing",
            Child(lb.Elements().FirstOrDefault(e => e.Name.LocalName == "State"), "Code") ?? "unknown",
            Child(lb, "VpcId"),
            Child(lb, "IpAddressType") ?? "ipv4",
            Array.Empty<LoadBalancerListener>());
    }

    private static LoadBalancerInfo ParseClassic(XElement lb)
    {
        var listeners = lb.Elements().FirstOrDefault(e => e.Name.LocalName == "ListenerDescriptions")?.Elements()
            .Select(d => d.Elements().FirstOrDefault(e => e.Name.LocalName == "Listener"))
            .Where(l => l is not null)
            .Select(l => new LoadBalancerListener(Child(l, "Protocol") ?? "TCP", int.TryParse(Child(l, "LoadBalancerPort"), out var p) ? p : 0, Child(l, "SSLCertificateId")))
            .OrderBy(l => l.Port).ToList() ?? new List<LoadBalancerListener>();
        return new LoadBalancerInfo("Classic", Child(lb, "LoadBalancerName")!, null, Child(lb, "DNSName")!,
            Child(lb, "CanonicalHostedZoneNameID") ?? string.Empty, Child(lb, "Scheme") ?? "internet-facing",
            "active", Child(lb, "VPCId"), "ipv4", listeners);
    }

    private static IEnumerable<XElement> Members(XDocument doc, string listName)
        => doc.Descendants().FirstOrDefault(e => e.Name.LocalName == listName)?.Elements().Where(e => e.Name.LocalName == "member") ?? Enumerable.Empty<XElement>();

    private static string? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static async Task<XDocument> SendAsync(GenericServiceClient client, string operation, CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        var request = new AwsRequest(operation, "POST", "/")
        {
            FormParameters = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList(),
        };
        var response = await client.SendAsync(request, ct).ConfigureAwait(false);
        return XDocument.Parse(response.Body);
    }
}
