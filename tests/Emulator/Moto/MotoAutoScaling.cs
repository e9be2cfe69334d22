using System.Globalization;
using System.Xml.Linq;

namespace EksEmulator.Moto;

public sealed record AsgInstance(string InstanceId, string AvailabilityZone);

/// <summary>
/// The Auto Scaling group EKS runs behind each managed node group, kept in moto. moto starts every
/// instance of a group in its first subnet; EKS's groups spread instances across their subnets' zones,
/// so the emulator launches instances itself, one per subnet in turn, and attaches them to the group.
/// </summary>
public sealed partial class MotoClient
{
    private const string AmiId = "ami-0eks0emulator00";

    public async Task<string> CreateLaunchTemplateAsync(string region, string name, string instanceType, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "CreateLaunchTemplate"),
            new("LaunchTemplateName", name),
            new("LaunchTemplateData.ImageId", AmiId),
            new("LaunchTemplateData.InstanceType", instanceType),
        };
        AddEc2Tags(parameters, "TagSpecification.1", "launch-template", tags);
        var document = await CallEc2Async(region, parameters, cancel);
        return document.Descendants().First(e => e.Name.LocalName == "launchTemplateId").Value;
    }

    public async Task DeleteLaunchTemplateAsync(string region, string launchTemplateId, CancellationToken cancel) =>
        await CallEc2Async(region, [new("Action", "DeleteLaunchTemplate"), new("LaunchTemplateId", launchTemplateId)], cancel);

    /// <summary>Creates the group empty, then brings it to <paramref name="desired"/> instances spread over the subnets.</summary>
    public async Task CreateAutoScalingGroupAsync(string region, string name, string launchTemplateId, IReadOnlyList<string> subnetIds,
        int min, int max, int desired, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "CreateAutoScalingGroup"),
            new("AutoScalingGroupName", name),
            new("LaunchTemplate.LaunchTemplateId", launchTemplateId),
            new("LaunchTemplate.Version", "$Latest"),
            new("MinSize", "0"),
            new("MaxSize", Invariant(max)),
            new("DesiredCapacity", "0"),
            new("VPCZoneIdentifier", string.Join(",", subnetIds)),
        };
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"Tags.member.{index}.ResourceId", name));
            parameters.Add(new($"Tags.member.{index}.ResourceType", "auto-scaling-group"));
            parameters.Add(new($"Tags.member.{index}.Key", key));
            parameters.Add(new($"Tags.member.{index}.Value", value));
            parameters.Add(new($"Tags.member.{index}.PropagateAtLaunch", "true"));
            index++;
        }

        await CallAutoScalingAsync(region, parameters, cancel);
        await ScaleAutoScalingGroupAsync(region, name, launchTemplateId, subnetIds, min, max, desired, tags, cancel);
    }

    /// <summary>Sets min and max and adds or removes instances until the group has <paramref name="desired"/>, keeping the zones balanced.</summary>
    public async Task ScaleAutoScalingGroupAsync(string region, string name, string launchTemplateId, IReadOnlyList<string> subnetIds,
        int min, int max, int desired, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        // Widen the bounds first so every intermediate size is allowed, narrow them at the end.
        await UpdateBoundsAsync(region, name, 0, Math.Max(max, 1), cancel);
        var instances = await DescribeGroupInstancesAsync(region, name, cancel);
        var subnets = await DescribeSubnetsAsync(region, subnetIds, cancel);
        var perZone = subnets.Select(s => s.AvailabilityZone).Distinct().ToDictionary(z => z, z => instances.Count(i => i.AvailabilityZone == z));

        var toLaunch = new List<SubnetInfo>();
        for (var count = instances.Count; count < desired; count++)
        {
            var zone = perZone.OrderBy(z => z.Value).ThenBy(z => z.Key, StringComparer.Ordinal).First().Key;
            perZone[zone]++;
            toLaunch.Add(subnets.First(s => s.AvailabilityZone == zone));
        }

        var launched = new List<string>();
        foreach (var subnet in toLaunch)
            launched.Add(await RunInstanceAsync(region, launchTemplateId, subnet.SubnetId, tags, cancel));
        if (launched.Count > 0)
        {
            var attach = new List<KeyValuePair<string, string>> { new("Action", "AttachInstances"), new("AutoScalingGroupName", name) };
            for (var i = 0; i < launched.Count; i++) attach.Add(new($"InstanceIds.member.{i + 1}", launched[i]));
            await CallAutoScalingAsync(region, attach, cancel);
        }

        var remaining = instances.ToList();
        for (var count = instances.Count; count > desired; count--)
        {
            var zone = remaining.GroupBy(i => i.AvailabilityZone).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            var victim = remaining.Last(i => i.AvailabilityZone == zone);
            remaining.Remove(victim);
            await CallAutoScalingAsync(region,
                [new("Action", "TerminateInstanceInAutoScalingGroup"), new("InstanceId", victim.InstanceId), new("ShouldDecrementDesiredCapacity", "true")], cancel);
        }

        await UpdateBoundsAsync(region, name, min, max, cancel);
    }

    public async Task DeleteAutoScalingGroupAsync(string region, string name, CancellationToken cancel) =>
        await CallAutoScalingAsync(region, [new("Action", "DeleteAutoScalingGroup"), new("AutoScalingGroupName", name), new("ForceDelete", "true")], cancel);

    public async Task<IReadOnlyList<AsgInstance>> DescribeGroupInstancesAsync(string region, string name, CancellationToken cancel)
    {
        var document = await CallAutoScalingAsync(region,
            [new("Action", "DescribeAutoScalingGroups"), new("AutoScalingGroupNames.member.1", name)], cancel);
        return document.Descendants().Where(e => e.Name.LocalName == "Instances").Elements()
            .Select(i => new AsgInstance(Child(i, "InstanceId"), Child(i, "AvailabilityZone")))
            .ToList();
    }

    private async Task UpdateBoundsAsync(string region, string name, int min, int max, CancellationToken cancel) =>
        await CallAutoScalingAsync(region,
            [new("Action", "UpdateAutoScalingGroup"), new("AutoScalingGroupName", name), new("MinSize", Invariant(min)), new("MaxSize", Invariant(max))], cancel);

    private async Task<string> RunInstanceAsync(string region, string launchTemplateId, string subnetId, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "RunInstances"),
            new("LaunchTemplate.LaunchTemplateId", launchTemplateId),
            new("MinCount", "1"),
            new("MaxCount", "1"),
            new("SubnetId", subnetId),
        };
        AddEc2Tags(parameters, "TagSpecification.1", "instance", tags);
        var document = await CallEc2Async(region, parameters, cancel);
        return document.Descendants().First(e => e.Name.LocalName == "instanceId").Value;
    }

    private static void AddEc2Tags(List<KeyValuePair<string, string>> parameters, string prefix, string resourceType, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0) return;
        parameters.Add(new($"{prefix}.ResourceType", resourceType));
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"{prefix}.Tag.{index}.Key", key));
            parameters.Add(new($"{prefix}.Tag.{index}.Value", value));
            index++;
        }
    }

    private async Task<XDocument> CallAutoScalingAsync(string region, List<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        parameters.Add(new("Version", "2011-01-01"));
        using var request = Request("autoscaling", region, parameters);
        using var response = await moto.SendAsync(request, cancel);
        await EnsureSuccessAsync(response, "Auto Scaling " + parameters[0].Value);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
