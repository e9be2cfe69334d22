using System.Management.Automation;
using EksModule.Engine.Storage;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Creates a StorageClass for EBS volumes through the EBS CSI driver (ebs.csi.aws.com): gp3 and encrypted by default,
/// binding when the first pod is scheduled. -MakeDefault leaves it the cluster's only default class. A rerun with the
/// same shape changes nothing; a different shape of the immutable fields is refused with what differs.
/// </summary>
[Cmdlet(VerbsCommon.New, "EksStorageClass", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EksStorageClass))]
public sealed class NewEksStorageClassCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    [ValidateSet("gp3", "gp2", "io1", "io2", "st1", "sc1")]
    public string VolumeType { get; set; } = "gp3";

    /// <summary>Encrypt volumes at rest (default $true); with -KmsKeyId under that key, else under the account's default EBS key.</summary>
    [Parameter]
    public bool Encrypted { get; set; } = true;

    [Parameter]
    public string? KmsKeyId { get; set; }

    [Parameter]
    public int? Iops { get; set; }

    [Parameter]
    public int? IopsPerGB { get; set; }

    /// <summary>gp3 throughput in MiB/s.</summary>
    [Parameter]
    public int? Throughput { get; set; }

    [Parameter]
    [ValidateSet("ext4", "xfs", "ext3", "ext2")]
    public string FileSystemType { get; set; } = "ext4";

    [Parameter]
    [ValidateSet("Delete", "Retain")]
    public string ReclaimPolicy { get; set; } = "Delete";

    [Parameter]
    [ValidateSet("WaitForFirstConsumer", "Immediate")]
    public string VolumeBindingMode { get; set; } = "WaitForFirstConsumer";

    [Parameter]
    public bool AllowVolumeExpansion { get; set; } = true;

    [Parameter]
    public SwitchParameter MakeDefault { get; set; }

    protected override void ProcessRecord()
    {
        var spec = new StorageClassSpec
        {
            Name = Name,
            VolumeType = VolumeType,
            Encrypted = Encrypted,
            KmsKeyId = string.IsNullOrEmpty(KmsKeyId) ? null : KmsKeyId,
            Iops = Iops,
            IopsPerGB = IopsPerGB,
            Throughput = Throughput,
            FileSystemType = FileSystemType,
            ReclaimPolicy = ReclaimPolicy,
            VolumeBindingMode = VolumeBindingMode,
            AllowVolumeExpansion = AllowVolumeExpansion,
            MakeDefault = MakeDefault,
        };
        var target = $"{ClusterName}/{Name}";
        try { StorageClassValidation.Validate(spec); }
        catch (Exception e) { ReportError(e, target); return; }

        var session = Session;
        var service = new StorageClassService(session);
        try
        {
            var plan = Run(ct => service.PlanAsync(ClusterName, spec, ct));
            WarnWithoutDriver(service);
            var applied = true;
            foreach (var change in plan.Changes)
            {
                if (!ShouldProcess(change.Description, change.Description + "?", "New-EksStorageClass")) { applied = false; continue; }
                Run(ct => change.Apply(ct));
            }
            if (plan.Changes.Count == 0) WriteVerbose($"StorageClass {target} is already as asked; nothing to change.");
            if (!applied) return;
            var created = Run(ct => service.TryGetAsync(ClusterName, Name, ct));
            if (created is not null) WriteObject(new EksStorageClass(created, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }

    /// <summary>A class of ebs.csi.aws.com provisions nothing until the driver runs; the add-on is the usual way to run it.</summary>
    private void WarnWithoutDriver(StorageClassService service)
    {
        var installed = Run(ct => service.IsEbsCsiDriverInstalledAsync(ClusterName, ct));
        if (installed == true) return;
        var install = $"Add-EksAddon -ClusterName {ClusterName} -Name {StorageClassService.EbsCsiAddonName} -CreateServiceAccountRole";
        if (installed == false)
            WriteWarning($"The {StorageClassService.EbsCsiAddonName} add-on is not installed on cluster '{ClusterName}': PersistentVolumeClaims of class '{Name}' " +
                $"stay Pending until the EBS CSI driver runs. Install it with {install} (unless you run the driver yourself, e.g. from its Helm chart).");
        else
            WriteVerbose($"This EKS endpoint has no add-on API, so whether the EBS CSI driver runs on '{ClusterName}' is unknown; {install} installs it.");
    }
}
