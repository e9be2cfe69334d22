using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

public sealed partial class NetworkBuilder
{
    private async Task<string?> EnsureVpcAsync(ConvergeRun run, CancellationToken ct)
    {
        var plan = run.Plan;
        var vpc = await FindVpcAsync(run.Cluster, ct).ConfigureAwait(false);
        if (vpc is null)
        {
            if (!run.Step(PlannedActionKind.Create, "vpc", $"Create VPC {plan.VpcCidr} with DNS hostnames and DNS support"))
            {
                return null;
            }

            var created = await _ec2.CreateVpcAsync(
                new CreateVpcRequest
                {
                    CidrBlock = plan.VpcCidr,
                    TagSpecifications = run.TagSpec(ResourceType.Vpc, run.Tags(NetworkTags.Components.Vpc, "vpc")),
                },
                ct).ConfigureAwait(false);
            var vpcId = created.Vpc.VpcId;
            await _ec2.ModifyVpcAttributeAsync(new ModifyVpcAttributeRequest { VpcId = vpcId, EnableDnsSupport = true }, ct).ConfigureAwait(false);
            await _ec2.ModifyVpcAttributeAsync(new ModifyVpcAttributeRequest { VpcId = vpcId, EnableDnsHostnames = true }, ct).ConfigureAwait(false);
            return vpcId;
        }

        if (!string.Equals(vpc.CidrBlock, plan.VpcCidr, StringComparison.Ordinal))
        {
            throw new NetworkStateException(
                "VpcCidrMismatch",
                $"VPC {vpc.VpcId} of cluster '{run.Cluster}' already exists with CIDR {vpc.CidrBlock}, not {plan.VpcCidr}. Rerun with the VPC CIDR {vpc.CidrBlock}, or delete the cluster network first.",
                vpc.VpcId);
        }

        run.Step(PlannedActionKind.Exists, "vpc", $"VPC {vpc.CidrBlock} exists ({vpc.VpcId})", vpc.VpcId);

        // A half-finished earlier run may have stopped between CreateVpc and the attribute changes.
        var support = await _ec2.DescribeVpcAttributeAsync(new DescribeVpcAttributeRequest { VpcId = vpc.VpcId, Attribute = VpcAttributeName.EnableDnsSupport }, ct).ConfigureAwait(false);
        if (support.EnableDnsSupport != true
            && run.Step(PlannedActionKind.Modify, "vpc", $"Enable DNS support on VPC {vpc.VpcId}", vpc.VpcId))
        {
            await _ec2.ModifyVpcAttributeAsync(new ModifyVpcAttributeRequest { VpcId = vpc.VpcId, EnableDnsSupport = true }, ct).ConfigureAwait(false);
        }

        var hostnames = await _ec2.DescribeVpcAttributeAsync(new DescribeVpcAttributeRequest { VpcId = vpc.VpcId, Attribute = VpcAttributeName.EnableDnsHostnames }, ct).ConfigureAwait(false);
        if (hostnames.EnableDnsHostnames != true
            && run.Step(PlannedActionKind.Modify, "vpc", $"Enable DNS hostnames on VPC {vpc.VpcId}", vpc.VpcId))
        {
            await _ec2.ModifyVpcAttributeAsync(new ModifyVpcAttributeRequest { VpcId = vpc.VpcId, EnableDnsHostnames = true }, ct).ConfigureAwait(false);
        }

        return vpc.VpcId;
    }

