using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.Network;
using static EksModule.Tests.Network.NetworkTestSupport;

namespace EksModule.Tests.Network;

public sealed class NetworkBuilderEnsureTests : IClassFixture<MotoServerFixture>, IDisposable
{
    private readonly MotoServerFixture _moto;
    private readonly ConcurrentQueue<string> _operations = new();
    private readonly AmazonEC2Client _ec2;

    public NetworkBuilderEnsureTests(MotoServerFixture moto)
    {
        // No reset between tests: every test uses its own cluster name and looks only at that cluster's resources.
        _moto = moto;
        _ec2 = moto.CreateEc2Client(_operations);
    }

    public void Dispose() => _ec2.Dispose();

    [Fact]
    public async Task AvailabilityZonesAreTheRegionsStandardZonesSorted()
    {
        var zones = await Builder(_ec2).GetAvailabilityZonesAsync();

        Assert.Equal(new[] { "us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f" }, zones);
        var error = await Assert.ThrowsAsync<NetworkStateException>(() => Builder(_ec2).GetAvailabilityZonesAsync(7));
        Assert.Contains("only 6 available", error.Message);
        Assert.Equal("NotEnoughAvailabilityZones", error.ErrorId);
    }

    [Fact]
    public async Task ThreeAzsWithSingleNatBuildsTheWholeNetwork()
    {
        var progress = new List<string>();
        var network = await Builder(_ec2).EnsureAsync(Plan("alpha"), new SyncProgress(progress));

        var vpc = Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [network.VpcId] })).Vpcs);
        Assert.Equal("192.168.0.0/16", vpc.CidrBlock);
        Assert.True((await _ec2.DescribeVpcAttributeAsync(new DescribeVpcAttributeRequest { VpcId = network.VpcId, Attribute = VpcAttributeName.EnableDnsHostnames })).EnableDnsHostnames);
        Assert.True((await _ec2.DescribeVpcAttributeAsync(new DescribeVpcAttributeRequest { VpcId = network.VpcId, Attribute = VpcAttributeName.EnableDnsSupport })).EnableDnsSupport);

        Assert.Equal(new[] { "us-east-1a", "us-east-1b", "us-east-1c" }, network.AvailabilityZones);
        var subnets = await SubnetsOf(_ec2, network.VpcId);
        Assert.Equal(6, subnets.Count);
        var publicSubnets = network.PublicSubnetIds.Select(id => subnets.Single(s => s.SubnetId == id)).ToList();
        var privateSubnets = network.PrivateSubnetIds.Select(id => subnets.Single(s => s.SubnetId == id)).ToList();
        Assert.Equal(network.AvailabilityZones, publicSubnets.Select(s => s.AvailabilityZone));
        Assert.Equal(network.AvailabilityZones, privateSubnets.Select(s => s.AvailabilityZone));
        Assert.Equal(new[] { "192.168.192.0/20", "192.168.208.0/20", "192.168.224.0/20" }, publicSubnets.Select(s => s.CidrBlock));
        Assert.Equal(new[] { "192.168.0.0/18", "192.168.64.0/18", "192.168.128.0/18" }, privateSubnets.Select(s => s.CidrBlock));
        Assert.All(publicSubnets, s => Assert.True(s.MapPublicIpOnLaunch));
        Assert.All(privateSubnets, s => Assert.NotEqual(true, s.MapPublicIpOnLaunch));

        var igw = Assert.Single((await _ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { InternetGatewayIds = [network.InternetGatewayId!] })).InternetGateways);
        Assert.Equal(network.VpcId, Assert.Single(igw.Attachments).VpcId);

        var nat = Assert.Single(await LiveNatsOf(_ec2, network.VpcId));
        Assert.Equal(network.NatGatewayIds, new[] { nat.NatGatewayId });
        Assert.Equal(network.PublicSubnetIds[0], nat.SubnetId);
        Assert.Equal(NatGatewayState.Available, nat.State);
        Assert.NotNull(Assert.Single(nat.NatGatewayAddresses).AllocationId);

        var tables = await RouteTablesOf(_ec2, network.VpcId);
        Assert.Equal(2, network.RouteTableIds.Count);
        var publicTable = tables.Single(t => t.RouteTableId == network.RouteTableIds[0]);
        var privateTable = tables.Single(t => t.RouteTableId == network.RouteTableIds[1]);
        Assert.Equal(network.InternetGatewayId, publicTable.Routes.Single(r => r.DestinationCidrBlock == "0.0.0.0/0").GatewayId);
        Assert.Equal(nat.NatGatewayId, privateTable.Routes.Single(r => r.DestinationCidrBlock == "0.0.0.0/0").NatGatewayId);
        Assert.Equal(network.PublicSubnetIds.Order(), publicTable.Associations.Select(a => a.SubnetId).Order());
        Assert.Equal(network.PrivateSubnetIds.Order(), privateTable.Associations.Select(a => a.SubnetId).Order());

        Assert.Contains("Create VPC 192.168.0.0/16 with DNS hostnames and DNS support", progress);
        Assert.Contains(progress, p => p.StartsWith("NAT gateway " + nat.NatGatewayId + " available", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoAzsWithoutNatLeavesPrivateSubnetsWithoutDefaultRoute()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("bravo", azs: 2, nat: NatGatewayMode.None, cidr: "10.10.0.0/20"));

        Assert.Equal(2, network.PublicSubnetIds.Count);
        Assert.Equal(2, network.PrivateSubnetIds.Count);
        Assert.Empty(network.NatGatewayIds);
        Assert.Empty(await LiveNatsOf(_ec2, network.VpcId));
        Assert.Empty(await AddressesOf(_ec2, "bravo"));
        Assert.DoesNotContain("AllocateAddress", _operations);

        var tables = await RouteTablesOf(_ec2, network.VpcId);
        var privateTable = tables.Single(t => t.RouteTableId == network.RouteTableIds[1]);
        Assert.DoesNotContain(privateTable.Routes, r => r.DestinationCidrBlock == "0.0.0.0/0");
        Assert.Equal(network.PrivateSubnetIds.Order(), privateTable.Associations.Select(a => a.SubnetId).Order());
        var publicTable = tables.Single(t => t.RouteTableId == network.RouteTableIds[0]);
        Assert.Equal(network.InternetGatewayId, publicTable.Routes.Single(r => r.DestinationCidrBlock == "0.0.0.0/0").GatewayId);
    }

    [Fact]
    public async Task HighlyAvailableNatPutsOneNatPerAzAndRoutesEachAzThroughItsOwn()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("charlie", azs: 3, nat: NatGatewayMode.HighlyAvailable));

        var nats = await LiveNatsOf(_ec2, network.VpcId);
        Assert.Equal(3, nats.Count);
        Assert.Equal(3, network.NatGatewayIds.Count);
        Assert.Equal(network.PublicSubnetIds.Order(), nats.Select(n => n.SubnetId).Order());
        Assert.Equal(3, (await AddressesOf(_ec2, "charlie")).Count);

        var tables = await RouteTablesOf(_ec2, network.VpcId);
        Assert.Equal(4, network.RouteTableIds.Count);
        for (var i = 0; i < 3; i++)
        {
            var table = tables.Single(t => t.Associations?.Any(a => a.SubnetId == network.PrivateSubnetIds[i]) == true);
            var natId = table.Routes.Single(r => r.DestinationCidrBlock == "0.0.0.0/0").NatGatewayId;
            Assert.Equal(network.PublicSubnetIds[i], nats.Single(n => n.NatGatewayId == natId).SubnetId);
            Assert.Equal($"eks-charlie-private-{network.AvailabilityZones[i]}", TagValue(table.Tags, "Name"));
        }
    }

    [Fact]
    public async Task EveryResourceCarriesNameClusterComponentUserAndLoadBalancerTags()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("delta", azs: 2, nat: NatGatewayMode.HighlyAvailable));

        var vpc = Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [network.VpcId] })).Vpcs);
        AssertCommonTags(vpc.Tags, "delta", "vpc", "eks-delta-vpc");

        var igw = Assert.Single((await _ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { InternetGatewayIds = [network.InternetGatewayId!] })).InternetGateways);
        AssertCommonTags(igw.Tags, "delta", "internet-gateway", "eks-delta-igw");

        foreach (var subnet in await SubnetsOf(_ec2, network.VpcId))
        {
            var isPublic = network.PublicSubnetIds.Contains(subnet.SubnetId);
            AssertCommonTags(subnet.Tags, "delta", isPublic ? "public-subnet" : "private-subnet", $"eks-delta-{(isPublic ? "public" : "private")}-{subnet.AvailabilityZone}");
            Assert.Equal("shared", TagValue(subnet.Tags, "kubernetes.io/cluster/delta"));
            Assert.Equal(isPublic ? "1" : null, TagValue(subnet.Tags, "kubernetes.io/role/elb"));
            Assert.Equal(isPublic ? null : "1", TagValue(subnet.Tags, "kubernetes.io/role/internal-elb"));
            Assert.Equal(subnet.AvailabilityZone, TagValue(subnet.Tags, "eksmodule:availability-zone"));
        }

        var tables = (await RouteTablesOf(_ec2, network.VpcId)).Where(t => network.RouteTableIds.Contains(t.RouteTableId)).ToList();
        Assert.Equal(3, tables.Count);
        foreach (var table in tables)
        {
            var isPublic = table.RouteTableId == network.RouteTableIds[0];
            var zone = TagValue(table.Tags, "eksmodule:availability-zone");
            AssertCommonTags(table.Tags, "delta", isPublic ? "public-route-table" : "private-route-table", isPublic ? "eks-delta-public" : $"eks-delta-private-{zone}");
        }

        foreach (var nat in await LiveNatsOf(_ec2, network.VpcId))
        {
            var zone = TagValue(nat.Tags, "eksmodule:availability-zone");
            AssertCommonTags(nat.Tags, "delta", "nat-gateway", $"eks-delta-nat-{zone}");
        }

        var addresses = await AddressesOf(_ec2, "delta");
        Assert.Equal(2, addresses.Count);
        foreach (var address in addresses)
        {
            var zone = TagValue(address.Tags, "eksmodule:availability-zone");
            AssertCommonTags(address.Tags, "delta", "nat-eip", $"eks-delta-nat-{zone}");
        }

        // Tagged at creation: no separate CreateTags round trip.
        Assert.DoesNotContain("CreateTags", _operations);
    }

    [Fact]
    public async Task AwsCliSeesThePublicSubnetsByTheElbRoleTag()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("echo", azs: 2));

        var start = new System.Diagnostics.ProcessStartInfo("aws",
            ["--endpoint-url", _moto.Url, "--region", "us-east-1", "--output", "json", "ec2", "describe-subnets",
             "--filters", "Name=tag:kubernetes.io/role/elb,Values=1", "--query", "Subnets[].SubnetId"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_ACCESS_KEY_ID"] = MotoServerFixture.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = MotoServerFixture.SecretKey;
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, stderr);
        var ids = System.Text.Json.JsonSerializer.Deserialize<string[]>(stdout)!;
        Assert.Equal(network.PublicSubnetIds.Order(), ids.Order());
    }

    private sealed class SyncProgress(List<string> messages) : IProgress<string>
    {
        public void Report(string value) => messages.Add(value);
    }
}
