using System.Globalization;
using System.Xml.Linq;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.NodeGroups;

public sealed record AutoScalingInstance(
    string InstanceId, string? InstanceType, string? AvailabilityZone, string? LifecycleState, string? HealthStatus, bool ProtectedFromScaleIn);

public sealed record AutoScalingGroup(
    string AutoScalingGroupName, int MinSize, int MaxSize, int DesiredCapacity, IReadOnlyList<string> AvailabilityZones,
    IReadOnlyList<AutoScalingInstance> Instances, IReadOnlyDictionary<string, string> Tags);

/// <summary>Typed Auto Scaling operations (awsQuery, 2011-01-01) over the generic client.</summary>
public sealed class AutoScalingApi
{
    private readonly GenericServiceClient _client;

    public AutoScalingApi(AwsSession session) => _client = session.Client(ServiceDefinition.AutoScaling);

    /// <summary>The named groups that exist; names Auto Scaling does not know are simply absent, as in the API.</summary>
    public async Task<IReadOnlyList<AutoScalingGroup>> DescribeAutoScalingGroupsAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        var groups = new List<AutoScalingGroup>();
        if (names.Count == 0) return groups;
        string? token = null;
        do
        {
            var parameters = new List<(string, string)>();
            for (var i = 0; i < names.Count; i++) parameters.Add(($"AutoScalingGroupNames.member.{i + 1}", names[i]));
            if (token is not null) parameters.Add(("NextToken", token));
            var doc = await SendAsync("DescribeAutoScalingGroups", ct, parameters.ToArray()).ConfigureAwait(false);
            var list = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "AutoScalingGroups");
            if (list is not null) groups.AddRange(list.Elements().Select(ParseGroup));
            token = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "NextToken")?.Value is { Length: > 0 } next ? next : null;
        } while (token is not null);
        return groups;
    }

    /// <summary>Adds or overwrites tags on a group (not propagated to instances: discovery reads the group).</summary>
    public Task CreateOrUpdateTagsAsync(string groupName, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var parameters = new List<(string, string)>();
        var i = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(($"Tags.member.{i}.ResourceId", groupName));
            parameters.Add(($"Tags.member.{i}.ResourceType", "auto-scaling-group"));
            parameters.Add(($"Tags.member.{i}.Key", key));
            parameters.Add(($"Tags.member.{i}.Value", value));
            parameters.Add(($"Tags.member.{i}.PropagateAtLaunch", "false"));
            i++;
        }
        return SendAsync("CreateOrUpdateTags", ct, parameters.ToArray());
    }

    internal static AutoScalingGroup ParseGroup(XElement group)
    {
        var instances = Child(group, "Instances")?.Elements().Select(i => new AutoScalingInstance(
            Text(i, "InstanceId")!, Text(i, "InstanceType"), Text(i, "AvailabilityZone"), Text(i, "LifecycleState"), Text(i, "HealthStatus"),
            Text(i, "ProtectedFromScaleIn") == "true")).ToList() ?? new List<AutoScalingInstance>();
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in Child(group, "Tags")?.Elements() ?? Enumerable.Empty<XElement>())
            if (Text(tag, "Key") is { } key) tags[key] = Text(tag, "Value") ?? string.Empty;
        return new AutoScalingGroup(Text(group, "AutoScalingGroupName")!, Int(group, "MinSize"), Int(group, "MaxSize"), Int(group, "DesiredCapacity"),
            Child(group, "AvailabilityZones")?.Elements().Select(e => e.Value).ToList() ?? new List<string>(), instances, tags);
    }

    private static XElement? Child(XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name);
    private static string? Text(XElement e, string name) => Child(e, name)?.Value;
    private static int Int(XElement e, string name) => int.TryParse(Text(e, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private async Task<XDocument> SendAsync(string operation, CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        var request = new AwsRequest(operation, "POST", "/")
        {
            FormParameters = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList(),
        };
        var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
        return XDocument.Parse(response.Body);
    }
}
