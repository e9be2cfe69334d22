using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.Network;

namespace EksModule.Tests.Network;

internal static class NetworkTestSupport
{
    public static readonly IReadOnlyDictionary<string, string> UserTags = new Dictionary<string, string> { ["team"] = "platform", ["cost-center"] = "42" };

    /// <summary>Polls without sleeping; counts the delays so a test can see a wait happened.</summary>
    public static NetworkBuilder Builder(IAmazonEC2 ec2) => new(ec2, new NetworkBuilderOptions
    {
        PollInterval = TimeSpan.FromMilliseconds(1),
        MaxPollInterval = TimeSpan.FromMilliseconds(1),
        Clock = new Infrastructure.InstantClock(),
    });

    /// <summary>With the default backoff on a clock that does not really sleep, so a test can read the waits.</summary>
    public static NetworkBuilder Builder(IAmazonEC2 ec2, Infrastructure.InstantClock clock) => new(ec2, new NetworkBuilderOptions { Clock = clock });

    public static NetworkPlan Plan(string cluster, int azs = 3, NatGatewayMode nat = NatGatewayMode.Single, string cidr = "192.168.0.0/16") =>
        new(cluster, cidr, azs, nat, UserTags);

    public static bool IsMutating(string operation) =>
        !operation.StartsWith("Describe", StringComparison.Ordinal) && !operation.StartsWith("Get", StringComparison.Ordinal);

    public static Filter Tag(string key, string value) => new("tag:" + key, [value]);

    public static async Task<List<Subnet>> SubnetsOf(IAmazonEC2 ec2, string vpcId) =>
        (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcId])] })).Subnets ?? [];

    public static async Task<List<RouteTable>> RouteTablesOf(IAmazonEC2 ec2, string vpcId) =>
        (await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", [vpcId])] })).RouteTables ?? [];

    public static async Task<List<NatGateway>> LiveNatsOf(IAmazonEC2 ec2, string vpcId) =>
        ((await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { Filter = [new Filter("vpc-id", [vpcId])] })).NatGateways ?? [])
        .Where(n => n.State == NatGatewayState.Available || n.State == NatGatewayState.Pending).ToList();

    public static async Task<List<Address>> AddressesOf(IAmazonEC2 ec2, string cluster) =>
        (await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = [Tag("eksmodule:cluster-name", cluster)] })).Addresses ?? [];

    public static string? TagValue(List<Tag>? tags, string key) => tags?.FirstOrDefault(t => t.Key == key)?.Value;

    public static void AssertCommonTags(List<Tag>? tags, string cluster, string component, string name)
    {
        Assert.Equal(name, TagValue(tags, "Name"));
        Assert.Equal(cluster, TagValue(tags, "eksmodule:cluster-name"));
        Assert.Equal(component, TagValue(tags, "eksmodule:component"));
        Assert.Equal("platform", TagValue(tags, "team"));
        Assert.Equal("42", TagValue(tags, "cost-center"));
    }

    public static ConcurrentQueue<string> NewLog() => new();
}
