using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Makes an existing cluster private: creates the VPC endpoints its nodes need (in its VPC's private subnets)
/// where missing, then switches the API endpoint to private-only and waits for EKS to apply it.
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "EksPrivateAccess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(EksCluster))]
public sealed class EnableEksPrivateAccessCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Seconds to wait for the endpoint change (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var clusters = new ClusterService(session);
        var upgrades = new UpgradeService(session);
        try
        {
            ClusterValidation.ValidateName(ClusterName);
            var cluster = Run(ct => upgrades.GetClusterAsync(ClusterName, ct));
            var vpc = cluster.ResourcesVpcConfig
                ?? throw new ModuleOperationException("NoVpcConfig", "InvalidData", $"EKS reports no VPC for cluster '{ClusterName}'; it cannot be made private.");
            var endpoints = clusters.Endpoints;
            var (vpcId, subnetIds) = (vpc.VpcId ?? string.Empty, (IReadOnlyList<string>)vpc.SubnetIds);
            if (subnetIds.Count == 0)
            {
                // EKS always reports the subnets; an endpoint that echoes the last config update (moto) may not.
                // The network this module built for the cluster is then the one to use.
                var network = Run(ct => clusters.Network.FindAsync(ClusterName, ct))
                    ?? throw new ModuleOperationException("NoClusterSubnets", "ObjectNotFound",
                        $"EKS reports no subnets for cluster '{ClusterName}' and no VPC is tagged for it; the endpoints cannot be placed.");
                (vpcId, subnetIds) = (network.VpcId, network.PrivateSubnetIds);
            }
            var target = Run(ct => endpoints.ResolveTargetAsync(ClusterName, vpcId, subnetIds, ct));
            var changes = Run(ct => endpoints.PlanAsync(target, ct)).Where(a => a.IsChange).ToList();
            var config = UpgradeService.PlanConfig(cluster, null, null, publicAccess: false, privateAccess: true, null);

            foreach (var change in changes)
            {
                if (!ShouldProcessUnlessForced(change.Description, change.Description + "?", "Enable-EksPrivateAccess", Force))
                {
                    if (!IsWhatIf) return; // without every endpoint, private-only would cut the nodes off
                }
            }
            if (changes.Count > 0 && !IsWhatIf)
            {
                var ids = Run(ct => endpoints.EnsureAsync(target, null, VerboseSink, ct));
                WriteVerbose($"VPC endpoints of {target.VpcId}: {string.Join(", ", ids.Select(e => $"{e.Key} {e.Value}"))}.");
            }
            else if (changes.Count == 0)
            {
                WriteVerbose($"The VPC endpoints of {target.VpcId} are in place.");
            }

            foreach (var change in config)
            {
                if (!ShouldProcessUnlessForced(change.Description, change.Description + "? kubectl from outside the VPC stops working.", "Enable-EksPrivateAccess", Force)) return;
                Run(ct => upgrades.ApplyConfigAsync(ClusterName, change, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            }
            if (IsWhatIf) return;
            WriteObject(new EksCluster(Run(ct => upgrades.GetClusterAsync(ClusterName, ct)), session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