    private async Task<SubnetSlot> EnsureSubnetAsync(
        ConvergeRun run, string? vpcId, string zone, bool isPublic, int index,
        IReadOnlyList<SubnetCidrPair> layout, List<Subnet> ours, List<Ipv4Cidr> takenCidrs, CancellationToken ct)
    {
        var kind = isPublic ? "public" : "private";
        var component = isPublic ? NetworkTags.Components.PublicSubnet : NetworkTags.Components.PrivateSubnet;
        var existing = ours
            .Where(s => s.AvailabilityZone == zone && s.Tags.HasTag(NetworkTags.Component, component))
            .OrderBy(s => s.SubnetId, StringComparer.Ordinal)
            .FirstOrDefault();
        if (existing is not null)
        {
            run.Step(PlannedActionKind.Exists, "subnet", $"{(isPublic ? "Public" : "Private")} subnet {existing.CidrBlock} in {zone} exists ({existing.SubnetId})", existing.SubnetId);
            if (isPublic && existing.MapPublicIpOnLaunch != true
                && run.Step(PlannedActionKind.Modify, "subnet", $"Map public IPs on launch in subnet {existing.SubnetId}", existing.SubnetId))
            {
                await _ec2.ModifySubnetAttributeAsync(new ModifySubnetAttributeRequest { SubnetId = existing.SubnetId, MapPublicIpOnLaunch = true }, ct).ConfigureAwait(false);
            }

            return new SubnetSlot(zone, existing.CidrBlock, existing.SubnetId);
        }

        // The AZ's own slot if it is free, else the first free slot of the same kind (the AZ list may have shifted
        // between runs, or someone else's subnet may sit there).
        var candidates = layout.Skip(index).Concat(layout.Take(index))
            .Select(pair => Ipv4Cidr.Parse(isPublic ? pair.PublicCidr : pair.PrivateCidr));
        var cidr = candidates.Cast<Ipv4Cidr?>().FirstOrDefault(c => !takenCidrs.Any(t => t.Overlaps(c!.Value)))
            ?? throw new NetworkStateException(
                "NoFreeSubnetRange",
                $"No free {kind} subnet range is left in VPC {vpcId} for {zone}: the planned blocks overlap existing subnets. Delete the stray subnets or use another VPC CIDR.",
                vpcId);
        takenCidrs.Add(cidr);

        if (!run.Step(PlannedActionKind.Create, "subnet", $"Create {kind} subnet {cidr} in {zone}"))
        {
            return new SubnetSlot(zone, cidr.ToString(), null);
        }

        var extra = new List<Tag>
        {
            new(isPublic ? NetworkTags.ElbRole : NetworkTags.InternalElbRole, "1"),
            new(NetworkTags.KubernetesCluster(run.Cluster), "shared"),
        };
        var created = await _ec2.CreateSubnetAsync(
            new CreateSubnetRequest
            {
                VpcId = vpcId,
                CidrBlock = cidr.ToString(),
                AvailabilityZone = zone,
                TagSpecifications = run.TagSpec(ResourceType.Subnet, run.Tags(component, $"{kind}-{zone}", zone, extra)),
            },
            ct).ConfigureAwait(false);
        var subnetId = created.Subnet.SubnetId;
        if (isPublic)
        {
            await _ec2.ModifySubnetAttributeAsync(new ModifySubnetAttributeRequest { SubnetId = subnetId, MapPublicIpOnLaunch = true }, ct).ConfigureAwait(false);
        }

        return new SubnetSlot(zone, cidr.ToString(), subnetId);
    }

