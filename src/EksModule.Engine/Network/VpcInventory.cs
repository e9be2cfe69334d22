using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

/// <summary>A resource in a cluster's VPC that neither EksModule nor the cluster's own controllers made.</summary>
public sealed record ForeignResource(string ResourceType, string ResourceId, string? Name, string? Detail = null)
{
    public override string ToString() =>
        $"{ResourceType} {ResourceId}" + (string.IsNullOrEmpty(Name) ? string.Empty : $" '{Name}'") + (string.IsNullOrEmpty(Detail) ? string.Empty : $" ({Detail})");
}

/// <summary>
/// Thrown by <see cref="NetworkBuilder.DeleteAsync"/> before any change when the cluster's VPC holds resources someone
/// else made there. <see cref="Resources"/> names each one.
/// </summary>
public sealed class ForeignResourcesInVpcException : InvalidOperationException
{
    public const string ErrorId = "ForeignResourcesInVpc";

    public ForeignResourcesInVpcException(string clusterName, string vpcId, IReadOnlyList<ForeignResource> resources)
        : base($"VPC {vpcId} of cluster '{clusterName}' holds {resources.Count} resource(s) that neither EksModule nor the cluster's own controllers made: " +
            string.Join("; ", resources) + ". Nothing in the network was changed.")
    {
        ClusterName = clusterName;
        VpcId = vpcId;
        Resources = resources;
    }

    public string ClusterName { get; }

    public string VpcId { get; }

    public IReadOnlyList<ForeignResource> Resources { get; }
}

/// <summary>
/// Everything in a cluster's VPC, sorted into what is the cluster's (see <see cref="Ec2Queries.IsClusterOwned"/>) and
/// what is foreign. The main route table and the default security group go with the VPC and are neither. Network
/// interfaces that belong to a NAT gateway or VPC endpoint go with it, those of the EKS control plane with the cluster,
/// and those of a load balancer behind one of the cluster's security groups with that load balancer; other untagged
/// interfaces are foreign.
/// </summary>
internal sealed class VpcInventory
{
    private static readonly string[] GoneEndpointStates = ["deleting", "deleted", "failed", "rejected", "expired"];

    private VpcInventory(string vpcId) => VpcId = vpcId;

    public string VpcId { get; }

    public List<NatGateway> NatGateways { get; } = [];

    public List<VpcEndpoint> Endpoints { get; } = [];

    public List<RouteTable> RouteTables { get; } = [];

    public List<Subnet> Subnets { get; } = [];

    public List<InternetGateway> InternetGateways { get; } = [];

    public List<SecurityGroup> SecurityGroups { get; } = [];

    /// <summary>The cluster's own interfaces by tag (the VPC CNI's); those that are available can be deleted.</summary>
    public List<NetworkInterface> NetworkInterfaces { get; } = [];

    public List<ForeignResource> Foreign { get; } = [];

    /// <param name="includeNetworkInterfaces">False while the cluster still runs: its nodes' interfaces are untagged then.</param>
    public static async Task<VpcInventory> ReadAsync(IAmazonEC2 ec2, string clusterName, string vpcId, bool includeNetworkInterfaces, CancellationToken ct)
    {
        var inventory = new VpcInventory(vpcId);
        var vpcFilter = Ec2Queries.VpcFilter(vpcId);
        var ownedBySomethingElse = new HashSet<string>(StringComparer.Ordinal);

        foreach (var nat in await ec2.DescribeAllNatGatewaysAsync(vpcId, ct).ConfigureAwait(false))
        {
            ownedBySomethingElse.UnionWith((nat.NatGatewayAddresses ?? []).Select(a => a.NetworkInterfaceId).Where(id => id is not null));
            if (nat.State != NatGatewayState.Pending && nat.State != NatGatewayState.Available) continue;
            if (nat.Tags.IsClusterOwned(clusterName)) inventory.NatGateways.Add(nat);
            else inventory.Foreign.Add(new("NAT gateway", nat.NatGatewayId, nat.Tags.Tag("Name"), $"in {nat.SubnetId}"));
        }

        foreach (var endpoint in await ec2.DescribeVpcEndpointsAsync(vpcId, ct).ConfigureAwait(false))
        {
            ownedBySomethingElse.UnionWith(endpoint.NetworkInterfaceIds ?? []);
            var state = endpoint.State?.Value?.ToLowerInvariant();
            if (endpoint.VpcId != vpcId || (state is not null && GoneEndpointStates.Contains(state))) continue;
            if (endpoint.Tags.IsClusterOwned(clusterName)) inventory.Endpoints.Add(endpoint);
            else inventory.Foreign.Add(new("VPC endpoint", endpoint.VpcEndpointId, endpoint.Tags.Tag("Name"), endpoint.ServiceName));
        }

        foreach (var table in await ec2.DescribeRouteTablesAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            if ((table.Associations ?? []).Any(a => a.Main == true)) continue; // goes with the VPC
            if (table.Tags.IsClusterOwned(clusterName)) inventory.RouteTables.Add(table);
            else inventory.Foreign.Add(new("route table", table.RouteTableId, table.Tags.Tag("Name")));
        }

        foreach (var subnet in await ec2.DescribeSubnetsAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            if (subnet.Tags.IsClusterOwned(clusterName)) inventory.Subnets.Add(subnet);
            else inventory.Foreign.Add(new("subnet", subnet.SubnetId, subnet.Tags.Tag("Name"), $"{subnet.CidrBlock}, {subnet.AvailabilityZone}"));
        }

        foreach (var igw in await ec2.DescribeInternetGatewaysAsync(ct, new Filter("attachment.vpc-id", [vpcId])).ConfigureAwait(false))
        {
            if (igw.Tags.IsClusterOwned(clusterName)) inventory.InternetGateways.Add(igw);
            else inventory.Foreign.Add(new("internet gateway", igw.InternetGatewayId, igw.Tags.Tag("Name")));
        }

        foreach (var group in await ec2.DescribeSecurityGroupsAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            if (group.GroupName == "default") continue; // goes with the VPC
            if (group.Tags.IsClusterOwned(clusterName)) inventory.SecurityGroups.Add(group);
            else inventory.Foreign.Add(new("security group", group.GroupId, group.Tags.Tag("Name"), $"group name {group.GroupName}"));
        }

        if (!includeNetworkInterfaces) return inventory;

        var ourGroups = inventory.SecurityGroups.Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
        foreach (var eni in await ec2.DescribeNetworkInterfacesAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            if (ownedBySomethingElse.Contains(eni.NetworkInterfaceId)) continue;
            if (eni.TagSet.IsClusterOwned(clusterName))
            {
                inventory.NetworkInterfaces.Add(eni);
                continue;
            }

            var description = eni.Description ?? string.Empty;
            if (description == "Amazon EKS " + clusterName) continue; // the control plane's: EKS removes them with the cluster
            if (description.StartsWith("ELB ", StringComparison.Ordinal) && (eni.Groups ?? []).Any(g => ourGroups.Contains(g.GroupId))) continue;
            var attachedTo = eni.Attachment?.InstanceId is { Length: > 0 } instance ? $"attached to {instance}" : eni.Status?.Value;
            inventory.Foreign.Add(new("network interface", eni.NetworkInterfaceId, eni.TagSet.Tag("Name"),
                string.Join(", ", new[] { description, attachedTo }.Where(s => !string.IsNullOrEmpty(s)))));
        }

        return inventory;
    }
}
