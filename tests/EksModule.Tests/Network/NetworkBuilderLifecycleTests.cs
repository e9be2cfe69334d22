using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using EksModule.Engine.Network;
using static EksModule.Tests.Network.NetworkTestSupport;

namespace EksModule.Tests.Network;

/// <summary>Plan, rerun, find, delete and subnet checks; each test uses its own cluster name on a shared moto.</summary>
public sealed class NetworkBuilderLifecycleTests : IClassFixture<MotoServerFixture>, IDisposable
{
    private readonly MotoServerFixture _moto;
    private readonly ConcurrentQueue<string> _operations = new();
    private readonly AmazonEC2Client _ec2;

    public NetworkBuilderLifecycleTests(MotoServerFixture moto)
    {
        _moto = moto;
        _ec2 = moto.CreateEc2Client(_operations);
    }

    public void Dispose() => _ec2.Dispose();

    [Fact]
    public async Task PlanOnAnEmptyAccountListsEveryCreationAndSendsOnlyReads()
    {
        var actions = await Builder(_ec2).PlanAsync(Plan("plan1", azs: 3, nat: NatGatewayMode.Single));

        Assert.NotEmpty(_operations);
        Assert.DoesNotContain(_operations, IsMutating);
        Assert.All(actions, a => Assert.Equal(PlannedActionKind.Create == a.Kind || PlannedActionKind.Modify == a.Kind, a.IsChange));
        var descriptions = actions.Select(a => a.Description).ToList();
        Assert.Equal("Create VPC 192.168.0.0/16 with DNS hostnames and DNS support", descriptions[0]);
        Assert.Contains("Create public subnet 192.168.192.0/20 in us-east-1a", descriptions);
        Assert.Contains("Create private subnet 192.168.128.0/18 in us-east-1c", descriptions);
        Assert.Contains("Create internet gateway", descriptions);
        Assert.Contains("Create route table eks-plan1-public", descriptions);
        Assert.Contains("Create route table eks-plan1-private", descriptions);
        Assert.Single(actions, a => a.ResourceType == "natgateway");
        Assert.Single(actions, a => a.ResourceType == "elastic-ip");
        Assert.Equal(6, actions.Count(a => a.ResourceType == "subnet"));
        Assert.Equal(6, actions.Count(a => a.ResourceType == "route-table-association"));
        Assert.Equal(2, actions.Count(a => a.ResourceType == "route"));
        Assert.Null(await Builder(_ec2).FindAsync("plan1"));
    }

