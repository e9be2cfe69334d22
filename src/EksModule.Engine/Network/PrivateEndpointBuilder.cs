using EksModule.Engine.Waiting;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

/// <summary>Where the endpoints of a private cluster go: one private subnet per AZ (an interface endpoint takes at
/// most one subnet per AZ) and the route tables of the private subnets (for the S3 gateway endpoint).</summary>
public sealed record PrivateEndpointTarget(
    string ClusterName,
    string VpcId,
    string VpcCidr,
    IReadOnlyList<string> SubnetIds,
    IReadOnlyList<string> RouteTableIds);

/// <summary>
/// The VPC endpoints a cluster without internet egress needs (ECR, EC2, STS, CloudWatch Logs, ELB, Auto Scaling
/// as interface endpoints with private DNS, S3 as a gateway endpoint), and their security group. Existing
/// endpoints are found by service name in the VPC, whoever made them, so reruns and hand-made endpoints are kept.
/// </summary>
public sealed class PrivateEndpointBuilder
{
    /// <summary>The services nodes of a private cluster call: image pulls, node bootstrap, IRSA, logs, load balancers, scaling.</summary>
    public static readonly IReadOnlyList<string> InterfaceServices = ["ecr.api", "ecr.dkr", "ec2", "sts", "logs", "elasticloadbalancing", "autoscaling"];

    /// <summary>ECR keeps image layers in S3; a gateway endpoint is free and needs no DNS.</summary>
    public const string GatewayService = "s3";

    private static readonly string[] GoneStates = ["deleting", "deleted", "failed", "rejected", "expired"];

    private readonly IAmazonEC2 _ec2;
    private readonly string _region;
    private readonly NetworkBuilderOptions _options;

    public PrivateEndpointBuilder(IAmazonEC2 ec2, string region, NetworkBuilderOptions? options = null)
    {
        _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _options = options ?? new NetworkBuilderOptions();
    }

    public static string SecurityGroupName(string clusterName) => $"eks-{clusterName}-endpoints";

    public string ServiceName(string service) => $"com.amazonaws.{_region}.{service}";

    /// <summary>What would be created in a VPC that does not exist yet (-WhatIf before the network is built).</summary>
    public IReadOnlyList<PlannedAction> PlanForNewVpc(string clusterName) =>
    [
        new(PlannedActionKind.Create, "security-group", $"Create security group {SecurityGroupName(clusterName)} allowing TCP 443 from the VPC CIDR"),
        .. InterfaceServices.Select(s => new PlannedAction(PlannedActionKind.Create, "vpc-endpoint",
            $"Create interface VPC endpoint {ServiceName(s)} in the private subnets, private DNS enabled")),
        new(PlannedActionKind.Create, "vpc-endpoint", $"Create gateway VPC endpoint {ServiceName(GatewayService)} on the private route tables"),
    ];

    /// <summary>
    /// Works out the target from a cluster's VPC and subnets: the subnets tagged kubernetes.io/role/internal-elb,
    /// else those whose route table has no internet gateway route, else all of them; the first per AZ.
    /// </summary>
    public async Task<PrivateEndpointTarget> ResolveTargetAsync(string clusterName, string vpcId, IReadOnlyList<string> subnetIds, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(vpcId))
        {
            // EKS always reports the VPC; an emulator that echoes the create request (moto) does not.
            vpcId = (await _ec2.DescribeSubnetsAsync(ct, new Filter("subnet-id", [.. subnetIds])).ConfigureAwait(false)).FirstOrDefault()?.VpcId
                ?? throw new NetworkStateException("SubnetNotFound", $"None of the subnets of cluster '{clusterName}' ({string.Join(", ", subnetIds)}) exist in {_region}.", clusterName);
        }

