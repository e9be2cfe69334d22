using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

public sealed partial class NetworkBuilder
{
    /// <summary>One pass of plan-or-apply. PlanAsync and EnsureAsync share this code so the preview is exactly
    /// what a real run does; every mutating call sits behind <see cref="ConvergeRun.Apply"/>.</summary>
    private sealed class ConvergeRun(NetworkPlan plan, bool apply, IProgress<string>? progress)
    {
        public NetworkPlan Plan { get; } = plan;

        public bool Apply { get; } = apply;

        public List<PlannedAction> Actions { get; } = [];

        public IProgress<string>? Progress { get; } = progress;

        public string Cluster => Plan.ClusterName;

        /// <summary>Records a step; returns true when the caller should make the change now.</summary>
        public bool Step(PlannedActionKind kind, string resourceType, string description, string? resourceId = null)
        {
            Actions.Add(new PlannedAction(kind, resourceType, description, resourceId));
            if (kind != PlannedActionKind.Exists && Apply)
            {
                Progress?.Report(description);
                return true;
            }

            return false;
        }

        public List<Tag> Tags(string component, string nameSuffix, string? availabilityZone = null, IEnumerable<Tag>? extra = null)
        {
            var tags = Plan.Tags.Select(t => new Tag(t.Key, t.Value)).ToList();
            tags.Add(new Tag("Name", $"eks-{Cluster}-{nameSuffix}"));
            tags.Add(new Tag(NetworkTags.ClusterName, Cluster));
            tags.Add(new Tag(NetworkTags.Component, component));
            if (availabilityZone is not null)
            {
                tags.Add(new Tag(NetworkTags.AvailabilityZone, availabilityZone));
            }

            if (extra is not null)
            {
                tags.AddRange(extra);
            }

            return tags;
        }

        public List<TagSpecification> TagSpec(ResourceType type, List<Tag> tags) => [new TagSpecification { ResourceType = type, Tags = tags }];
    }

    /// <summary>A subnet as the run knows it: the id is null in a preview when it would be created.</summary>
    private sealed record SubnetSlot(string AvailabilityZone, string Cidr, string? SubnetId)
    {
        public string Label => SubnetId ?? $"(new) {Cidr}";
    }

    private sealed record RouteTableSlot(string? Id, RouteTable? Existing, string Name)
    {
        public string Label => Id ?? $"(new) {Name}";
    }

    /// <summary>A route target: the IGW or a NAT gateway; Id is null in a preview when it would be created.</summary>
    private sealed record GatewaySlot(string? Id, string Label, bool IsNat);

    private async Task<ClusterNetwork?> ConvergeAsync(ConvergeRun run, CancellationToken ct)
    {
        NetworkPlanner.Validate(run.Plan);
        var plan = run.Plan;
        var layout = NetworkPlanner.CarveSubnets(plan.VpcCidr, plan.AvailabilityZoneCount);
        var regionZones = await GetAvailabilityZonesAsync(plan.AvailabilityZoneCount, ct).ConfigureAwait(false);

        // VPC
        var vpcId = await EnsureVpcAsync(run, ct).ConfigureAwait(false);
        var vpcLabel = vpcId ?? "(new VPC)";

        // Subnets: reuse the AZs of subnets already there, fill up from the region's sorted list.
        var vpcSubnets = vpcId is null ? [] : await _ec2.DescribeSubnetsAsync(ct, Ec2Queries.VpcFilter(vpcId)).ConfigureAwait(false);
        var ours = vpcSubnets.Where(s => s.Tags.HasTag(NetworkTags.ClusterName, run.Cluster)).ToList();
        var zones = ours.Select(s => s.AvailabilityZone).Distinct().Order(StringComparer.Ordinal)
            .Concat(regionZones).Distinct().Take(plan.AvailabilityZoneCount).Order(StringComparer.Ordinal).ToList();
        var takenCidrs = vpcSubnets.Select(s => Ipv4Cidr.Parse(s.CidrBlock)).ToList();

        var publicSubnets = new List<SubnetSlot>();
        var privateSubnets = new List<SubnetSlot>();
        for (var i = 0; i < zones.Count; i++)
        {
            publicSubnets.Add(await EnsureSubnetAsync(run, vpcId, zones[i], isPublic: true, i, layout, ours, takenCidrs, ct).ConfigureAwait(false));
            privateSubnets.Add(await EnsureSubnetAsync(run, vpcId, zones[i], isPublic: false, i, layout, ours, takenCidrs, ct).ConfigureAwait(false));
        }

        // Internet gateway, attached.
        var igw = await EnsureInternetGatewayAsync(run, vpcId, vpcLabel, ct).ConfigureAwait(false);

        var vpcRouteTables = vpcId is null ? [] : await _ec2.DescribeRouteTablesAsync(ct, Ec2Queries.VpcFilter(vpcId)).ConfigureAwait(false);
        var routeTableIds = new List<string?>();

        // Public route table: 0.0.0.0/0 -> IGW, associated with every public subnet.
        var publicTable = await EnsureRouteTableAsync(run, vpcId, vpcRouteTables, NetworkTags.Components.PublicRouteTable, "public", null, ct).ConfigureAwait(false);
        routeTableIds.Add(publicTable.Id);
        await EnsureDefaultRouteAsync(run, publicTable, igw, ct).ConfigureAwait(false);
        foreach (var subnet in publicSubnets)
        {
            await EnsureAssociationAsync(run, vpcRouteTables, subnet, publicTable, ct).ConfigureAwait(false);
        }

        // NAT gateways with Elastic IPs in the public subnets.
        var natZones = plan.Nat switch
        {
            NatGatewayMode.Single => zones.Take(1).ToList(),
            NatGatewayMode.HighlyAvailable => zones,
            _ => [],
        };
        var nats = await EnsureNatGatewaysAsync(run, vpcId, natZones, publicSubnets, ct).ConfigureAwait(false);

        // Private route tables: one shared (Single, None) or one per AZ (HighlyAvailable).
        var perZone = plan.Nat == NatGatewayMode.HighlyAvailable;
        RouteTableSlot? sharedPrivate = null;
        for (var i = 0; i < zones.Count; i++)
        {
            var table = perZone ? null : sharedPrivate;
            if (table is null)
            {
                table = await EnsureRouteTableAsync(
                    run, vpcId, vpcRouteTables, NetworkTags.Components.PrivateRouteTable,
                    perZone ? $"private-{zones[i]}" : "private", perZone ? zones[i] : null, ct).ConfigureAwait(false);
                routeTableIds.Add(table.Id);
                if (plan.Nat != NatGatewayMode.None)
                {
                    await EnsureDefaultRouteAsync(run, table, perZone ? nats[i] : nats[0], ct).ConfigureAwait(false);
                }

                sharedPrivate = table;
            }

            await EnsureAssociationAsync(run, vpcRouteTables, privateSubnets[i], table, ct).ConfigureAwait(false);
        }

        if (!run.Apply)
        {
            return null;
        }

        var vpcCidr = plan.VpcCidr;
        return new ClusterNetwork(
            run.Cluster,
            vpcId!,
            vpcCidr,
            publicSubnets.Select(s => s.SubnetId!).ToList(),
            privateSubnets.Select(s => s.SubnetId!).ToList(),
            zones,
            igw.Id,
            nats.Select(n => n.Id!).ToList(),
            routeTableIds.Select(id => id!).ToList());
    }
}
