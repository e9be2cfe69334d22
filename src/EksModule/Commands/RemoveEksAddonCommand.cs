using System.Management.Automation;
using EksModule.Engine.Upgrades;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>Removes an EKS add-on (DeleteAddon) and waits until it is gone; -Preserve leaves its Kubernetes resources running.</summary>
[Cmdlet(VerbsCommon.Remove, "EksAddon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveEksAddonCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("AddonName")]
    [ArgumentCompleter(typeof(AddonNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Keep the add-on's Kubernetes resources on the cluster; EKS just stops managing them.</summary>
    [Parameter]
    public SwitchParameter Preserve { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1200;

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Name}";
        try { AddonCmdletHelpers.ValidateAddonName(Name); }
        catch (Exception e) { ReportError(e, target); return; }
        var service = new UpgradeService(Session);
        try
        {
            var addon = Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct));
            if (addon is null)
            {
                WriteVerbose($"Add-on {target} is not installed; nothing to remove.");
                return;
            }
            var what = $"Remove EKS add-on {Name} ({addon.AddonVersion}) from {ClusterName}" + (Preserve ? ", keeping its Kubernetes resources" : ", deleting its Kubernetes resources");
            if (!ShouldProcessUnlessForced(what, what + "?", "Remove-EksAddon", Force)) return;
            if (addon.Status != "DELETING") Run(ct => service.Api.DeleteAddonAsync(ClusterName, Name, Preserve, ct));
            if (!NoWait) Run(ct => service.WaitForAddonAsync(ClusterName, Name, true, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
