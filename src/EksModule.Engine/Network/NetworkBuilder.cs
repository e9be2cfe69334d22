using System.Diagnostics;
using EksModule.Engine.Waiting;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

/// <summary>
/// Creates, finds and deletes the VPC network of an EKS cluster. Everything it creates carries
/// <c>eksmodule:cluster-name</c> and <c>eksmodule:component</c> tags; each run first looks up what exists by
/// those tags and creates only what is missing, so a rerun after a failure converges without duplicates.
/// </summary>
public sealed partial class NetworkBuilder
{
    private const string AnyIPv4 = "0.0.0.0/0";

    private readonly IAmazonEC2 _ec2;
    private readonly NetworkBuilderOptions _options;

    public NetworkBuilder(IAmazonEC2 ec2)
        : this(ec2, new NetworkBuilderOptions())
    {
    }

    public NetworkBuilder(IAmazonEC2 ec2, NetworkBuilderOptions options)
    {
        _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Names of the region's available standard availability zones (no Local or Wavelength zones), sorted.</summary>
    public async Task<IReadOnlyList<string>> GetAvailabilityZonesAsync(CancellationToken cancellationToken = default)
    {
        var response = await _ec2.DescribeAvailabilityZonesAsync(
            new DescribeAvailabilityZonesRequest
            {
                Filters = [new Filter("zone-type", ["availability-zone"]), new Filter("state", ["available"])],
            },
            cancellationToken).ConfigureAwait(false);

        return (response.AvailabilityZones ?? [])
            .Where(zone => zone.State == AvailabilityZoneState.Available && (zone.ZoneType is null || zone.ZoneType == "availability-zone"))
            .Select(zone => zone.ZoneName)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>As <see cref="GetAvailabilityZonesAsync(CancellationToken)"/>, failing with a clear message when the
    /// region has fewer than <paramref name="requiredCount"/>.</summary>
    public async Task<IReadOnlyList<string>> GetAvailabilityZonesAsync(int requiredCount, CancellationToken cancellationToken = default)
    {
        var zones = await GetAvailabilityZonesAsync(cancellationToken).ConfigureAwait(false);
        if (zones.Count < requiredCount)
        {
            throw new NetworkStateException(
                "NotEnoughAvailabilityZones",
                $"The plan asks for {requiredCount} availability zones, but this region has only {zones.Count} available ({string.Join(", ", zones)}). Ask for {zones.Count} or fewer.");
        }

        return zones;
    }

    /// <summary>
    /// What <see cref="EnsureAsync"/> would do, without any mutating call: one entry per resource, route and
    /// association, marked Create/Modify, or Exists with its id.
    /// </summary>
    public async Task<PlannedAction[]> PlanAsync(NetworkPlan plan, CancellationToken cancellationToken = default)
    {
        var run = new ConvergeRun(plan, apply: false, progress: null);
        await ConvergeAsync(run, cancellationToken).ConfigureAwait(false);
        return [.. run.Actions];
    }

    /// <summary>
    /// Creates whatever of the plan's network is missing and returns the whole network. Waits for NAT gateways
    /// to become available. Progress messages describe each change and the wait.
    /// </summary>
    public async Task<ClusterNetwork> EnsureAsync(NetworkPlan plan, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = new ConvergeRun(plan, apply: true, progress);
        var network = await ConvergeAsync(run, cancellationToken).ConfigureAwait(false);
        return network ?? throw new UnreachableException("An applied run always yields a network.");
    }

    /// <summary>The cluster's network found by its tags, or null when there is no VPC tagged for the cluster.</summary>
    public async Task<ClusterNetwork?> FindAsync(string clusterName, CancellationToken cancellationToken = default)
    {
        if (NetworkPlanner.ValidateClusterName(clusterName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(clusterName));
        }

        var vpc = await FindVpcAsync(clusterName, cancellationToken).ConfigureAwait(false);
        if (vpc is null)
        {
            return null;
        }

        var subnets = (await _ec2.DescribeSubnetsAsync(cancellationToken, Ec2Queries.VpcFilter(vpc.VpcId), Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
            .OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).ThenBy(s => s.SubnetId, StringComparer.Ordinal).ToList();
        var publicSubnets = subnets.Where(s => s.Tags.HasTag(NetworkTags.Component, NetworkTags.Components.PublicSubnet)).ToList();
        var privateSubnets = subnets.Where(s => s.Tags.HasTag(NetworkTags.Component, NetworkTags.Components.PrivateSubnet)).ToList();

        var igws = await _ec2.DescribeInternetGatewaysAsync(cancellationToken, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false);
        var igw = igws.FirstOrDefault(g => (g.Attachments ?? []).Any(a => a.VpcId == vpc.VpcId));

        var nats = (await _ec2.DescribeLiveNatGatewaysAsync(vpc.VpcId, cancellationToken).ConfigureAwait(false))
            .Where(n => n.Tags.HasTag(NetworkTags.ClusterName, clusterName))
            .OrderBy(n => n.Tags.Tag(NetworkTags.AvailabilityZone), StringComparer.Ordinal)
            .ToList();

        var routeTables = (await _ec2.DescribeRouteTablesAsync(cancellationToken, Ec2Queries.VpcFilter(vpc.VpcId), Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
            .OrderBy(t => t.Tags.HasTag(NetworkTags.Component, NetworkTags.Components.PublicRouteTable) ? 0 : 1)
            .ThenBy(t => t.Tags.Tag(NetworkTags.AvailabilityZone) ?? string.Empty, StringComparer.Ordinal)
            .ToList();

        return new ClusterNetwork(
            clusterName,
            vpc.VpcId,
            vpc.CidrBlock,
            publicSubnets.Select(s => s.SubnetId).ToList(),
            privateSubnets.Select(s => s.SubnetId).ToList(),
            subnets.Select(s => s.AvailabilityZone).Distinct().Order(StringComparer.Ordinal).ToList(),
            igw?.InternetGatewayId,
            nats.Select(n => n.NatGatewayId).ToList(),
            routeTables.Select(t => t.RouteTableId).ToList());
    }

    /// <summary>
    /// Checks subnets a user brings for a cluster: all exist, all in one VPC, in at least two AZs.
    /// Throws <see cref="NetworkStateException"/> (ErrorId SubnetNotFound, SubnetsInDifferentVpcs or
    /// SubnetsInOneAvailabilityZone) otherwise.
    /// </summary>
    public async Task<SubnetCheck> CheckSubnetsAsync(IReadOnlyList<string> subnetIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subnetIds);
        var wanted = subnetIds.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            throw new ArgumentException("Give at least two subnet ids, in at least two availability zones.", nameof(subnetIds));
        }

        // A filter rather than SubnetIds: AWS fails the whole call on the first unknown id, we want to name all of them.
        var found = await _ec2.DescribeSubnetsAsync(cancellationToken, new Filter("subnet-id", wanted)).ConfigureAwait(false);
        var missing = wanted.Where(id => found.All(s => s.SubnetId != id)).ToList();
        if (missing.Count > 0)
        {
            throw new NetworkStateException(
                "SubnetNotFound",
                $"Subnet{(missing.Count == 1 ? string.Empty : "s")} {string.Join(", ", missing)} {(missing.Count == 1 ? "does" : "do")} not exist in this account and region. Check the ids and the -Region.",
                missing[0]);
        }

        var ordered = wanted.Select(id => found.First(s => s.SubnetId == id)).ToList();
        var vpcIds = ordered.Select(s => s.VpcId).Distinct(StringComparer.Ordinal).ToList();
        if (vpcIds.Count > 1)
        {
            throw new NetworkStateException(
                "SubnetsInDifferentVpcs",
                $"The subnets are in {vpcIds.Count} VPCs ({string.Join(", ", ordered.Select(s => $"{s.SubnetId} in {s.VpcId}"))}); an EKS cluster's subnets must all be in one VPC.",
                ordered[0].SubnetId);
        }

        var zones = ordered.Select(s => s.AvailabilityZone).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (zones.Count < NetworkPlanner.MinimumAvailabilityZones)
        {
            throw new NetworkStateException(
                "SubnetsInOneAvailabilityZone",
                $"All the subnets are in {zones[0]}; EKS needs subnets in at least two availability zones. Add a subnet from another AZ of {vpcIds[0]}.",
                ordered[0].SubnetId);
        }

        return new SubnetCheck(vpcIds[0], ordered.Select(s => s.SubnetId).ToList(), zones);
    }

    private async Task<Vpc?> FindVpcAsync(string clusterName, CancellationToken cancellationToken)
    {
        var vpcs = await _ec2.DescribeVpcsAsync(cancellationToken, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false);
        if (vpcs.Count > 1)
        {
            throw new NetworkStateException(
                "DuplicateClusterVpc",
                $"{vpcs.Count} VPCs are tagged {NetworkTags.ClusterName}={clusterName} ({string.Join(", ", vpcs.Select(v => v.VpcId))}); delete or untag all but one.",
                clusterName);
        }

        return vpcs.SingleOrDefault();
    }

    /// <summary>Polls DescribeNatGateways, through the module's one waiter, until every id is in <paramref name="targetState"/>.</summary>
    private async Task WaitForNatGatewaysAsync(IReadOnlyCollection<string> natGatewayIds, NatGatewayState targetState, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (natGatewayIds.Count == 0)
        {
            return;
        }

        var target = natGatewayIds.Count == 1 ? $"NAT gateway {natGatewayIds.First()}" : $"NAT gateways {string.Join(", ", natGatewayIds)}";
        var waitProgress = progress is null ? null : new WaitProgressToText(progress, targetState.Value);
        await new Waiter(_options.Clock).WaitAsync($"Waiting for {target} to become {targetState.Value}", target, async ct =>
        {
            var states = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var id in natGatewayIds)
            {
                NatGateway? nat;
                try
                {
                    var response = await _ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = [id] }, ct).ConfigureAwait(false);
                    nat = response.NatGateways?.FirstOrDefault();
                }
                catch (AmazonEC2Exception error) when (error.IsNotFound())
                {
                    // Just created: EC2 is eventually consistent. Already deleted: gone is what we wait for.
                    nat = null;
                }

                var state = nat?.State?.Value ?? (targetState == NatGatewayState.Deleted ? "deleted" : "pending");
                if (targetState == NatGatewayState.Available && state == NatGatewayState.Failed.Value)
                {
                    throw new NetworkStateException(
                        "NatGatewayFailed",
                        $"NAT gateway {id} failed: {nat?.FailureCode} {nat?.FailureMessage}. Run again to replace it; a failed NAT gateway is not reused.",
                        id);
                }

                states[id] = state;
            }

            var summary = string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"));
            return states.Values.All(s => s == targetState.Value) ? PollResult.Finished(summary) : PollResult.Pending(summary);
        }, new WaitOptions(_options.WaitTimeout, _options.PollInterval, _options.MaxPollInterval), waitProgress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The network reports progress as text lines (verbose output); the waiter's reports become such lines.</summary>
    private sealed class WaitProgressToText(IProgress<string> inner, string targetState) : IProgress<WaitProgress>
    {
        public void Report(WaitProgress value) => inner.Report(
            value.Completed ? $"{value.Target} {targetState} after {value.Elapsed:mm\\:ss}"
                            : $"{value.Activity}: {value.Status} ({value.Elapsed:mm\\:ss} elapsed)");
    }
}
