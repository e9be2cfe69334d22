using System.Globalization;
using System.Xml.Linq;

namespace EksEmulator.Moto;

public sealed record SubnetRoleInfo(string SubnetId, string VpcId, string AvailabilityZone, bool PublicElb, bool InternalElb);

public sealed record ElbListenerSpec(string Protocol, int Port, int TargetPort, string? CertificateArn);

/// <summary>The load balancers the emulated cloud controllers keep in moto, through moto's ELB (Classic) and ELBv2 APIs.</summary>
public sealed partial class MotoClient
{
    /// <summary>The subnets with their load-balancer role tags (kubernetes.io/role/elb and .../internal-elb).</summary>
    public async Task<IReadOnlyList<SubnetRoleInfo>> DescribeSubnetRolesAsync(string region, IEnumerable<string> subnetIds, CancellationToken cancel)
    {
        var document = await CallEc2Async(region, FilterParameters("DescribeSubnets", "subnet-id", subnetIds), cancel);
        return Items(document, "subnetSet").Select(item =>
        {
            var tags = item.Elements().FirstOrDefault(e => e.Name.LocalName == "tagSet")?.Elements()
                .Select(t => Child(t, "key")).ToHashSet() ?? [];
            return new SubnetRoleInfo(Child(item, "subnetId"), Child(item, "vpcId"), Child(item, "availabilityZone"),
                tags.Contains("kubernetes.io/role/elb"), tags.Contains("kubernetes.io/role/internal-elb"));
        }).ToList();
    }

