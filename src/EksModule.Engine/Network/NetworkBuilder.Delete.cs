using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Network;

public sealed partial class NetworkBuilder
{
    /// <summary>
    /// What in the cluster's VPC(s) neither the module nor the cluster's own controllers made (see
    /// <see cref="Ec2Queries.IsClusterOwned"/>); only reads. Before the cluster is deleted pass
    /// <paramref name="includeNetworkInterfaces"/> false: its nodes' network interfaces carry no tag of the cluster.
    /// </summary>
    public async Task<IReadOnlyList<ForeignResource>> FindForeignResourcesAsync(string clusterName, bool includeNetworkInterfaces = true, CancellationToken cancellationToken = default)
    {
        var foreign = new List<ForeignResource>();
        foreach (var vpc in await _ec2.DescribeVpcsAsync(cancellationToken, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            foreign.AddRange((await VpcInventory.ReadAsync(_ec2, clusterName, vpc.VpcId, includeNetworkInterfaces, cancellationToken).ConfigureAwait(false)).Foreign);
        }

        return foreign;
    }

    /// <summary>
    /// Deletes the cluster's network. First every VPC tagged for the cluster is inventoried: if anything in it was made by
    /// someone else (<see cref="FindForeignResourcesAsync"/>), it throws <see cref="ForeignResourcesInVpcException"/>
    /// naming each such resource, having changed nothing. Otherwise, in dependency order: NAT gateways (and waits until
    /// they are deleted), their Elastic IPs, the cluster's VPC endpoints, route tables, available network interfaces the
    /// VPC CNI left, subnets, the internet gateway, security groups, the VPC. DependencyViolation (a load balancer's or
    /// NAT gateway's interface that AWS has not removed yet) is retried with backoff up to
    /// <see cref="NetworkBuilderOptions.DependencyTimeout"/>, then reported with what still blocks. Missing pieces are
    /// fine, so it can be rerun after a partial failure.
    /// </summary>
    public async Task DeleteAsync(string clusterName, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (NetworkPlanner.ValidateClusterName(clusterName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(clusterName));
        }

        var ct = cancellationToken;
        var inventories = new List<VpcInventory>();
        foreach (var vpc in await _ec2.DescribeVpcsAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            var inventory = await VpcInventory.ReadAsync(_ec2, clusterName, vpc.VpcId, includeNetworkInterfaces: true, ct).ConfigureAwait(false);
            if (inventory.Foreign.Count > 0)
            {
                throw new ForeignResourcesInVpcException(clusterName, vpc.VpcId, inventory.Foreign);
            }

            inventories.Add(inventory);
        }

        foreach (var inventory in inventories)
        {
            await DeleteVpcContentsAsync(clusterName, inventory, progress, ct).ConfigureAwait(false);
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

    /// <summary>Deletes what the inventory found to be the cluster's; it holds nothing foreign.</summary>
    private async Task DeleteVpcContentsAsync(string clusterName, VpcInventory inventory, IProgress<string>? progress, CancellationToken ct)
    {
        var vpcId = inventory.VpcId;
        foreach (var nat in inventory.NatGateways)
        {
            progress?.Report($"Delete NAT gateway {nat.NatGatewayId}");
            await IgnoreNotFound(() => _ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = nat.NatGatewayId }, ct)).ConfigureAwait(false);
        }

        await WaitForNatGatewaysAsync(inventory.NatGateways.Select(n => n.NatGatewayId).ToList(), NatGatewayState.Deleted, progress, ct).ConfigureAwait(false);

        // The NAT gateways' Elastic IPs are free now; release ours (tagged) here, the caller sweeps any others.
        foreach (var address in await _ec2.DescribeAddressesAsync(ct, Ec2Queries.ClusterFilter(clusterName)).ConfigureAwait(false))
        {
            progress?.Report($"Release Elastic IP {address.AllocationId} ({address.PublicIp})");
            await IgnoreNotFound(() => _ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = address.AllocationId }, ct)).ConfigureAwait(false);
        }

        // A private cluster's endpoints hold network interfaces in the subnets and routes in the tables.
        await new PrivateEndpointBuilder(_ec2, string.Empty, _options)
            .DeleteAsync(vpcId, inventory.Endpoints.Select(e => e.VpcEndpointId).ToList(), progress, ct).ConfigureAwait(false);

