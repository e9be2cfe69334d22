using System.Globalization;
using System.Text.RegularExpressions;
using EksModule.Engine.Clusters;

namespace EksModule.Engine.Storage;

/// <summary>
/// What New-EksStorageClass asks for: an EBS CSI driver StorageClass. <see cref="Parameters"/> are written with the
/// keys the driver reads (its docs/parameters.md): type, encrypted, kmsKeyId, iops, iopsPerGB, throughput,
/// csi.storage.k8s.io/fstype.
/// </summary>
public sealed record StorageClassSpec
{
    public const string Provisioner = "ebs.csi.aws.com";
    public const string FsTypeKey = "csi.storage.k8s.io/fstype";

    public required string Name { get; init; }
    public string VolumeType { get; init; } = "gp3";
    public bool Encrypted { get; init; } = true;
    public string? KmsKeyId { get; init; }
    public int? Iops { get; init; }
    public int? IopsPerGB { get; init; }
    public int? Throughput { get; init; }
    public string FileSystemType { get; init; } = "ext4";
    public string ReclaimPolicy { get; init; } = "Delete";
    public string VolumeBindingMode { get; init; } = "WaitForFirstConsumer";
    public bool AllowVolumeExpansion { get; init; } = true;
    public bool MakeDefault { get; init; }

    /// <summary>The StorageClass parameters, as the EBS CSI driver reads them (every value a string).</summary>
    public IReadOnlyDictionary<string, string> Parameters()
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["type"] = VolumeType,
            ["encrypted"] = Encrypted ? "true" : "false",
            [FsTypeKey] = FileSystemType,
        };
        if (KmsKeyId is not null) parameters["kmsKeyId"] = KmsKeyId;
        if (Iops is { } iops) parameters["iops"] = iops.ToString(CultureInfo.InvariantCulture);
        if (IopsPerGB is { } perGb) parameters["iopsPerGB"] = perGb.ToString(CultureInfo.InvariantCulture);
        if (Throughput is { } throughput) parameters["throughput"] = throughput.ToString(CultureInfo.InvariantCulture);
        return parameters;
    }
}

/// <summary>What EBS allows per volume type: IOPS range, the most IOPS per GiB, and (gp3 only) the throughput range.</summary>
public sealed record EbsVolumeLimits(string VolumeType, int? MinIops, int? MaxIops, int? MaxIopsPerGiB, int? MinThroughput, int? MaxThroughput)
{
    /// <summary>gp3's baseline when no IOPS are provisioned, and the most MiB/s each provisioned IOPS allows.</summary>
    public const int Gp3BaselineIops = 3000;
    public const double Gp3MaxThroughputPerIops = 0.25;

    // The EC2 CreateVolume reference (botocore 1.43's model): gp3 3,000-80,000 IOPS and 125-2,000 MiB/s, io1
    // 100-64,000, io2 100-256,000; IOPS may be provisioned for gp3, io1 and io2 only, throughput for gp3 only. The
    // EBS user guide's ratios: at most 500 IOPS per GiB for gp3, 50 for io1, 1,000 for io2.
    public static IReadOnlyList<EbsVolumeLimits> All { get; } = new[]
    {
        new EbsVolumeLimits("gp3", 3000, 80000, 500, 125, 2000),
        new EbsVolumeLimits("gp2", null, null, null, null, null),
        new EbsVolumeLimits("io1", 100, 64000, 50, null, null),
        new EbsVolumeLimits("io2", 100, 256000, 1000, null, null),
        new EbsVolumeLimits("st1", null, null, null, null, null),
        new EbsVolumeLimits("sc1", null, null, null, null, null),
    };

    public static IReadOnlyList<string> VolumeTypes { get; } = All.Select(l => l.VolumeType).ToArray();

    public static IReadOnlyList<string> FileSystemTypes { get; } = new[] { "ext4", "xfs", "ext3", "ext2" };

    public static EbsVolumeLimits For(string volumeType) => All.First(l => l.VolumeType == volumeType);
}

public static partial class StorageClassValidation
{
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")]
    private static partial Regex KmsArnPattern();

