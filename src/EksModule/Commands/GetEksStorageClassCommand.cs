using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Storage;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Gets a cluster's StorageClasses: all of them, or those whose names match.</summary>
[Cmdlet(VerbsCommon.Get, "EksStorageClass")]
[OutputType(typeof(EksStorageClass))]
public sealed class GetEksStorageClassCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        try
        {
            var classes = Run(ct => new StorageClassService(session).ListAsync(ClusterName, ct));
            foreach (var storageClass in classes.Where(c => Name is null || Name.Any(p => ClusterService.WildcardMatch(p, c.Name))))
                WriteObject(new EksStorageClass(storageClass, session.Region));
            foreach (var literal in (Name ?? Array.Empty<string>()).Where(n => !ClusterService.HasWildcard(n) && classes.All(c => c.Name != n)))
                WriteError(new ErrorRecord(new ItemNotFoundException($"No StorageClass named '{literal}' in cluster {ClusterName}. Run Get-EksStorageClass -ClusterName {ClusterName} to list them."),
                    "StorageClassNotFound", ErrorCategory.ObjectNotFound, $"{ClusterName}/{literal}"));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
