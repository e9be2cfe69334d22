using System.Management.Automation;
using EksModule.Engine.Storage;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>
/// Deletes a StorageClass. PersistentVolumes already provisioned from it keep their settings and data; only new claims
/// can no longer use it. Removing the default class leaves claims without a storageClassName with no class.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "EksStorageClass", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveEksStorageClassCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Name}";
        var service = new StorageClassService(Session);
        try
        {
            var existing = Run(ct => service.TryGetAsync(ClusterName, Name, ct));
            if (existing is null)
            {
                WriteVerbose($"StorageClass {target} does not exist; nothing to remove.");
                return;
            }
            var what = $"Delete StorageClass '{Name}' ({existing.Provisioner}) from cluster '{ClusterName}'" +
                (existing.IsDefault ? "; it is the cluster's default, so claims without a storageClassName will get no class until another is made default" : "");
            if (!ShouldProcessUnlessForced(what, what + "? Volumes already provisioned from it are kept.", "Remove-EksStorageClass", Force)) return;
            Run(ct => service.DeleteAsync(ClusterName, Name, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
