using System.Globalization;
using EksModule.Engine.Storage;

namespace EksModule.Types;

/// <summary>
/// A cluster's StorageClass, with the EBS CSI driver's parameters read out (VolumeType, Encrypted, Iops, ...; empty
/// for classes of other provisioners). ClusterName, Name and Region bind by property name to Remove-EksStorageClass.
/// </summary>
public sealed class EksStorageClass
{
    internal EksStorageClass(StorageClassInfo info, string region)
    {
        ClusterName = info.ClusterName;
        Name = info.Name;
        IsDefault = info.IsDefault;
        Provisioner = info.Provisioner;
        VolumeType = info.Parameter("type");
        Encrypted = bool.TryParse(info.Parameter("encrypted"), out var encrypted) ? encrypted : null;
        KmsKeyId = info.Parameter("kmsKeyId");
        Iops = Number(info.Parameter("iops"));
        IopsPerGB = Number(info.Parameter("iopsPerGB"));
        Throughput = Number(info.Parameter("throughput"));
        // The driver reads csi.storage.k8s.io/fstype; gp2's in-tree style class says fsType.
        FileSystemType = info.Parameters.TryGetValue(StorageClassSpec.FsTypeKey, out var fsType) ? fsType : info.Parameter("fsType");
        ReclaimPolicy = info.ReclaimPolicy;
        VolumeBindingMode = info.VolumeBindingMode;
        AllowVolumeExpansion = info.AllowVolumeExpansion;
        Parameters = new Dictionary<string, string>(info.Parameters);
        CreationTimestamp = info.CreationTimestamp?.ToLocalTime();
        Region = region;
    }

    public string ClusterName { get; }
    public string Name { get; }
    /// <summary>Marked with storageclass.kubernetes.io/is-default-class: claims without a storageClassName get this class.</summary>
    public bool IsDefault { get; }
    public string Provisioner { get; }
    public string? VolumeType { get; }
    public bool? Encrypted { get; }
    public string? KmsKeyId { get; }
    public int? Iops { get; }
    public int? IopsPerGB { get; }
    public int? Throughput { get; }
    public string? FileSystemType { get; }
    public string ReclaimPolicy { get; }
    public string VolumeBindingMode { get; }
    public bool AllowVolumeExpansion { get; }
    /// <summary>Every parameter exactly as the StorageClass carries it.</summary>
    public Dictionary<string, string> Parameters { get; }
    public DateTime? CreationTimestamp { get; }
    public string Region { get; }

    private static int? Number(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public override string ToString() => $"{ClusterName}/{Name}";
}
