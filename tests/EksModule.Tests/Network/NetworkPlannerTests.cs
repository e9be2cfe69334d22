using EksModule.Engine.Network;

namespace EksModule.Tests.Network;

public class NetworkPlannerTests
{
    private static NetworkPlan Plan(string name = "demo", string cidr = "192.168.0.0/16", int azs = 3, IReadOnlyDictionary<string, string>? tags = null) =>
        new(name, cidr, azs, NatGatewayMode.Single, tags ?? new Dictionary<string, string>());

    [Theory]
    [InlineData("192.168.0.0/16", 2)]
    [InlineData("192.168.0.0/16", 3)]
    [InlineData("10.0.0.0/16", 4)]
    [InlineData("10.0.0.0/16", 6)]
    [InlineData("10.20.0.0/20", 5)]
    [InlineData("172.31.128.0/17", 3)]
    [InlineData("10.1.2.0/24", 2)]
    [InlineData("10.1.2.0/24", 5)]
    [InlineData("10.1.2.0/23", 6)]
    public void CarvedSubnetsAreInsideTheVpcDisjointAndPrivateIsLarger(string vpcCidr, int azCount)
    {
        var pairs = NetworkPlanner.CarveSubnets(vpcCidr, azCount);
        var vpc = Ipv4Cidr.Parse(vpcCidr);

        Assert.Equal(azCount, pairs.Count);
        Assert.Equal(Enumerable.Range(0, azCount), pairs.Select(p => p.Index));
        var all = pairs.SelectMany(p => new[] { Ipv4Cidr.Parse(p.PublicCidr), Ipv4Cidr.Parse(p.PrivateCidr) }).ToList();
        Assert.Equal(2 * azCount, all.Count);
        Assert.All(all, block => Assert.True(vpc.Contains(block), $"{block} outside {vpc}"));
        Assert.All(all, block => Assert.InRange(block.Prefix, 16, 28));
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                Assert.False(all[i].Overlaps(all[j]), $"{all[i]} overlaps {all[j]}");
            }
        }

        foreach (var pair in pairs)
        {
            Assert.True(Ipv4Cidr.Parse(pair.PrivateCidr).Size > Ipv4Cidr.Parse(pair.PublicCidr).Size);
        }
    }

    [Fact]
    public void DefaultVpcWithThreeAzsGetsQuarterPrivateBlocksAndSixteenthPublicBlocks()
    {
        var pairs = NetworkPlanner.CarveSubnets("192.168.0.0/16", 3);

        Assert.Equal(new[] { "192.168.0.0/18", "192.168.64.0/18", "192.168.128.0/18" }, pairs.Select(p => p.PrivateCidr));
        Assert.Equal(new[] { "192.168.192.0/20", "192.168.208.0/20", "192.168.224.0/20" }, pairs.Select(p => p.PublicCidr));
    }

    [Fact]
    public void SmallVpcFallsBackToPrivateTwiceThePublicSize()
    {
        var pairs = NetworkPlanner.CarveSubnets("10.1.2.0/24", 4);

        Assert.All(pairs, p => Assert.EndsWith("/27", p.PrivateCidr));
        Assert.All(pairs, p => Assert.EndsWith("/28", p.PublicCidr));
    }

    [Fact]
    public void TooSmallVpcForSixAzsIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkPlanner.CarveSubnets("10.1.2.0/24", 6));
        Assert.Contains("too small", error.Message);

        var invalid = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(cidr: "10.1.2.0/24", azs: 6)));
        Assert.Contains("too small for 6 AZs", invalid.Message);
        Assert.Equal("VpcCidr", invalid.ParamName);
    }

    [Fact]
    public void ValidPlanPasses()
    {
        NetworkPlanner.Validate(Plan());
        NetworkPlanner.Validate(Plan(name: "a", cidr: "10.0.0.0/24", azs: 2, tags: new Dictionary<string, string> { ["team"] = "ops" }));
        Assert.Empty(NetworkPlanner.GetProblems(Plan(name: new string('x', 100))));
    }

    [Theory]
    [InlineData("192.168.0.0", "no '/prefix'")]
    [InlineData("192.168.0.0/33", "invalid prefix")]
    [InlineData("300.1.0.0/16", "not a number from 0 to 255")]
    [InlineData("fd00::/64", "IPv6")]
    [InlineData("10.0.0.0/8", "prefix /8")]
    [InlineData("10.0.0.0/25", "prefix /25")]
    [InlineData("10.0.0.1/16", "host bits set; the block starting there is 10.0.0.0/16")]
    [InlineData("", "empty")]
    public void BadCidrsAreExplained(string cidr, string expected)
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(cidr: cidr)));
        Assert.Contains(expected, error.Message);
        Assert.Equal("VpcCidr", error.ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(7)]
    public void AzCountOutsideTwoToSixIsRejected(int azs)
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(azs: azs)));
        Assert.Contains("at least 2", error.Message);
        Assert.Equal("AvailabilityZoneCount", error.ParamName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-demo", "must start with a letter or digit")]
    [InlineData("demo.cluster", "only letters, digits")]
    [InlineData("démo", "only letters, digits")]
    public void BadClusterNamesAreExplained(string name, string expected)
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(name: name)));
        Assert.Contains(expected, error.Message);
        Assert.Equal("ClusterName", error.ParamName);
    }

    [Fact]
    public void OverlongClusterNameIsRejected()
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(name: new string('a', 101))));
        Assert.Contains("at most 100", error.Message);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(name: "_x", cidr: "10.0.0.0/8", azs: 1)));
        Assert.Equal(3, error.Problems.Count);
        Assert.Equal("ClusterName", error.ParamName);
    }

    [Theory]
    [InlineData("Name")]
    [InlineData("eksmodule:component")]
    [InlineData("aws:cloudformation:stack-name")]
    [InlineData("kubernetes.io/role/elb")]
    [InlineData("kubernetes.io/cluster/other")]
    public void ReservedTagKeysAreRejected(string key)
    {
        var error = Assert.Throws<InvalidNetworkPlanException>(() => NetworkPlanner.Validate(Plan(tags: new Dictionary<string, string> { [key] = "x" })));
        Assert.Contains("reserved", error.Message);
    }
}
