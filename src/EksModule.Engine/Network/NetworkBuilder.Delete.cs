using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksModule.Engine.Network;

public sealed partial class NetworkBuilder
{
    /// <summary>
    /// Deletes the cluster's network in dependency order: NAT gateways (and waits until they are deleted),
    /// their Elastic IPs, route table associations and non-main route tables, subnets, the internet gateway
    /// (detached first), non-default security groups, the VPC. Everything inside the cluster's VPC goes, since
    /// any of it would block the VPC's deletion; outside the VPC only resources tagged for the cluster are touched.
    /// Missing pieces are fine, so it can be rerun after a partial failure.
    /// </summary>
    public async Task DeleteAsync(string clusterName, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (NetworkPlanner.ValidateClusterName(clusterName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(clusterName));
        }

        var ct = cancellationToken;
        var vpcs = await _ec2.DescribeVpcsAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false);
        foreach (var vpc in vpcs)
        {
            await DeleteVpcContentsAsync(clusterName, vpc.VpcId, progress, ct).ConfigureAwait(false);
        }

        // Leftovers outside any VPC: Elastic IPs and never-attached internet gateways of an interrupted run.
        foreach (var address in await _ec2.DescribeAddressesAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            progress?.Report($"Release Elastic IP {address.AllocationId} ({address.PublicIp})");
            await IgnoreNotFound(() => _ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = address.AllocationId }, ct)).ConfigureAwait(false);
        }

        foreach (var igw in await _ec2.DescribeInternetGatewaysAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            foreach (var attachment in igw.Attachments ?? [])
            {
                progress?.Report($"Detach internet gateway {igw.InternetGatewayId} from {attachment.VpcId}");
                await IgnoreNotFound(() => _ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId, VpcId = attachment.VpcId }, ct)).ConfigureAwait(false);
            }

            progress?.Report($"Delete internet gateway {igw.InternetGatewayId}");
            await IgnoreNotFound(() => _ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId }, ct)).ConfigureAwait(false);
        }
    }

    private async Task DeleteVpcContentsAsync(string clusterName, string vpcId, IProgress<string>? progress, CancellationToken ct)
    {
        var vpcFilter = Ec2Queries.VpcFilter(vpcId);

        var nats = await _ec2.DescribeLiveNatGatewaysAsync(vpcId, ct).ConfigureAwait(false);
        foreach (var nat in nats)
        {
            progress?.Report($"Delete NAT gateway {nat.NatGatewayId}");
            await IgnoreNotFound(() => _ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = nat.NatGatewayId }, ct)).ConfigureAwait(false);
        }

        await WaitForNatGatewaysAsync(nats.Select(n => n.NatGatewayId).ToList(), NatGatewayState.Deleted, progress, ct).ConfigureAwait(false);

        // The NAT gateways' Elastic IPs are free now; release ours (tagged) here, the caller sweeps any others.
        foreach (var address in await _ec2.DescribeAddressesAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            progress?.Report($"Release Elastic IP {address.AllocationId} ({address.PublicIp})");
            await IgnoreNotFound(() => _ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = address.AllocationId }, ct)).ConfigureAwait(false);
        }

        // Endpoints (a private cluster's, or any other) hold network interfaces in the subnets and routes in the tables.
        await new PrivateEndpointBuilder(_ec2, string.Empty, _options).DeleteAllAsync(vpcId, progress, ct).ConfigureAwait(false);

        foreach (var table in await _ec2.DescribeRouteTablesAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            var associations = table.Associations ?? [];
            if (associations.Any(a => a.Main == true))
            {
                continue; // the main route table goes with the VPC
            }

            foreach (var association in associations)
            {
                progress?.Report($"Disassociate route table {table.RouteTableId} from {association.SubnetId ?? association.GatewayId}");
                await IgnoreNotFound(() => _ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.RouteTableAssociationId }, ct)).ConfigureAwait(false);
            }

            progress?.Report($"Delete route table {table.RouteTableId}");
            await IgnoreNotFound(() => _ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = table.RouteTableId }, ct)).ConfigureAwait(false);
        }

        foreach (var subnet in await _ec2.DescribeSubnetsAsync(ct, vpcFilter).ConfigureAwait(false))
        {
            progress?.Report($"Delete subnet {subnet.SubnetId} ({subnet.CidrBlock}, {subnet.AvailabilityZone})");
            await IgnoreNotFound(() => _ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnet.SubnetId }, ct)).ConfigureAwait(false);
        }

        foreach (var igw in await _ec2.DescribeInternetGatewaysAsync(ct, new Filter("attachment.vpc-id", [vpcId])).ConfigureAwait(false))
        {
            progress?.Report($"Detach internet gateway {igw.InternetGatewayId} from {vpcId}");
            await IgnoreNotFound(() => _ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId, VpcId = vpcId }, ct)).ConfigureAwait(false);
            if (igw.Tags.HasTag(NetworkTags.ClusterName, clusterName))
            {
                progress?.Report($"Delete internet gateway {igw.InternetGatewayId}");
                await IgnoreNotFound(() => _ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId }, ct)).ConfigureAwait(false);
            }
        }

        var groups = (await _ec2.DescribeSecurityGroupsAsync(ct, vpcFilter).ConfigureAwait(false)).Where(g => g.GroupName != "default").ToList();
        foreach (var group in groups)
        {
            // Groups that reference each other cannot be deleted until those rules are gone.
            var ingress = (group.IpPermissions ?? []).Where(p => (p.UserIdGroupPairs ?? []).Count > 0).ToList();
            if (ingress.Count > 0)
            {
                await IgnoreNotFound(() => _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = group.GroupId, IpPermissions = ingress }, ct)).ConfigureAwait(false);
            }

            var egress = (group.IpPermissionsEgress ?? []).Where(p => (p.UserIdGroupPairs ?? []).Count > 0).ToList();
            if (egress.Count > 0)
            {
                await IgnoreNotFound(() => _ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest { GroupId = group.GroupId, IpPermissions = egress }, ct)).ConfigureAwait(false);
            }
        }

        foreach (var group in groups)
        {
            progress?.Report($"Delete security group {group.GroupId} ({group.GroupName})");
            await IgnoreNotFound(() => _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = group.GroupId }, ct)).ConfigureAwait(false);
        }

        progress?.Report($"Delete VPC {vpcId}");
        try
        {
            await IgnoreNotFound(() => _ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }, ct)).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception error) when (error.ErrorCode == "DependencyViolation")
        {
            throw new NetworkStateException(
                "DependencyViolation",
                $"VPC {vpcId} still has dependencies the module did not create (network interfaces, peering, VPN): {error.Message} Remove them and run again.",
                vpcId,
                error);
        }
    }

    private static async Task IgnoreNotFound(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (AmazonEC2Exception error) when (error.IsNotFound())
        {
            // Already gone: deleting is idempotent.
        }
    }
}
