using System.Xml.Linq;

namespace EksEmulator.Moto;

/// <summary>An EC2 instance as a node needs it: where it runs, what it is, and the names the kubelet registers under.</summary>
public sealed record Ec2InstanceInfo(string InstanceId, string InstanceType, string AvailabilityZone, string PrivateDnsName, string PrivateIpAddress, string State);

public sealed partial class MotoClient
{
    public async Task<IReadOnlyList<Ec2InstanceInfo>> DescribeInstancesAsync(string region, IReadOnlyList<string> instanceIds, CancellationToken cancel)
    {
        if (instanceIds.Count == 0) return [];
        var parameters = new List<KeyValuePair<string, string>> { new("Action", "DescribeInstances") };
        for (var i = 0; i < instanceIds.Count; i++) parameters.Add(new($"InstanceId.{i + 1}", instanceIds[i]));
        var document = await CallEc2Async(region, parameters, cancel);
        return document.Descendants().Where(e => e.Name.LocalName == "instancesSet").Elements()
            .Where(i => i.Name.LocalName == "item")
            .Select(i => new Ec2InstanceInfo(
                Optional(i, "instanceId"), Optional(i, "instanceType"), Optional(Element(i, "placement"), "availabilityZone"),
                Optional(i, "privateDnsName"), Optional(i, "privateIpAddress"), Optional(Element(i, "instanceState"), "name")))
            .ToList();
    }

    public async Task<IReadOnlyList<(string InstanceId, string LifecycleState)>> DescribeGroupLifecycleAsync(string region, string groupName, CancellationToken cancel)
    {
        var document = await CallAutoScalingAsync(region,
            [new("Action", "DescribeAutoScalingGroups"), new("AutoScalingGroupNames.member.1", groupName)], cancel);
        return document.Descendants().Where(e => e.Name.LocalName == "Instances").Elements()
            .Select(i => (Optional(i, "InstanceId"), Optional(i, "LifecycleState")))
            .ToList();
    }

    private static XElement? Element(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string Optional(XElement? parent, string name) => Element(parent, name)?.Value ?? "";
}