        foreach (var table in inventory.RouteTables)
        {
            foreach (var association in table.Associations ?? [])
            {
                progress?.Report($"Disassociate route table {table.RouteTableId} from {association.SubnetId ?? association.GatewayId}");
                await IgnoreNotFound(() => _ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.RouteTableAssociationId }, ct)).ConfigureAwait(false);
            }

            progress?.Report($"Delete route table {table.RouteTableId}");
            await IgnoreNotFound(() => _ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = table.RouteTableId }, ct)).ConfigureAwait(false);
        }

        // The VPC CNI's interfaces outlive their nodes when ipamd had no time to clean up; attached ones go with their instance.
        foreach (var eni in inventory.NetworkInterfaces.Where(e => e.Status == NetworkInterfaceStatus.Available && e.RequesterManaged != true))
        {
            progress?.Report($"Delete network interface {eni.NetworkInterfaceId} ({eni.Description})");
            await IgnoreNotFound(() => _ec2.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { NetworkInterfaceId = eni.NetworkInterfaceId }, ct)).ConfigureAwait(false);
        }

        foreach (var subnet in inventory.Subnets)
        {
            progress?.Report($"Delete subnet {subnet.SubnetId} ({subnet.CidrBlock}, {subnet.AvailabilityZone})");
            await DeleteWhenFreeAsync(clusterName, vpcId, $"subnet {subnet.SubnetId}", token => _ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnet.SubnetId }, token), ct).ConfigureAwait(false);
        }

        foreach (var igw in inventory.InternetGateways)
        {
            progress?.Report($"Detach internet gateway {igw.InternetGatewayId} from {vpcId}");
            await IgnoreNotFound(() => _ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId, VpcId = vpcId }, ct)).ConfigureAwait(false);
            progress?.Report($"Delete internet gateway {igw.InternetGatewayId}");
            await IgnoreNotFound(() => _ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = igw.InternetGatewayId }, ct)).ConfigureAwait(false);
        }

        // The cluster's groups that reference each other cannot be deleted until those rules are gone. Only the
        // cluster's own groups are here: a foreign group would have stopped the deletion before any change.
        foreach (var group in inventory.SecurityGroups)
        {
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

        foreach (var group in inventory.SecurityGroups)
        {
            progress?.Report($"Delete security group {group.GroupId} ({group.GroupName})");
            await DeleteWhenFreeAsync(clusterName, vpcId, $"security group {group.GroupId}", token => _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = group.GroupId }, token), ct).ConfigureAwait(false);
        }

        progress?.Report($"Delete VPC {vpcId}");
        await DeleteWhenFreeAsync(clusterName, vpcId, $"VPC {vpcId}", token => _ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }, token), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes, retrying DependencyViolation with backoff: interfaces of a load balancer or NAT gateway just deleted take
    /// minutes to go. When the time is up, the error names what is still in the VPC.
    /// </summary>
    private async Task DeleteWhenFreeAsync(string clusterName, string vpcId, string what, Func<CancellationToken, Task> delete, CancellationToken ct)
    {
        AmazonEC2Exception? violation = null;
        try
        {
            await new Waiter(_options.Clock).WaitAsync($"Waiting until {what} can be deleted", what, async token =>
            {
                try
                {
                    await IgnoreNotFound(() => delete(token)).ConfigureAwait(false);
                    return PollResult.Finished("deleted");
                }
                catch (AmazonEC2Exception error) when (error.ErrorCode == "DependencyViolation")
                {
                    violation = error;
                    return PollResult.Pending("DependencyViolation");
                }
            }, new WaitOptions(_options.DependencyTimeout, _options.PollInterval, _options.MaxPollInterval), null, ct).ConfigureAwait(false);
        }
        catch (WaitTimeoutException)
        {
            var left = await VpcInventory.ReadAsync(_ec2, clusterName, vpcId, includeNetworkInterfaces: true, ct).ConfigureAwait(false);
            var blockers = left.Foreign.Select(f => f.ToString())
                .Concat(left.NetworkInterfaces.Select(e => $"network interface {e.NetworkInterfaceId} of the cluster ({e.Status?.Value}{(e.Attachment?.InstanceId is { Length: > 0 } i ? $", attached to {i}" : string.Empty)})"))
                .ToList();
            throw new NetworkStateException(
                "DependencyViolation",
                $"{what} still has dependencies after {Waiter.FormatDuration(_options.DependencyTimeout)} of retrying: {violation?.Message}" +
                (blockers.Count > 0 ? $" Still in VPC {vpcId}: {string.Join("; ", blockers)}." : $" Look for what still uses it (network interfaces, load balancers, peering connections, VPN or transit gateway attachments).") +
                " Remove those (never delete another team's resources: ask them to move theirs) and run the same command again.",
                vpcId,
                violation);
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