    private async Task<GatewaySlot> EnsureInternetGatewayAsync(ConvergeRun run, string? vpcId, string vpcLabel, CancellationToken ct)
    {
        var tagged = await _ec2.DescribeInternetGatewaysAsync(ct, Ec2Queries.ClusterFilter(run.Cluster)).ConfigureAwait(false);
        var attached = vpcId is null ? null : tagged.FirstOrDefault(g => (g.Attachments ?? []).Any(a => a.VpcId == vpcId));
        if (attached is not null)
        {
            run.Step(PlannedActionKind.Exists, "internet-gateway", $"Internet gateway {attached.InternetGatewayId} is attached to {vpcId}", attached.InternetGatewayId);
            return new GatewaySlot(attached.InternetGatewayId, attached.InternetGatewayId, IsNat: false);
        }

        // An earlier run may have created the gateway and stopped before attaching it.
        var igwId = tagged.FirstOrDefault(g => (g.Attachments ?? []).Count == 0)?.InternetGatewayId;
        if (igwId is not null)
        {
            run.Step(PlannedActionKind.Exists, "internet-gateway", $"Internet gateway {igwId} exists (not attached)", igwId);
        }
        else if (run.Step(PlannedActionKind.Create, "internet-gateway", "Create internet gateway"))
        {
            var created = await _ec2.CreateInternetGatewayAsync(
                new CreateInternetGatewayRequest
                {
                    TagSpecifications = run.TagSpec(ResourceType.InternetGateway, run.Tags(NetworkTags.Components.InternetGateway, "igw")),
                },
                ct).ConfigureAwait(false);
            igwId = created.InternetGateway.InternetGatewayId;
        }

        if (run.Step(PlannedActionKind.Modify, "internet-gateway", $"Attach internet gateway {igwId ?? "(new)"} to VPC {vpcLabel}", igwId))
        {
            await _ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = igwId, VpcId = vpcId }, ct).ConfigureAwait(false);
        }

        return new GatewaySlot(igwId, igwId ?? "(new internet gateway)", IsNat: false);
    }

    private async Task<RouteTableSlot> EnsureRouteTableAsync(
        ConvergeRun run, string? vpcId, List<RouteTable> vpcRouteTables, string component, string nameSuffix, string? zone, CancellationToken ct)
    {
        var name = $"eks-{run.Cluster}-{nameSuffix}";
        var existing = vpcRouteTables
            .Where(t => t.Tags.HasTag(NetworkTags.ClusterName, run.Cluster) && t.Tags.HasTag(NetworkTags.Component, component)
                        && t.Tags.Tag(NetworkTags.AvailabilityZone) == zone)
            .OrderBy(t => t.RouteTableId, StringComparer.Ordinal)
            .FirstOrDefault();
        if (existing is not null)
        {
            run.Step(PlannedActionKind.Exists, "route-table", $"Route table {name} exists ({existing.RouteTableId})", existing.RouteTableId);
            return new RouteTableSlot(existing.RouteTableId, existing, name);
        }

        if (!run.Step(PlannedActionKind.Create, "route-table", $"Create route table {name}"))
        {
            return new RouteTableSlot(null, null, name);
        }

        var created = await _ec2.CreateRouteTableAsync(
            new CreateRouteTableRequest
            {
                VpcId = vpcId,
                TagSpecifications = run.TagSpec(ResourceType.RouteTable, run.Tags(component, nameSuffix, zone)),
            },
            ct).ConfigureAwait(false);
        return new RouteTableSlot(created.RouteTable.RouteTableId, null, name);
    }

    private async Task EnsureDefaultRouteAsync(ConvergeRun run, RouteTableSlot table, GatewaySlot target, CancellationToken ct)
    {
        var route = table.Existing?.Routes?.FirstOrDefault(r => r.DestinationCidrBlock == AnyIPv4);
        var current = route?.NatGatewayId ?? route?.GatewayId;
        if (route is not null && target.Id is not null && current == target.Id && route.State != RouteState.Blackhole)
        {
            run.Step(PlannedActionKind.Exists, "route", $"Route {AnyIPv4} -> {target.Id} exists in {table.Label}", table.Id);
            return;
        }

        if (route is not null)
        {
            if (run.Step(PlannedActionKind.Modify, "route", $"Replace route {AnyIPv4} -> {current} with -> {target.Label} in {table.Label}", table.Id))
            {
                await _ec2.ReplaceRouteAsync(
                    new ReplaceRouteRequest
                    {
                        RouteTableId = table.Id,
                        DestinationCidrBlock = AnyIPv4,
                        GatewayId = target.IsNat ? null : target.Id,
                        NatGatewayId = target.IsNat ? target.Id : null,
                    },
                    ct).ConfigureAwait(false);
            }

            return;
        }

        if (run.Step(PlannedActionKind.Create, "route", $"Create route {AnyIPv4} -> {target.Label} in {table.Label}", table.Id))
        {
            await _ec2.CreateRouteAsync(
                new CreateRouteRequest
                {
                    RouteTableId = table.Id,
                    DestinationCidrBlock = AnyIPv4,
                    GatewayId = target.IsNat ? null : target.Id,
                    NatGatewayId = target.IsNat ? target.Id : null,
                },
                ct).ConfigureAwait(false);
        }
    }

    private async Task EnsureAssociationAsync(ConvergeRun run, List<RouteTable> vpcRouteTables, SubnetSlot subnet, RouteTableSlot table, CancellationToken ct)
    {
        var current = subnet.SubnetId is null
            ? null
            : vpcRouteTables.SelectMany(t => t.Associations ?? []).FirstOrDefault(a => a.SubnetId == subnet.SubnetId);
        if (current is not null && table.Id is not null && current.RouteTableId == table.Id)
        {
            run.Step(PlannedActionKind.Exists, "route-table-association", $"Subnet {subnet.SubnetId} is associated with {table.Id}", current.RouteTableAssociationId);
            return;
        }

        if (current is not null)
        {
            if (run.Step(PlannedActionKind.Modify, "route-table-association", $"Associate subnet {subnet.Label} with route table {table.Label} instead of {current.RouteTableId}", current.RouteTableAssociationId))
            {
                await _ec2.ReplaceRouteTableAssociationAsync(new ReplaceRouteTableAssociationRequest { AssociationId = current.RouteTableAssociationId, RouteTableId = table.Id }, ct).ConfigureAwait(false);
            }

            return;
        }

        if (run.Step(PlannedActionKind.Create, "route-table-association", $"Associate subnet {subnet.Label} ({subnet.AvailabilityZone}) with route table {table.Label}"))
        {
            await _ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { SubnetId = subnet.SubnetId, RouteTableId = table.Id }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>One NAT gateway per zone in <paramref name="natZones"/>, in that zone's public subnet, each with an
    /// Elastic IP (an unassociated one tagged for the cluster is reused). Returns them in zone order.</summary>
    private async Task<List<GatewaySlot>> EnsureNatGatewaysAsync(
        ConvergeRun run, string? vpcId, IReadOnlyList<string> natZones, List<SubnetSlot> publicSubnets, CancellationToken ct)
    {
        var result = new List<GatewaySlot>();
        if (natZones.Count == 0)
        {
            return result;
        }

        var existingNats = vpcId is null
            ? []
            : (await _ec2.DescribeLiveNatGatewaysAsync(vpcId, ct).ConfigureAwait(false)).Where(n => n.Tags.HasTag(NetworkTags.ClusterName, run.Cluster)).ToList();
        var freeAddresses = (await _ec2.DescribeAddressesAsync(ct, Ec2Queries.ClusterFilter(run.Cluster)).ConfigureAwait(false))
            .Where(a => string.IsNullOrEmpty(a.AssociationId) && string.IsNullOrEmpty(a.NetworkInterfaceId) && string.IsNullOrEmpty(a.InstanceId))
            .OrderBy(a => a.AllocationId, StringComparer.Ordinal)
            .ToList();
        var toWaitFor = new List<string>();

        foreach (var zone in natZones)
        {
            var subnet = publicSubnets.Single(s => s.AvailabilityZone == zone);
            var existing = subnet.SubnetId is null ? null : existingNats.FirstOrDefault(n => n.SubnetId == subnet.SubnetId);
            if (existing is not null)
            {
                run.Step(PlannedActionKind.Exists, "natgateway", $"NAT gateway {existing.NatGatewayId} in {zone} is {existing.State?.Value}", existing.NatGatewayId);
                if (existing.State != NatGatewayState.Available)
                {
                    toWaitFor.Add(existing.NatGatewayId);
                }

                result.Add(new GatewaySlot(existing.NatGatewayId, existing.NatGatewayId, IsNat: true));
                continue;
            }

            string? allocationId = null;
            if (freeAddresses.Count > 0)
            {
                allocationId = freeAddresses[0].AllocationId;
                freeAddresses.RemoveAt(0);
                run.Step(PlannedActionKind.Exists, "elastic-ip", $"Elastic IP {allocationId} is free for the NAT gateway in {zone}", allocationId);
            }
            else if (run.Step(PlannedActionKind.Create, "elastic-ip", $"Allocate an Elastic IP for the NAT gateway in {zone}"))
            {
                var address = await _ec2.AllocateAddressAsync(
                    new AllocateAddressRequest
                    {
                        Domain = DomainType.Vpc,
                        TagSpecifications = run.TagSpec(ResourceType.ElasticIp, run.Tags(NetworkTags.Components.ElasticIp, $"nat-{zone}", zone)),
                    },
                    ct).ConfigureAwait(false);
                allocationId = address.AllocationId;
            }

            if (!run.Step(PlannedActionKind.Create, "natgateway", $"Create NAT gateway in public subnet {subnet.Label} ({zone})"))
            {
                result.Add(new GatewaySlot(null, $"(new NAT gateway in {zone})", IsNat: true));
                continue;
            }

            var created = await _ec2.CreateNatGatewayAsync(
                new CreateNatGatewayRequest
                {
                    SubnetId = subnet.SubnetId,
                    AllocationId = allocationId,
                    ConnectivityType = ConnectivityType.Public,
                    // Makes the SDK's own retries of this request safe; reruns are made safe by the tag lookup above.
                    ClientToken = Guid.NewGuid().ToString("N"),
                    TagSpecifications = run.TagSpec(ResourceType.Natgateway, run.Tags(NetworkTags.Components.NatGateway, $"nat-{zone}", zone)),
                },
                ct).ConfigureAwait(false);
            var natId = created.NatGateway.NatGatewayId;
            toWaitFor.Add(natId);
            result.Add(new GatewaySlot(natId, natId, IsNat: true));
        }

        if (run.Apply)
        {
            await WaitForNatGatewaysAsync(toWaitFor, NatGatewayState.Available, run.Progress, ct).ConfigureAwait(false);
        }

        return result;
    }
}