    [Fact]
    public async Task PlanAfterEnsureFindsEverythingInPlace()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("plan2", azs: 2, nat: NatGatewayMode.HighlyAvailable));
        _operations.Clear();

        var actions = await Builder(_ec2).PlanAsync(Plan("plan2", azs: 2, nat: NatGatewayMode.HighlyAvailable));

        Assert.DoesNotContain(_operations, IsMutating);
        Assert.All(actions, a => Assert.Equal(PlannedActionKind.Exists, a.Kind));
        Assert.Contains(actions, a => a.ResourceType == "vpc" && a.ResourceId == network.VpcId);
        Assert.Equal(network.NatGatewayIds.Order(), actions.Where(a => a.ResourceType == "natgateway").Select(a => a.ResourceId).Order());
    }

    [Fact]
    public async Task RerunAfterSuccessCreatesNothingAndReturnsTheSameNetwork()
    {
        var first = await Builder(_ec2).EnsureAsync(Plan("rerun1"));
        _operations.Clear();

        var second = await Builder(_ec2).EnsureAsync(Plan("rerun1"));

        Assert.DoesNotContain(_operations, IsMutating);
        Assert.Equal(first.VpcId, second.VpcId);
        Assert.Equal(first.PublicSubnetIds, second.PublicSubnetIds);
        Assert.Equal(first.PrivateSubnetIds, second.PrivateSubnetIds);
        Assert.Equal(first.NatGatewayIds, second.NatGatewayIds);
        Assert.Equal(first.RouteTableIds, second.RouteTableIds);
        Assert.Equal(first.InternetGatewayId, second.InternetGatewayId);
    }

    [Fact]
    public async Task RerunAfterASubnetWasDeletedRecreatesOnlyThatSubnet()
    {
        var first = await Builder(_ec2).EnsureAsync(Plan("rerun2"));
        var lost = first.PrivateSubnetIds[1];
        var lostCidr = (await SubnetsOf(_ec2, first.VpcId)).Single(s => s.SubnetId == lost).CidrBlock;
        var privateTable = (await RouteTablesOf(_ec2, first.VpcId)).Single(t => t.RouteTableId == first.RouteTableIds[1]);
        await _ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = privateTable.Associations.Single(a => a.SubnetId == lost).RouteTableAssociationId });
        await _ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = lost });
        _operations.Clear();

        var second = await Builder(_ec2).EnsureAsync(Plan("rerun2"));

        Assert.Equal(new[] { "CreateSubnet", "AssociateRouteTable" }, _operations.Where(IsMutating));
        Assert.Equal(first.VpcId, second.VpcId);
        Assert.Equal(first.PublicSubnetIds, second.PublicSubnetIds);
        Assert.Equal(first.PrivateSubnetIds[0], second.PrivateSubnetIds[0]);
        Assert.NotEqual(lost, second.PrivateSubnetIds[1]);
        var subnets = await SubnetsOf(_ec2, second.VpcId);
        Assert.Equal(6, subnets.Count);
        Assert.Equal(lostCidr, subnets.Single(s => s.SubnetId == second.PrivateSubnetIds[1]).CidrBlock);
        var table = (await RouteTablesOf(_ec2, second.VpcId)).Single(t => t.RouteTableId == second.RouteTableIds[1]);
        Assert.Contains(table.Associations, a => a.SubnetId == second.PrivateSubnetIds[1]);
        Assert.Single(await LiveNatsOf(_ec2, second.VpcId));
    }

    [Fact]
    public async Task RerunAfterAFailureMidwayConvergesWithoutDuplicates()
    {
        using var failing = _moto.CreateEc2Client();
        failing.BeforeRequestEvent += (_, args) =>
        {
            if (args is WebServiceRequestEventArgs { Request: CreateNatGatewayRequest })
            {
                throw new AmazonEC2Exception("injected failure before CreateNatGateway");
            }
        };
        await Assert.ThrowsAsync<AmazonEC2Exception>(() => Builder(failing).EnsureAsync(Plan("halfway", azs: 2)));
        var partial = await Builder(_ec2).FindAsync("halfway");
        Assert.NotNull(partial);
        Assert.Empty(partial.NatGatewayIds);
        Assert.Single(await AddressesOf(_ec2, "halfway"));
        _operations.Clear();

        var network = await Builder(_ec2).EnsureAsync(Plan("halfway", azs: 2));

        Assert.Equal(partial.VpcId, network.VpcId);
        Assert.DoesNotContain("CreateVpc", _operations);
        Assert.DoesNotContain("CreateSubnet", _operations);
        Assert.DoesNotContain("CreateInternetGateway", _operations);
        Assert.DoesNotContain("AllocateAddress", _operations); // the Elastic IP of the failed run is reused
        Assert.Single(_operations, "CreateNatGateway");
        Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [Tag("eksmodule:cluster-name", "halfway")] })).Vpcs);
        Assert.Single((await _ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = [Tag("eksmodule:cluster-name", "halfway")] })).InternetGateways);
        Assert.Equal(4, (await SubnetsOf(_ec2, network.VpcId)).Count);
        Assert.Single(await AddressesOf(_ec2, "halfway"));
        var nat = Assert.Single(await LiveNatsOf(_ec2, network.VpcId));
        var privateTable = (await RouteTablesOf(_ec2, network.VpcId)).Single(t => t.RouteTableId == network.RouteTableIds[1]);
        Assert.Equal(nat.NatGatewayId, privateTable.Routes.Single(r => r.DestinationCidrBlock == "0.0.0.0/0").NatGatewayId);
    }

    [Fact]
    public async Task ExistingVpcWithAnotherCidrIsReportedNotDuplicated()
    {
        await Builder(_ec2).EnsureAsync(Plan("cidrs", azs: 2, nat: NatGatewayMode.None, cidr: "10.50.0.0/16"));

        var error = await Assert.ThrowsAsync<NetworkStateException>(() => Builder(_ec2).EnsureAsync(Plan("cidrs", azs: 2, nat: NatGatewayMode.None, cidr: "10.60.0.0/16")));

        Assert.Equal("VpcCidrMismatch", error.ErrorId);
        Assert.Contains("10.50.0.0/16", error.Message);
    }

    [Fact]
    public async Task FindReturnsTheNetworkEnsureBuiltAndOnlyThatClustersPieces()
    {
        Assert.Null(await Builder(_ec2).FindAsync("find1"));
        var built = await Builder(_ec2).EnsureAsync(Plan("find1", azs: 3, nat: NatGatewayMode.HighlyAvailable));
        var other = await Builder(_ec2).EnsureAsync(Plan("find2", azs: 2, nat: NatGatewayMode.Single, cidr: "10.1.0.0/16"));

        var found = await Builder(_ec2).FindAsync("find1");

        Assert.NotNull(found);
        Assert.Equal(built.VpcId, found.VpcId);
        Assert.Equal("192.168.0.0/16", found.VpcCidr);
        Assert.Equal(built.PublicSubnetIds, found.PublicSubnetIds);
        Assert.Equal(built.PrivateSubnetIds, found.PrivateSubnetIds);
        Assert.Equal(built.AvailabilityZones, found.AvailabilityZones);
        Assert.Equal(built.InternetGatewayId, found.InternetGatewayId);
        Assert.Equal(built.NatGatewayIds.Order(), found.NatGatewayIds.Order());
        Assert.Equal(built.RouteTableIds.Order(), found.RouteTableIds.Order());
        Assert.Equal(built.RouteTableIds[0], found.RouteTableIds[0]);
        Assert.Equal(other.VpcId, (await Builder(_ec2).FindAsync("find2"))!.VpcId);
    }

    [Fact]
    public async Task DeleteRemovesEverythingTaggedAndIsIdempotent()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("gone", azs: 3, nat: NatGatewayMode.HighlyAvailable));
        var keep = await Builder(_ec2).EnsureAsync(Plan("stays", azs: 2, nat: NatGatewayMode.Single, cidr: "10.2.0.0/16"));
        // As EKS tags the cluster security group it makes: the cluster's own, so it goes with the network.
        var group = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = "eks-cluster-sg",
            Description = "cluster",
            VpcId = network.VpcId,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.SecurityGroup, Tags = [new("kubernetes.io/cluster/gone", "owned")] }],
        });
        var progress = new List<string>();

        await Builder(_ec2).DeleteAsync("gone", new Progress(progress));

        Assert.Null(await Builder(_ec2).FindAsync("gone"));
        var byTag = Tag("eksmodule:cluster-name", "gone");
        Assert.Empty((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [byTag] })).Vpcs ?? []);
        Assert.Empty((await _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [byTag] })).Subnets ?? []);
        Assert.Empty((await _ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = [byTag] })).InternetGateways ?? []);
        Assert.Empty((await _ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [byTag] })).RouteTables ?? []);
        Assert.Empty(await AddressesOf(_ec2, "gone"));
        Assert.Empty((await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [group.GroupId])] })).SecurityGroups ?? []);
        var nats = (await _ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = [.. network.NatGatewayIds] })).NatGateways;
        Assert.All(nats, n => Assert.Equal(NatGatewayState.Deleted, n.State));
        Assert.Contains(progress, p => p.StartsWith("NAT gateways", StringComparison.Ordinal) && p.EndsWith("deleted after 00:00", StringComparison.Ordinal));
        Assert.Equal("Delete VPC " + network.VpcId, progress[^1]);

        // The other cluster is untouched.
        var stays = await Builder(_ec2).FindAsync("stays");
        Assert.NotNull(stays);
        Assert.Equal(keep.VpcId, stays.VpcId);
        Assert.Equal(keep.PublicSubnetIds.Concat(keep.PrivateSubnetIds), stays.PublicSubnetIds.Concat(stays.PrivateSubnetIds));
        Assert.Equal(keep.NatGatewayIds, stays.NatGatewayIds);
        Assert.Equal(keep.InternetGatewayId, stays.InternetGatewayId);
        Assert.Single(await AddressesOf(_ec2, "stays"));

        // Nothing left to delete is fine.
        await Builder(_ec2).DeleteAsync("gone");
    }

    [Fact]
    public async Task DeleteChangesNothingAndNamesEachForeignResourceInTheVpc()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("foreign1", azs: 2, nat: NatGatewayMode.None, cidr: "10.5.0.0/16"));
        var untagged = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "team-db", Description = "db", VpcId = network.VpcId });
        // "shared" says the cluster may use it, not that it made it.
        var shared = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = "team-shared",
            Description = "shared",
            VpcId = network.VpcId,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.SecurityGroup, Tags = [new("kubernetes.io/cluster/foreign1", "shared")] }],
        });
        var subnet = await _ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = network.VpcId, CidrBlock = "10.5.250.0/24" });
        var eni = await _ec2.CreateNetworkInterfaceAsync(new CreateNetworkInterfaceRequest { SubnetId = network.PrivateSubnetIds[0], Description = "someone's ENI" });
        _operations.Clear();

        var error = await Assert.ThrowsAsync<ForeignResourcesInVpcException>(() => Builder(_ec2).DeleteAsync("foreign1"));

        Assert.DoesNotContain(_operations, IsMutating);
        Assert.Equal(network.VpcId, error.VpcId);
        Assert.Equal(
            new[] { eni.NetworkInterface.NetworkInterfaceId, shared.GroupId, subnet.Subnet.SubnetId, untagged.GroupId }.Order(),
            error.Resources.Select(r => r.ResourceId).Order());
        Assert.Contains($"security group {untagged.GroupId} (group name team-db)", error.Message);
        Assert.Equal(network.VpcId, (await Builder(_ec2).FindAsync("foreign1"))!.VpcId);
    }

    [Fact]
    public async Task DeleteRetriesDependencyViolationUntilTheSubnetIsFree()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("busy1", azs: 2, nat: NatGatewayMode.None, cidr: "10.6.0.0/16"));
        using var ec2 = _moto.CreateEc2Client();
        var refusals = RefuseDeleteSubnet(ec2, times: 3);
        var clock = new Infrastructure.InstantClock();

        await Builder(ec2, clock).DeleteAsync("busy1");

        Assert.Equal(0, refusals());
        Assert.Equal(3, clock.Sleeps.Count);
        Assert.Null(await Builder(_ec2).FindAsync("busy1"));
    }

    [Fact]
    public async Task DeleteGivesUpOnDependencyViolationAfterTheTimeoutAndSaysWhatToDo()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("busy2", azs: 2, nat: NatGatewayMode.None, cidr: "10.7.0.0/16"));
        using var ec2 = _moto.CreateEc2Client();
        RefuseDeleteSubnet(ec2, times: int.MaxValue);
        var clock = new Infrastructure.InstantClock();

        var error = await Assert.ThrowsAsync<NetworkStateException>(() => Builder(ec2, clock).DeleteAsync("busy2"));

        Assert.Equal("DependencyViolation", error.ErrorId);
        var subnetId = System.Text.RegularExpressions.Regex.Match(error.Message, @"^subnet (subnet-\w+) still has dependencies").Groups[1].Value;
        Assert.Contains(subnetId, network.PublicSubnetIds.Concat(network.PrivateSubnetIds));
        Assert.Contains("run the same command again", error.Message);
        Assert.True(clock.Sleeps.Count > 3);
        Assert.Equal(new NetworkBuilderOptions().DependencyTimeout, clock.Sleeps.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Assert.Equal(network.VpcId, (await Builder(_ec2).FindAsync("busy2"))!.VpcId);
    }

    /// <summary>Answers DeleteSubnet with DependencyViolation, as EC2 does while a deleted load balancer's ENI lingers.</summary>
    private static Func<int> RefuseDeleteSubnet(AmazonEC2Client ec2, int times)
    {
        var left = times;
        ec2.BeforeRequestEvent += (_, args) =>
        {
            if (args is WebServiceRequestEventArgs { Request: DeleteSubnetRequest request } && left > 0)
            {
                left--;
                throw new AmazonEC2Exception($"The subnet '{request.SubnetId}' has dependencies and cannot be deleted.", ErrorType.Sender, "DependencyViolation", "req-1", System.Net.HttpStatusCode.BadRequest);
            }
        };
        return () => left;
    }

    [Fact]
    public async Task CheckSubnetsReturnsVpcAndZones()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("check1", azs: 2, nat: NatGatewayMode.None, cidr: "10.3.0.0/16"));

        var check = await Builder(_ec2).CheckSubnetsAsync(network.PrivateSubnetIds);

        Assert.Equal(network.VpcId, check.VpcId);
        Assert.Equal(network.AvailabilityZones, check.AvailabilityZones);
        Assert.Equal(network.PrivateSubnetIds, check.SubnetIds);
    }

    [Fact]
    public async Task CheckSubnetsNamesEveryMissingSubnet()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("check2", azs: 2, nat: NatGatewayMode.None, cidr: "10.4.0.0/16"));

        var error = await Assert.ThrowsAsync<NetworkStateException>(
            () => Builder(_ec2).CheckSubnetsAsync([network.PublicSubnetIds[0], "subnet-0000000000000dead", "subnet-0000000000000beef"]));

        Assert.Equal("SubnetNotFound", error.ErrorId);
        Assert.Contains("subnet-0000000000000dead, subnet-0000000000000beef do not exist", error.Message);
        Assert.Equal("subnet-0000000000000dead", error.Target);
    }

    [Fact]
    public async Task CheckSubnetsRejectsASingleAvailabilityZone()
    {
        var network = await Builder(_ec2).EnsureAsync(Plan("check3", azs: 2, nat: NatGatewayMode.None, cidr: "10.5.0.0/16"));

        var error = await Assert.ThrowsAsync<NetworkStateException>(
            () => Builder(_ec2).CheckSubnetsAsync([network.PublicSubnetIds[0], network.PrivateSubnetIds[0]]));

        Assert.Equal("SubnetsInOneAvailabilityZone", error.ErrorId);
        Assert.Contains($"All the subnets are in {network.AvailabilityZones[0]}", error.Message);
    }

    [Fact]
    public async Task CheckSubnetsRejectsSubnetsFromTwoVpcs()
    {
        var first = await Builder(_ec2).EnsureAsync(Plan("check4", azs: 2, nat: NatGatewayMode.None, cidr: "10.6.0.0/16"));
        var second = await Builder(_ec2).EnsureAsync(Plan("check5", azs: 2, nat: NatGatewayMode.None, cidr: "10.7.0.0/16"));

        var error = await Assert.ThrowsAsync<NetworkStateException>(
            () => Builder(_ec2).CheckSubnetsAsync([first.PrivateSubnetIds[0], second.PrivateSubnetIds[1]]));

        Assert.Equal("SubnetsInDifferentVpcs", error.ErrorId);
        Assert.Contains(first.VpcId, error.Message);
        Assert.Contains(second.VpcId, error.Message);
    }

    [Fact]
    public async Task CancelledTokenStopsBeforeAnyCall()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Builder(_ec2).EnsureAsync(Plan("cancelled"), null, cancelled.Token));

        Assert.Null(await Builder(_ec2).FindAsync("cancelled"));
    }

    private sealed class Progress(List<string> messages) : IProgress<string>
    {
        public void Report(string value) => messages.Add(value);
    }
}
