using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Gets the EKS add-ons installed on a cluster: all of them, or those whose names match.</summary>
[Cmdlet(VerbsCommon.Get, "EksAddon")]
[OutputType(typeof(EksAddon))]
public sealed class GetEksAddonCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Position = 1)]
    [Alias("AddonName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AddonNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var service = new UpgradeService(session);
        try
        {
            var addons = Run(ct => service.GetAddonsAsync(ClusterName, VerboseSink, ct));
            foreach (var addon in addons.Where(a => Name is null || Name.Any(p => ClusterService.WildcardMatch(p, a.AddonName))))
                WriteObject(new EksAddon(addon, session.Region));
            foreach (var literal in (Name ?? Array.Empty<string>()).Where(n => !ClusterService.HasWildcard(n) && addons.All(a => a.AddonName != n)))
                WriteError(new ErrorRecord(new ItemNotFoundException($"No add-on named '{literal}' on cluster {ClusterName}. Run Get-EksAddon -ClusterName {ClusterName} to list them."),
                    "AddonNotFound", ErrorCategory.ObjectNotFound, $"{ClusterName}/{literal}"));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