    /// <summary>Creates an application or network load balancer with a target group and listener per port; returns its ARN, DNS name and target groups.</summary>
    public async Task<(string Arn, string DnsName, List<string> TargetGroupArns)> CreateV2LoadBalancerAsync(string region, string name, string type, string scheme,
        IReadOnlyList<string> subnetIds, string vpcId, string targetType, IReadOnlyList<ElbListenerSpec> listeners, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "CreateLoadBalancer"), new("Name", name), new("Type", type), new("Scheme", scheme),
        };
        for (var i = 0; i < subnetIds.Count; i++) parameters.Add(new(Member("Subnets", i), subnetIds[i]));
        AddMemberTags(parameters, tags);
        var created = await CallElbAsync(region, "2015-12-01", parameters, cancel);
        var arn = Value(created, "LoadBalancerArn");
        var dnsName = Value(created, "DNSName");

        var targetGroups = new List<string>();
        var index = 0;
        foreach (var listener in listeners)
        {
            // Target group names are at most 32 characters, unique per region: the load balancer's name is too long to prefix.
            var groupName = $"k8s-{Hash(name + "/" + listener.Port)[..16]}";
            var groupProtocol = type == "application" ? "HTTP" : listener.Protocol is "TLS" ? "TCP" : listener.Protocol;
            var group = await CallElbAsync(region, "2015-12-01",
            [
                new("Action", "CreateTargetGroup"), new("Name", groupName), new("Protocol", groupProtocol),
                new("Port", listener.TargetPort.ToString(CultureInfo.InvariantCulture)), new("VpcId", vpcId), new("TargetType", targetType),
            ], cancel);
            var groupArn = Value(group, "TargetGroupArn");
            targetGroups.Add(groupArn);
            var listenerParameters = new List<KeyValuePair<string, string>>
            {
                new("Action", "CreateListener"), new("LoadBalancerArn", arn), new("Protocol", listener.Protocol),
                new("Port", listener.Port.ToString(CultureInfo.InvariantCulture)),
                new("DefaultActions.member.1.Type", "forward"), new("DefaultActions.member.1.TargetGroupArn", groupArn),
            };
            if (listener.CertificateArn is { } certificate) listenerParameters.Add(new("Certificates.member.1.CertificateArn", certificate));
            await CallElbAsync(region, "2015-12-01", listenerParameters, cancel);
            index++;
        }

        return (arn, dnsName, targetGroups);
    }

    /// <summary>The DNS name of an ELBv2 load balancer by name, or null when there is none.</summary>
    public async Task<(string Arn, string DnsName)?> FindV2LoadBalancerAsync(string region, string name, CancellationToken cancel)
    {
        var response = await TryCallElbAsync(region, "2015-12-01", [new("Action", "DescribeLoadBalancers"), new("Names.member.1", name)], cancel);
        return response is null || !response.Descendants().Any(e => e.Name.LocalName == "LoadBalancerArn")
            ? null : (Value(response, "LoadBalancerArn"), Value(response, "DNSName"));
    }

    public async Task DeleteV2LoadBalancerAsync(string region, string arn, IEnumerable<string> targetGroupArns, CancellationToken cancel)
    {
        await TryCallElbAsync(region, "2015-12-01", [new("Action", "DeleteLoadBalancer"), new("LoadBalancerArn", arn)], cancel);
        foreach (var group in targetGroupArns)
            await TryCallElbAsync(region, "2015-12-01", [new("Action", "DeleteTargetGroup"), new("TargetGroupArn", group)], cancel);
    }

    /// <summary>Creates a Classic load balancer with a listener per port; returns its DNS name.</summary>
    public async Task<string> CreateClassicLoadBalancerAsync(string region, string name, bool internalScheme, IReadOnlyList<string> subnetIds,
        IReadOnlyList<ElbListenerSpec> listeners, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Action", "CreateLoadBalancer"), new("LoadBalancerName", name) };
        if (internalScheme) parameters.Add(new("Scheme", "internal"));
        for (var i = 0; i < subnetIds.Count; i++) parameters.Add(new(Member("Subnets", i), subnetIds[i]));
        for (var i = 0; i < listeners.Count; i++)
        {
            var (protocol, port, targetPort, certificate) = listeners[i];
            parameters.Add(new($"Listeners.member.{i + 1}.Protocol", protocol));
            parameters.Add(new($"Listeners.member.{i + 1}.LoadBalancerPort", port.ToString(CultureInfo.InvariantCulture)));
            parameters.Add(new($"Listeners.member.{i + 1}.InstancePort", targetPort.ToString(CultureInfo.InvariantCulture)));
            parameters.Add(new($"Listeners.member.{i + 1}.InstanceProtocol", protocol is "SSL" ? "TCP" : protocol is "HTTPS" ? "HTTP" : protocol));
            if (certificate is not null) parameters.Add(new($"Listeners.member.{i + 1}.SSLCertificateId", certificate));
        }

        AddMemberTags(parameters, tags);
        return Value(await CallElbAsync(region, "2012-06-01", parameters, cancel), "DNSName");
    }

    public async Task<string?> FindClassicLoadBalancerAsync(string region, string name, CancellationToken cancel)
    {
        var response = await TryCallElbAsync(region, "2012-06-01", [new("Action", "DescribeLoadBalancers"), new("LoadBalancerNames.member.1", name)], cancel);
        return response?.Descendants().FirstOrDefault(e => e.Name.LocalName == "DNSName")?.Value;
    }

    public async Task DeleteClassicLoadBalancerAsync(string region, string name, CancellationToken cancel) =>
        await TryCallElbAsync(region, "2012-06-01", [new("Action", "DeleteLoadBalancer"), new("LoadBalancerName", name)], cancel);

    private static string Member(string list, int index) => string.Create(CultureInfo.InvariantCulture, $"{list}.member.{index + 1}");

    private static void AddMemberTags(List<KeyValuePair<string, string>> parameters, IReadOnlyDictionary<string, string> tags)
    {
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"Tags.member.{index}.Key", key));
            parameters.Add(new($"Tags.member.{index}.Value", value));
            index++;
        }
    }

    private static string Value(XDocument document, string name) => document.Descendants().First(e => e.Name.LocalName == name).Value;

    private static string Hash(string text) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    private async Task<XDocument> CallElbAsync(string region, string version, List<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        parameters.Add(new("Version", version));
        using var request = Request("elasticloadbalancing", region, parameters);
        using var response = await moto.SendAsync(request, cancel);
        await EnsureSuccessAsync(response, "ELB " + parameters[0].Value);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
    }

    /// <summary>Like <see cref="CallElbAsync"/>, but a not-found answer is null: deletes and lookups of what is already gone.</summary>
    private async Task<XDocument?> TryCallElbAsync(string region, string version, List<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        parameters.Add(new("Version", version));
        using var request = Request("elasticloadbalancing", region, parameters);
        using var response = await moto.SendAsync(request, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (response.IsSuccessStatusCode) return XDocument.Parse(body);
        if (body.Contains("NotFound", StringComparison.Ordinal)) return null;
        throw new MotoException($"ELB {parameters[0].Value} failed in moto with HTTP {(int)response.StatusCode}: {body}");
    }
}