        var vpc = (await _ec2.DescribeVpcsAsync(ct, Ec2Queries.VpcFilter(vpcId)).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new NetworkStateException("VpcNotFound", $"VPC {vpcId} of cluster '{clusterName}' does not exist in {_region}.", vpcId);
        var subnets = await _ec2.DescribeSubnetsAsync(ct, Ec2Queries.VpcFilter(vpcId), new Filter("subnet-id", [.. subnetIds])).ConfigureAwait(false);
        if (subnets.Count == 0)
        {
            throw new NetworkStateException("SubnetNotFound", $"None of the subnets of cluster '{clusterName}' ({string.Join(", ", subnetIds)}) exist in VPC {vpcId}.", vpcId);
        }

        var tables = await _ec2.DescribeRouteTablesAsync(ct, Ec2Queries.VpcFilter(vpcId)).ConfigureAwait(false);
        var main = tables.FirstOrDefault(t => (t.Associations ?? []).Any(a => a.Main == true));
        RouteTable? TableOf(Subnet subnet) => tables.FirstOrDefault(t => (t.Associations ?? []).Any(a => a.SubnetId == subnet.SubnetId)) ?? main;
        bool Public(Subnet subnet) => (TableOf(subnet)?.Routes ?? []).Any(r => r.GatewayId?.StartsWith("igw-", StringComparison.Ordinal) == true);

        var chosen = subnets.Where(s => s.Tags.HasTag(NetworkTags.InternalElbRole, "1")).ToList();
        if (chosen.Count == 0) chosen = subnets.Where(s => !Public(s)).ToList();
        if (chosen.Count == 0) chosen = subnets;

        var perZone = chosen.OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).ThenBy(s => s.SubnetId, StringComparer.Ordinal)
            .GroupBy(s => s.AvailabilityZone).Select(g => g.First().SubnetId).ToList();
        var routeTables = chosen.Select(TableOf).Where(t => t is not null).Select(t => t!.RouteTableId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new PrivateEndpointTarget(clusterName, vpcId, vpc.CidrBlock, perZone, routeTables);
    }

    /// <summary>What <see cref="EnsureAsync"/> would do, without any mutating call.</summary>
    public async Task<IReadOnlyList<PlannedAction>> PlanAsync(PrivateEndpointTarget target, CancellationToken ct)
    {
        var actions = new List<PlannedAction>();
        var group = await FindSecurityGroupAsync(target, ct).ConfigureAwait(false);
        actions.Add(group is null
            ? new(PlannedActionKind.Create, "security-group", $"Create security group {SecurityGroupName(target.ClusterName)} in {target.VpcId} allowing TCP 443 from {target.VpcCidr}")
            : AllowsHttps(group, target.VpcCidr)
                ? new(PlannedActionKind.Exists, "security-group", $"Security group {group.GroupName} exists", group.GroupId)
                : new(PlannedActionKind.Modify, "security-group", $"Allow TCP 443 from {target.VpcCidr} in security group {group.GroupId}", group.GroupId));

        var existing = await FindEndpointsAsync(target.VpcId, ct).ConfigureAwait(false);
        foreach (var service in InterfaceServices)
        {
            var name = ServiceName(service);
            actions.Add(existing.TryGetValue(name, out var endpoint)
                ? new(PlannedActionKind.Exists, "vpc-endpoint", $"Interface VPC endpoint {name} exists", endpoint.VpcEndpointId)
                : new(PlannedActionKind.Create, "vpc-endpoint", $"Create interface VPC endpoint {name} in {string.Join(", ", target.SubnetIds)}, private DNS enabled"));
        }

        var s3 = ServiceName(GatewayService);
        if (!existing.TryGetValue(s3, out var gateway))
        {
            actions.Add(new(PlannedActionKind.Create, "vpc-endpoint", $"Create gateway VPC endpoint {s3} on route tables {string.Join(", ", target.RouteTableIds)}"));
        }
        else
        {
            var missing = MissingRouteTables(gateway, target);
            actions.Add(missing.Count == 0
                ? new(PlannedActionKind.Exists, "vpc-endpoint", $"Gateway VPC endpoint {s3} exists", gateway.VpcEndpointId)
                : new(PlannedActionKind.Modify, "vpc-endpoint", $"Add route tables {string.Join(", ", missing)} to gateway VPC endpoint {gateway.VpcEndpointId}", gateway.VpcEndpointId));
        }

        return actions;
    }

