using System.Globalization;
using System.Xml.Linq;

namespace EksEmulator.Moto;

/// <summary>An ENI as ipamd sees it: where it is attached, its addresses and tags.</summary>
public sealed record Ec2NetworkInterfaceInfo(
    string NetworkInterfaceId, string SubnetId, string? InstanceId, string? AttachmentId, int DeviceIndex, int NetworkCardIndex, string Status,
    string PrimaryIpAddress, IReadOnlyList<string> SecondaryIpAddresses, IReadOnlyList<string> GroupIds, IReadOnlyDictionary<string, string> Tags);

/// <summary>An instance type's network limits on its default network card, and whether it takes /28 prefixes.</summary>
public sealed record Ec2InstanceTypeLimits(string InstanceType, int MaxNetworkInterfaces, int Ipv4AddressesPerInterface, bool SupportsPrefixes);

public sealed partial class MotoClient
{
    /// <summary>ENIs matching one filter (attachment.instance-id, tag-key, ...); an empty value list asks for nothing.</summary>
    public async Task<IReadOnlyList<Ec2NetworkInterfaceInfo>> DescribeNetworkInterfacesAsync(string region, string filterName, IReadOnlyCollection<string> values, CancellationToken cancel)
    {
        if (values.Count == 0) return [];
        var document = await CallEc2Async(region, FilterParameters("DescribeNetworkInterfaces", filterName, values), cancel);
        return Items(document, "networkInterfaceSet").Select(item =>
        {
            var attachment = Element(item, "attachment");
            var addresses = Element(item, "privateIpAddressesSet")?.Elements().Where(e => e.Name.LocalName == "item").ToList() ?? [];
            var primary = Optional(item, "privateIpAddress");
            return new Ec2NetworkInterfaceInfo(
                Optional(item, "networkInterfaceId"), Optional(item, "subnetId"),
                NullIfEmpty(Optional(attachment, "instanceId")), NullIfEmpty(Optional(attachment, "attachmentId")),
                Int(Optional(attachment, "deviceIndex")), Int(Optional(attachment, "networkCardIndex")), Optional(item, "status"), primary,
                addresses.Where(a => Optional(a, "primary") != "true").Select(a => Optional(a, "privateIpAddress")).Where(ip => ip.Length > 0 && ip != primary).ToList(),
                Element(item, "groupSet")?.Elements().Select(g => Optional(g, "groupId")).Where(g => g.Length > 0).ToList() ?? [],
                Element(item, "tagSet")?.Elements().Where(t => Optional(t, "key").Length > 0).ToDictionary(t => Optional(t, "key"), t => Optional(t, "value")) ?? []);
        }).ToList();
    }

    public async Task<IReadOnlyList<Ec2InstanceTypeLimits>> DescribeInstanceTypesAsync(string region, IReadOnlyList<string> instanceTypes, CancellationToken cancel)
    {
        if (instanceTypes.Count == 0) return [];
        var parameters = new List<KeyValuePair<string, string>> { new("Action", "DescribeInstanceTypes") };
        for (var i = 0; i < instanceTypes.Count; i++) parameters.Add(new($"InstanceType.{i + 1}", instanceTypes[i]));
        var document = await CallEc2Async(region, parameters, cancel);
        return Items(document, "instanceTypeSet").Select(item =>
        {
            var network = Element(item, "networkInfo");
            var defaultCard = Optional(network, "defaultNetworkCardIndex");
            var card = Element(network, "networkCards")?.Elements().FirstOrDefault(c => Optional(c, "networkCardIndex") == (defaultCard.Length == 0 ? "0" : defaultCard));
            var enis = card is null ? Int(Optional(network, "maximumNetworkInterfaces")) : Int(Optional(card, "maximumNetworkInterfaces"));
            return new Ec2InstanceTypeLimits(Optional(item, "instanceType"), enis, Int(Optional(network, "ipv4AddressesPerInterface")),
                Optional(item, "hypervisor") == "nitro" || Optional(item, "bareMetal") == "true");
        }).ToList();
    }

    /// <summary>Assigns the given secondary addresses (moto picks random ones for a count, without looking at what the subnet has in use).</summary>
    public async Task AssignPrivateIpAddressesAsync(string region, string networkInterfaceId, IReadOnlyList<string> addresses, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Action", "AssignPrivateIpAddresses"), new("NetworkInterfaceId", networkInterfaceId) };
        for (var i = 0; i < addresses.Count; i++) parameters.Add(new($"PrivateIpAddress.{i + 1}", addresses[i]));
        await CallEc2Async(region, parameters, cancel);
    }

    /// <summary>The subnet's IPv4 CIDR block.</summary>
    public async Task<string> DescribeSubnetCidrAsync(string region, string subnetId, CancellationToken cancel)
    {
        var document = await CallEc2Async(region, FilterParameters("DescribeSubnets", "subnet-id", [subnetId]), cancel);
        return Items(document, "subnetSet").Select(item => Child(item, "cidrBlock")).First();
    }

    /// <summary>Creates an ENI in a subnet with the given primary address, security groups and tags; returns its id.</summary>
    public async Task<string> CreateNetworkInterfaceAsync(string region, string subnetId, string primaryAddress, IReadOnlyList<string> groupIds, string description,
        IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "CreateNetworkInterface"), new("SubnetId", subnetId), new("PrivateIpAddress", primaryAddress), new("Description", description),
        };
        for (var i = 0; i < groupIds.Count; i++) parameters.Add(new($"SecurityGroupId.{i + 1}", groupIds[i]));
        AddTagSpecification(parameters, "network-interface", tags);
        var document = await CallEc2Async(region, parameters, cancel);
        return document.Descendants().First(e => e.Name.LocalName == "networkInterfaceId").Value;
    }

    public async Task AttachNetworkInterfaceAsync(string region, string networkInterfaceId, string instanceId, int deviceIndex, CancellationToken cancel) =>
        await CallEc2Async(region, [new("Action", "AttachNetworkInterface"), new("NetworkInterfaceId", networkInterfaceId), new("InstanceId", instanceId),
            new("DeviceIndex", deviceIndex.ToString(CultureInfo.InvariantCulture))], cancel);

    public async Task DetachNetworkInterfaceAsync(string region, string attachmentId, CancellationToken cancel) =>
        await CallEc2Async(region, [new("Action", "DetachNetworkInterface"), new("AttachmentId", attachmentId), new("Force", "true")], cancel);

    public async Task DeleteNetworkInterfaceAsync(string region, string networkInterfaceId, CancellationToken cancel) =>
        await CallEc2Async(region, [new("Action", "DeleteNetworkInterface"), new("NetworkInterfaceId", networkInterfaceId)], cancel);

    /// <summary>The network interfaces a NAT gateway's addresses sit on (none when moto does not know the NAT gateway).</summary>
    public async Task<IReadOnlyList<string>> DescribeNatGatewayInterfacesAsync(string region, string natGatewayId, CancellationToken cancel)
    {
        var document = await CallEc2Async(region, FilterParameters("DescribeNatGateways", "nat-gateway-id", [natGatewayId]), cancel);
        return document.Descendants().Where(e => e.Name.LocalName == "networkInterfaceId").Select(e => e.Value).Where(id => id.Length > 0).Distinct().ToList();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static int Int(string value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
}
