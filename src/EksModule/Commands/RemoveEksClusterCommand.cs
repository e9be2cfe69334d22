using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Iam;
using EksModule.Engine.LoadBalancing;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>
/// Deletes an EKS cluster and waits until it is gone. Node groups are deleted first only with
/// -Force; -IncludeNetwork also deletes the VPC, the cluster, node and add-on roles and the IAM OIDC provider this
/// module created for the cluster.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "EksCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveEksClusterCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Skips the confirmation prompt, and deletes the cluster's node groups first.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also deletes the VPC, subnets, gateways and IAM roles and OIDC provider the module created for this cluster (found by their tags).</summary>
    [Parameter]
    public SwitchParameter IncludeNetwork { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Seconds to wait for the deletion (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    protected override void ProcessRecord()
    {
        if (NoWait && IncludeNetwork)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-IncludeNetwork needs the cluster gone before the VPC can be deleted, so it cannot be combined with -NoWait."),
                "NoWaitWithIncludeNetwork", ErrorCategory.InvalidArgument, Name));
        var session = Session;
        var service = new ClusterService(session);
        var timeout = TimeSpan.FromSeconds(Timeout);
        try
        {
            var cluster = Run(ct => service.Eks.TryDescribeClusterAsync(Name, ct));
            if (cluster is null && !IncludeNetwork)
            {
                WriteClusterNotFound(Name, session.Region);
                return;
            }

            var deletedNow = false;
            if (cluster is not null)
            {
                var nodegroups = Run(ct => service.Eks.ListNodegroupsAsync(Name, ct));
                if (nodegroups.Count > 0 && !Force)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException("Cluster has node groups."), "ClusterHasNodegroups", ErrorCategory.ResourceBusy, Name)
                    {
                        ErrorDetails = new ErrorDetails($"Cluster '{Name}' still has node groups: {string.Join(", ", nodegroups)}. " +
                            "Remove them with Remove-EksNodeGroup, or run Remove-EksCluster -Force to delete them first."),
                    });
                    return;
                }
                var what = nodegroups.Count > 0
                    ? $"Delete EKS cluster '{Name}' in {session.Region} and its node groups {string.Join(", ", nodegroups)}"
                    : $"Delete EKS cluster '{Name}' in {session.Region}";
                // EKS does not delete the load balancers the cluster's controllers made: they would outlive the cluster.
                var loadBalancers = cluster.Status == "ACTIVE" ? ListLoadBalancers() : Array.Empty<ClusterLoadBalancer>();
                if (loadBalancers.Count > 0)
                    what += $", after deleting the load balancers its Services/Ingresses own: " +
                        string.Join(", ", loadBalancers.Select(l => $"{l.Type} {l.LoadBalancer?.Name ?? "(provisioning)"} ({(l.IngressName is null ? "svc" : "ing")}/{l.Namespace}/{l.IngressName ?? l.ServiceName})"));
                if (IncludeNetwork) WarnOfForeignResources(service);
                if (Confirm(what, what + "? This cannot be undone."))
                {
                    if (loadBalancers.Count > 0)
                    {
                        var lbService = new LoadBalancerService(session);
                        foreach (var lb in loadBalancers) Run(ct => lbService.ReleaseAsync(lb, keepService: false, ct));
                        var made = loadBalancers.Where(l => l.LoadBalancer is not null).Select(l => l.LoadBalancer!).ToList();
                        Run(ct => lbService.WaitForGoneAsync(made, timeout, WaitProgressSink, ct));
                    }

                    if (nodegroups.Count > 0)
                    {
                        // EKS refuses to delete a cluster that still has node groups: delete them (skipping any already DELETING) and wait.
                        var nodeGroupService = new NodeGroupService(session);
                        Run(ct => nodeGroupService.DeleteAllAsync(Name, nodegroups, VerboseSink, ct));
                        Run(ct => nodeGroupService.WaitForDeletedAsync(Name, nodegroups, timeout, WaitProgressSink, ct));
                    }

                    if (cluster.Status != "DELETING") Run(ct => service.Eks.DeleteClusterAsync(Name, ct));
                    if (NoWait) return;
                    Run(ct => service.WaitForDeletionAsync(Name, timeout, WaitProgressSink, ct));
                    deletedNow = true;
                }
                else if (!IsWhatIf)
                {
                    return; // declined under -Confirm; -WhatIf goes on to preview the network too
                }
            }

            if (IncludeNetwork) RemoveNetwork(service, clusterGone: cluster is null || deletedNow, deletedNow);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, Name);
        }
    }

    private IReadOnlyList<ClusterLoadBalancer> ListLoadBalancers()
    {
        var session = Session;
        try
        {
            return Run(ct => new LoadBalancerService(session).ListAsync(Name, null, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteWarning($"Could not list the load balancers of cluster '{Name}' through its Kubernetes API ({e.Message}); any it has will remain after the cluster is deleted.");
            return Array.Empty<ClusterLoadBalancer>();
        }
    }

    private string ForeignResourcesMessage(string vpcId, IReadOnlyList<Engine.Network.ForeignResource> foreign, bool clusterGone, bool deletedNow) =>
        (clusterGone ? $"Cluster '{Name}' itself {(deletedNow ? "is deleted" : "was already gone")}, but its network is kept. " : $"Cluster '{Name}' would be deleted, but its network kept. ") +
        $"VPC {vpcId} holds {foreign.Count} resource(s) that neither EksModule nor the cluster's own controllers made: {string.Join("; ", foreign)}. " +
        "Nothing in the network was changed (EksModule never deletes or alters other people's resources). Ask their owners to move or delete them, " +
        $"then run 'Remove-EksCluster -Name {Name} -IncludeNetwork' again to delete the VPC, the IAM roles and the OIDC provider.";

    private bool Confirm(string what, string question) => ShouldProcessUnlessForced(what, question, "Remove-EksCluster", Force);

    /// <summary>Before the cluster goes: what in its VPC is someone else's would keep the network, so say so now. Network
    /// interfaces are left out, as the cluster's nodes still have untagged ones.</summary>
    private void WarnOfForeignResources(ClusterService service)
    {
        var foreign = Run(ct => service.Network.FindForeignResourcesAsync(Name, includeNetworkInterfaces: false, ct));
        if (foreign.Count > 0)
            WriteWarning($"The VPC of cluster '{Name}' holds resources that neither EksModule nor the cluster's own controllers made: {string.Join("; ", foreign)}. " +
                "The cluster will be deleted, but its network kept until they are moved out.");
    }

    private void RemoveNetwork(ClusterService service, bool clusterGone, bool deletedNow)
    {
        var network = Run(ct => service.Network.FindAsync(Name, ct));
        if (network is not null)
        {
            var others = Run(ct => service.ClustersUsingNetworkAsync(network.VpcId, network.PublicSubnetIds.Concat(network.PrivateSubnetIds).ToList(), Name, ct));
            if (others.Count > 0)
                throw new Engine.Errors.ModuleOperationException("VpcInUse", "ResourceBusy",
                    $"VPC {network.VpcId} was created for cluster '{Name}' but cluster(s) {string.Join(", ", others)} also use it. " +
                    "Remove those clusters first, or run Remove-EksCluster without -IncludeNetwork to keep the VPC.");

            // Read before any change (and under -WhatIf): only what the module or the cluster's controllers made is deleted.
            var foreign = Run(ct => service.Network.FindForeignResourcesAsync(Name, includeNetworkInterfaces: clusterGone, ct));
            if (foreign.Count > 0)
            {
                if (IsWhatIf)
                {
                    WriteWarning(ForeignResourcesMessage(network.VpcId, foreign, clusterGone, deletedNow));
                    return;
                }

                throw new Engine.Errors.ModuleOperationException(Engine.Network.ForeignResourcesInVpcException.ErrorId, "ResourceBusy",
                    ForeignResourcesMessage(network.VpcId, foreign, clusterGone, deletedNow));
            }

            var what = $"Delete VPC {network.VpcId} and its subnets, gateways and route tables created for cluster '{Name}'";
            if (Confirm(what, what + "?"))
            {
                try
                {
                    Run(ct => service.Network.DeleteAsync(Name, VerboseSink, ct));
                }
                catch (Engine.Network.ForeignResourcesInVpcException e)
                {
                    throw new Engine.Errors.ModuleOperationException(Engine.Network.ForeignResourcesInVpcException.ErrorId, "ResourceBusy",
                        ForeignResourcesMessage(e.VpcId, e.Resources, clusterGone, deletedNow));
                }
            }
        }
        else
        {
            WriteVerbose($"No VPC tagged for cluster '{Name}' was found; nothing to delete there.");
        }
        foreach (var spec in new[] { RoleSpec.ClusterRole, RoleSpec.NodeRole }.Concat(AddonServiceAccount.Known.Select(a => a.RoleSpec())))
        {
            var roleName = RoleManager.RoleNameFor(Name, spec);
            var roleWhat = $"Delete IAM role '{roleName}' if EksModule created it for cluster '{Name}'";
            if (Confirm(roleWhat, roleWhat + "?"))
            {
                var deleted = Run(ct => service.Roles.DeleteAsync(Name, spec, ct));
                WriteVerbose(deleted ? $"Deleted IAM role {roleName}." : $"No module-created role {roleName} to delete.");
            }
        }
        var providerWhat = $"Delete the IAM OIDC provider(s) EksModule registered for cluster '{Name}' (found by tag)";
        if (Confirm(providerWhat, providerWhat + "?"))
        {
            var deleted = Run(ct => new OidcProviderManager(new IamApi(Session)).DeleteForClusterAsync(Name, service.Region, ct));
            WriteVerbose(deleted.Count > 0 ? $"Deleted IAM OIDC provider(s) {string.Join(", ", deleted)}." : "No module-registered IAM OIDC provider to delete.");
        }
    }
}