    /// <summary>Creates the security group and whichever endpoints are missing; returns the endpoint ids by service name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnsureAsync(PrivateEndpointTarget target, IReadOnlyDictionary<string, string>? extraTags, IProgress<string>? progress, CancellationToken ct)
    {
        List<Tag> Tags(string component, string name)
        {
            var tags = new List<Tag>
            {
                new("Name", name),
                new(NetworkTags.ClusterName, target.ClusterName),
                new(NetworkTags.Component, component),
            };
            tags.AddRange((extraTags ?? new Dictionary<string, string>()).Where(t => !NetworkTags.IsReserved(t.Key)).Select(t => new Tag(t.Key, t.Value)));
            return tags;
        }

        var group = await FindSecurityGroupAsync(target, ct).ConfigureAwait(false);
        string groupId;
        if (group is null)
        {
            progress?.Report($"Create security group {SecurityGroupName(target.ClusterName)} in {target.VpcId}");
            var created = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
            {
                GroupName = SecurityGroupName(target.ClusterName),
                Description = $"HTTPS from VPC {target.VpcCidr} to the VPC endpoints of EKS cluster {target.ClusterName}",
                VpcId = target.VpcId,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.SecurityGroup, Tags = Tags(NetworkTags.Components.EndpointSecurityGroup, SecurityGroupName(target.ClusterName)) }],
            }, ct).ConfigureAwait(false);
            groupId = created.GroupId;
        }
        else
        {
            groupId = group.GroupId;
        }

        if (group is null || !AllowsHttps(group, target.VpcCidr))
        {
            progress?.Report($"Allow TCP 443 from {target.VpcCidr} in security group {groupId}");
            await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = groupId,
                IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 443, ToPort = 443, Ipv4Ranges = [new IpRange { CidrIp = target.VpcCidr, Description = "HTTPS from the VPC" }] }],
            }, ct).ConfigureAwait(false);
        }

        var existing = await FindEndpointsAsync(target.VpcId, ct).ConfigureAwait(false);
        var ids = existing.ToDictionary(e => e.Key, e => e.Value.VpcEndpointId, StringComparer.Ordinal);
        foreach (var service in InterfaceServices)
        {
            var name = ServiceName(service);
            if (existing.ContainsKey(name)) continue;
            progress?.Report($"Create interface VPC endpoint {name}");
            var created = await _ec2.CreateVpcEndpointAsync(new CreateVpcEndpointRequest
            {
                VpcId = target.VpcId,
                ServiceName = name,
                VpcEndpointType = VpcEndpointType.Interface,
                SubnetIds = [.. target.SubnetIds],
                SecurityGroupIds = [groupId],
                PrivateDnsEnabled = true,
                ClientToken = $"{target.ClusterName}-{service}-{target.VpcId}",
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.VpcEndpoint, Tags = Tags(NetworkTags.Components.VpcEndpoint, $"eks-{target.ClusterName}-{service}") }],
            }, ct).ConfigureAwait(false);
            ids[name] = created.VpcEndpoint.VpcEndpointId;
        }

        var s3 = ServiceName(GatewayService);
        if (!existing.TryGetValue(s3, out var gateway))
        {
            progress?.Report($"Create gateway VPC endpoint {s3}");
            var created = await _ec2.CreateVpcEndpointAsync(new CreateVpcEndpointRequest
            {
                VpcId = target.VpcId,
                ServiceName = s3,
                VpcEndpointType = VpcEndpointType.Gateway,
                RouteTableIds = [.. target.RouteTableIds],
                ClientToken = $"{target.ClusterName}-s3-{target.VpcId}",
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.VpcEndpoint, Tags = Tags(NetworkTags.Components.VpcEndpoint, $"eks-{target.ClusterName}-s3") }],
            }, ct).ConfigureAwait(false);
            ids[s3] = created.VpcEndpoint.VpcEndpointId;
        }
        else if (MissingRouteTables(gateway, target) is { Count: > 0 } missing)
        {
            progress?.Report($"Add route tables {string.Join(", ", missing)} to gateway VPC endpoint {gateway.VpcEndpointId}");
            await _ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = gateway.VpcEndpointId, AddRouteTableIds = missing }, ct).ConfigureAwait(false);
        }

        return ids;
    }

    /// <summary>Deletes the given VPC endpoints (the cluster's own: the caller picks them by tag, never every endpoint of
    /// the VPC) and waits until they are gone: their network interfaces would otherwise keep the subnets from being deleted.</summary>
    public async Task DeleteAsync(string vpcId, IReadOnlyList<string> endpointIds, IProgress<string>? progress, CancellationToken ct)
    {
        if (endpointIds.Count == 0) return;
        progress?.Report($"Delete VPC endpoints {string.Join(", ", endpointIds)}");
        await _ec2.DeleteVpcEndpointsAsync(new DeleteVpcEndpointsRequest { VpcEndpointIds = [.. endpointIds] }, ct).ConfigureAwait(false);

        var target = $"VPC endpoints {string.Join(", ", endpointIds)}";
        await new Waiter(_options.Clock).WaitAsync($"Waiting for {target} to be deleted", target, async token =>
        {
            var left = (await _ec2.DescribeVpcEndpointsAsync(vpcId, token).ConfigureAwait(false))
                .Count(e => endpointIds.Contains(e.VpcEndpointId) && !GoneStates.Contains(e.State?.Value?.ToLowerInvariant()));
            return left == 0 ? PollResult.Finished("deleted") : PollResult.Pending($"{left} left");
        }, new WaitOptions(_options.WaitTimeout, _options.PollInterval, _options.MaxPollInterval), null, ct).ConfigureAwait(false);
    }

    /// <summary>Live endpoints of the VPC by service name. Filtered by VPC only (moto knows no service-name filter).</summary>
    private async Task<Dictionary<string, VpcEndpoint>> FindEndpointsAsync(string vpcId, CancellationToken ct)
    {
        var result = new Dictionary<string, VpcEndpoint>(StringComparer.Ordinal);
        var request = new DescribeVpcEndpointsRequest { Filters = [Ec2Queries.VpcFilter(vpcId)] };
        await foreach (var endpoint in _ec2.Paginators.DescribeVpcEndpoints(request).VpcEndpoints.WithCancellation(ct))
        {
            var state = endpoint.State?.Value?.ToLowerInvariant();
            if (endpoint.VpcId != vpcId || (state is not null && GoneStates.Contains(state))) continue;
            result.TryAdd(endpoint.ServiceName, endpoint);
        }

        return result;
    }

    private async Task<SecurityGroup?> FindSecurityGroupAsync(PrivateEndpointTarget target, CancellationToken ct) =>
        (await _ec2.DescribeSecurityGroupsAsync(ct, Ec2Queries.VpcFilter(target.VpcId), new Filter("group-name", [SecurityGroupName(target.ClusterName)])).ConfigureAwait(false))
        .FirstOrDefault();

    private static bool AllowsHttps(SecurityGroup group, string cidr) =>
        (group.IpPermissions ?? []).Any(p => (p.IpProtocol == "tcp" || p.IpProtocol == "-1")
            && (p.IpProtocol == "-1" || (p.FromPort <= 443 && p.ToPort >= 443))
            && (p.Ipv4Ranges ?? []).Any(r => r.CidrIp == cidr));

    private static List<string> MissingRouteTables(VpcEndpoint gateway, PrivateEndpointTarget target) =>
        target.RouteTableIds.Except(gateway.RouteTableIds ?? [], StringComparer.Ordinal).ToList();
}