    /// <summary>Every problem with the request, checked before any call is made; empty when it is valid.</summary>
    public static IReadOnlyList<(string ErrorId, string Message, string Parameter)> Problems(StorageClassSpec spec)
    {
        var problems = new List<(string, string, string)>();
        if (spec.Name.Length > 253 || !SubdomainPattern().IsMatch(spec.Name))
            problems.Add(("InvalidStorageClassName",
                $"'{spec.Name}' is not a valid StorageClass name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253 characters).", "Name"));
        if (!EbsVolumeLimits.VolumeTypes.Contains(spec.VolumeType))
        {
            problems.Add(("InvalidVolumeType", $"-VolumeType '{spec.VolumeType}' is not an EBS volume type the driver provisions: use one of {string.Join(", ", EbsVolumeLimits.VolumeTypes)}.", "VolumeType"));
            return problems;
        }
        if (!EbsVolumeLimits.FileSystemTypes.Contains(spec.FileSystemType))
            problems.Add(("InvalidFileSystemType", $"-FileSystemType '{spec.FileSystemType}' is not one the EBS CSI driver formats: use one of {string.Join(", ", EbsVolumeLimits.FileSystemTypes)}.", "FileSystemType"));
        if (spec.ReclaimPolicy is not ("Delete" or "Retain"))
            problems.Add(("InvalidReclaimPolicy", $"-ReclaimPolicy '{spec.ReclaimPolicy}' is not Delete or Retain.", "ReclaimPolicy"));
        if (spec.VolumeBindingMode is not ("WaitForFirstConsumer" or "Immediate"))
            problems.Add(("InvalidVolumeBindingMode", $"-VolumeBindingMode '{spec.VolumeBindingMode}' is not WaitForFirstConsumer or Immediate.", "VolumeBindingMode"));

        if (spec.KmsKeyId is not null && !spec.Encrypted)
            problems.Add(("KmsKeyWithoutEncryption", "-KmsKeyId encrypts volumes with that key, so it cannot be combined with -Encrypted $false.", "KmsKeyId"));
        else if (spec.KmsKeyId is not null && !KmsArnPattern().IsMatch(spec.KmsKeyId))
            problems.Add(("InvalidKmsKeyId", $"-KmsKeyId '{spec.KmsKeyId}' is not a KMS key ARN: the EBS CSI driver takes the full ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab.", "KmsKeyId"));

        var limits = EbsVolumeLimits.For(spec.VolumeType);
        if (spec.Iops is not null && spec.IopsPerGB is not null)
            problems.Add(("IopsConflict", "Give either -Iops (the same for every volume) or -IopsPerGB (scaled by each volume's size), not both: the EBS CSI driver refuses a class with both.", "IopsPerGB"));
        if (spec.Iops is { } iops)
        {
            if (limits.MaxIops is null)
                problems.Add(("IopsNotSupported", $"{spec.VolumeType} volumes do not take provisioned IOPS; -Iops applies to gp3, io1 and io2.", "Iops"));
            else if (iops < limits.MinIops || iops > limits.MaxIops)
                problems.Add(("InvalidIops", $"-Iops {iops} is outside what EBS allows for {spec.VolumeType} volumes: {limits.MinIops} to {limits.MaxIops}.", "Iops"));
        }
        if (spec.IopsPerGB is { } perGb)
        {
            if (limits.MaxIopsPerGiB is null)
                problems.Add(("IopsNotSupported", $"{spec.VolumeType} volumes do not take provisioned IOPS; -IopsPerGB applies to gp3, io1 and io2.", "IopsPerGB"));
            else if (perGb < 1 || perGb > limits.MaxIopsPerGiB)
                problems.Add(("InvalidIopsPerGB", $"-IopsPerGB {perGb} is outside what EBS allows for {spec.VolumeType} volumes: 1 to {limits.MaxIopsPerGiB} IOPS per GiB.", "IopsPerGB"));
        }
        if (spec.VolumeType is "io1" or "io2" && spec.Iops is null && spec.IopsPerGB is null)
            problems.Add(("IopsRequired", $"EBS needs provisioned IOPS for {spec.VolumeType} volumes: give -Iops or -IopsPerGB.", "Iops"));
        if (spec.Throughput is { } throughput)
        {
            if (limits.MaxThroughput is null)
                problems.Add(("ThroughputNotSupported", $"-Throughput applies to gp3 volumes only; {spec.VolumeType} throughput follows from its size.", "Throughput"));
            else if (throughput < limits.MinThroughput || throughput > limits.MaxThroughput)
                problems.Add(("InvalidThroughput", $"-Throughput {throughput} is outside what EBS allows for gp3 volumes: {limits.MinThroughput} to {limits.MaxThroughput} MiB/s.", "Throughput"));
            else if (spec.IopsPerGB is null && throughput > (spec.Iops ?? EbsVolumeLimits.Gp3BaselineIops) * EbsVolumeLimits.Gp3MaxThroughputPerIops)
            {
                var iopsNeeded = (int)Math.Ceiling(throughput / EbsVolumeLimits.Gp3MaxThroughputPerIops);
                problems.Add(("ThroughputExceedsIops",
                    $"-Throughput {throughput} MiB/s needs at least {iopsNeeded} IOPS on gp3 (at most 0.25 MiB/s per IOPS); " +
                    $"{(spec.Iops is null ? $"without -Iops volumes get the {EbsVolumeLimits.Gp3BaselineIops} baseline" : $"-Iops is {spec.Iops}")}. Raise -Iops to {Math.Max(iopsNeeded, limits.MinIops!.Value)} or lower -Throughput.", "Throughput"));
            }
        }
        return problems;
    }

    /// <summary>Throws the first problem as an invocation error (the cmdlet reports it before any request).</summary>
    public static void Validate(StorageClassSpec spec)
    {
        var problems = Problems(spec);
        if (problems.Count == 0) return;
        var (errorId, _, parameter) = problems[0];
        throw new InvalidClusterInputException(errorId, string.Join(" ", problems.Select(p => p.Message)), parameter);
    }
}
