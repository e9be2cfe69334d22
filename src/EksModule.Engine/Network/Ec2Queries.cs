using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

/// <summary>Paged EC2 reads with the filters the network code needs. SDK v4 leaves absent lists null; these never return null.</summary>
internal static class Ec2Queries
{
    public static Filter ClusterFilter(string clusterName) => new("tag:" + NetworkTags.ClusterName, [clusterName]);

    public static Filter VpcFilter(string vpcId) => new("vpc-id", [vpcId]);

    public static async Task<List<Vpc>> DescribeVpcsAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<Vpc>();
        await foreach (var vpc in ec2.Paginators.DescribeVpcs(new DescribeVpcsRequest { Filters = [.. filters] }).Vpcs.WithCancellation(ct))
        {
            result.Add(vpc);
        }

        return result;
    }

    public static async Task<List<Subnet>> DescribeSubnetsAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<Subnet>();
        await foreach (var subnet in ec2.Paginators.DescribeSubnets(new DescribeSubnetsRequest { Filters = [.. filters] }).Subnets.WithCancellation(ct))
        {
            result.Add(subnet);
        }

        return result;
    }

    public static async Task<List<InternetGateway>> DescribeInternetGatewaysAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<InternetGateway>();
        await foreach (var igw in ec2.Paginators.DescribeInternetGateways(new DescribeInternetGatewaysRequest { Filters = [.. filters] }).InternetGateways.WithCancellation(ct))
        {
            result.Add(igw);
        }

        return result;
    }

    public static async Task<List<RouteTable>> DescribeRouteTablesAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<RouteTable>();
        await foreach (var table in ec2.Paginators.DescribeRouteTables(new DescribeRouteTablesRequest { Filters = [.. filters] }).RouteTables.WithCancellation(ct))
        {
            result.Add(table);
        }

        return result;
    }

    /// <summary>NAT gateways of a VPC that are not gone (pending or available). Filtered by VPC rather than tag,
    /// because moto does not implement tag filters on DescribeNatGateways; callers check tags themselves.</summary>
    public static async Task<List<NatGateway>> DescribeLiveNatGatewaysAsync(this IAmazonEC2 ec2, string vpcId, CancellationToken ct)
    {
        var result = new List<NatGateway>();
        var request = new DescribeNatGatewaysRequest
        {
            Filter = [VpcFilter(vpcId), new Filter("state", ["pending", "available"])],
        };
        await foreach (var nat in ec2.Paginators.DescribeNatGateways(request).NatGateways.WithCancellation(ct))
        {
            if (nat.State == NatGatewayState.Pending || nat.State == NatGatewayState.Available)
            {
                result.Add(nat);
            }
        }

        return result;
    }

    public static async Task<List<Address>> DescribeAddressesAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var response = await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = [.. filters] }, ct).ConfigureAwait(false);
        return response.Addresses ?? [];
    }

    public static async Task<List<SecurityGroup>> DescribeSecurityGroupsAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<SecurityGroup>();
        await foreach (var group in ec2.Paginators.DescribeSecurityGroups(new DescribeSecurityGroupsRequest { Filters = [.. filters] }).SecurityGroups.WithCancellation(ct))
        {
            result.Add(group);
        }

        return result;
    }

    public static async Task<List<NetworkInterface>> DescribeNetworkInterfacesAsync(this IAmazonEC2 ec2, CancellationToken ct, params Filter[] filters)
    {
        var result = new List<NetworkInterface>();
        await foreach (var eni in ec2.Paginators.DescribeNetworkInterfaces(new DescribeNetworkInterfacesRequest { Filters = [.. filters] }).NetworkInterfaces.WithCancellation(ct))
        {
            result.Add(eni);
        }

        return result;
    }

    /// <summary>Every NAT gateway of a VPC in any state: a deleted one still names the network interface it had.</summary>
    public static async Task<List<NatGateway>> DescribeAllNatGatewaysAsync(this IAmazonEC2 ec2, string vpcId, CancellationToken ct)
    {
        var result = new List<NatGateway>();
        await foreach (var nat in ec2.Paginators.DescribeNatGateways(new DescribeNatGatewaysRequest { Filter = [VpcFilter(vpcId)] }).NatGateways.WithCancellation(ct))
        {
            result.Add(nat);
        }

        return result;
    }

    public static async Task<List<VpcEndpoint>> DescribeVpcEndpointsAsync(this IAmazonEC2 ec2, string vpcId, CancellationToken ct)
    {
        var result = new List<VpcEndpoint>();
        await foreach (var endpoint in ec2.Paginators.DescribeVpcEndpoints(new DescribeVpcEndpointsRequest { Filters = [VpcFilter(vpcId)] }).VpcEndpoints.WithCancellation(ct))
        {
            result.Add(endpoint);
        }

        return result;
    }

    /// <summary>
    /// Whether the module or one of the cluster's own controllers made the resource for this cluster: the module's
    /// <c>eksmodule:cluster-name</c>, <c>kubernetes.io/cluster/&lt;name&gt;=owned</c> (EKS, the Kubernetes cloud provider),
    /// <c>elbv2.k8s.aws/cluster</c> (AWS Load Balancer Controller) or <c>cluster.k8s.amazonaws.com/name</c> (VPC CNI).
    /// </summary>
    public static bool IsClusterOwned(this List<Tag>? tags, string clusterName) =>
        tags.HasTag(NetworkTags.ClusterName, clusterName)
        || tags.HasTag(NetworkTags.KubernetesCluster(clusterName), NetworkTags.Owned)
        || tags.HasTag(NetworkTags.LoadBalancerControllerCluster, clusterName)
        || tags.HasTag(NetworkTags.VpcCniCluster, clusterName);

    public static string? Tag(this List<Tag>? tags, string key) => tags?.FirstOrDefault(t => t.Key == key)?.Value;

    public static bool HasTag(this List<Tag>? tags, string key, string value) => tags.Tag(key) == value;

    public static bool IsNotFound(this AmazonEC2Exception error) =>
        error.ErrorCode is not null && (error.ErrorCode.EndsWith(".NotFound", StringComparison.Ordinal) || error.ErrorCode.EndsWith("NotFound", StringComparison.Ordinal));
}
