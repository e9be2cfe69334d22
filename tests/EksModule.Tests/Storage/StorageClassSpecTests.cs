using EksModule.Engine.Clusters;
using EksModule.Engine.Storage;
using k8s.Models;

namespace EksModule.Tests.Storage;

public sealed class StorageClassSpecTests
{
    private static StorageClassSpec Spec(string volumeType = "gp3", int? iops = null, int? iopsPerGB = null, int? throughput = null) =>
        new() { Name = "fast", VolumeType = volumeType, Iops = iops, IopsPerGB = iopsPerGB, Throughput = throughput };

    private static IEnumerable<string> ErrorIds(StorageClassSpec spec) => StorageClassValidation.Problems(spec).Select(p => p.ErrorId);

    [Fact]
    public void TheDefaultsAreAnEncryptedGp3ClassWithTheKeysTheDriverReads()
    {
        var spec = new StorageClassSpec { Name = "gp3" };
        Assert.Empty(StorageClassValidation.Problems(spec));
        Assert.Equal(new Dictionary<string, string> { ["csi.storage.k8s.io/fstype"] = "ext4", ["encrypted"] = "true", ["type"] = "gp3" }, spec.Parameters());
        Assert.Equal(("Delete", "WaitForFirstConsumer", true), (spec.ReclaimPolicy, spec.VolumeBindingMode, spec.AllowVolumeExpansion));
    }

    [Theory]
    [InlineData("gp3", 3000, null, null, true)]
    [InlineData("gp3", 80000, null, 2000, true)]
    [InlineData("gp3", 2999, null, null, false)]
    [InlineData("gp3", 80001, null, null, false)]
    [InlineData("gp3", null, 500, null, true)]
    [InlineData("gp3", null, 501, null, false)]
    [InlineData("gp3", null, null, 125, true)]
    [InlineData("gp3", null, null, 750, true)]     // 0.25 MiB/s per IOPS of the 3,000 baseline
    [InlineData("gp3", null, null, 751, false)]
    [InlineData("gp3", 4000, null, 1000, true)]
    [InlineData("gp3", 3999, null, 1000, false)]
    [InlineData("gp3", null, null, 124, false)]
    [InlineData("gp3", 16000, null, 2001, false)]
    [InlineData("io1", 100, null, null, true)]
    [InlineData("io1", 64000, null, null, true)]
    [InlineData("io1", 64001, null, null, false)]
    [InlineData("io1", 99, null, null, false)]
    [InlineData("io1", null, 50, null, true)]
    [InlineData("io1", null, 51, null, false)]
    [InlineData("io2", 256000, null, null, true)]
    [InlineData("io2", 256001, null, null, false)]
    [InlineData("io2", null, 1000, null, true)]
    [InlineData("io2", null, 1001, null, false)]
    [InlineData("io2", 1000, null, 200, false)]    // throughput is gp3 only
    [InlineData("io1", null, null, null, false)]   // EBS needs IOPS for io1 and io2
    [InlineData("gp2", 3000, null, null, false)]
    [InlineData("st1", null, 10, null, false)]
    [InlineData("sc1", null, null, null, true)]
    [InlineData("gp3", 4000, 10, null, false)]     // -Iops and -IopsPerGB together
    public void IopsAndThroughputFollowTheEbsLimitsOfTheVolumeType(string type, int? iops, int? perGb, int? throughput, bool valid)
        => Assert.Equal(valid, StorageClassValidation.Problems(Spec(type, iops, perGb, throughput)).Count == 0);

    [Fact]
    public void ThroughputBeyondTheIopsItNeedsSaysHowManyIopsToAsk()
    {
        var problem = Assert.Single(StorageClassValidation.Problems(Spec(throughput: 1000)));
        Assert.Equal("ThroughputExceedsIops", problem.ErrorId);
        Assert.Contains("at least 4000 IOPS", problem.Message);
        Assert.Contains("Raise -Iops to 4000", problem.Message);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnceUnderTheFirstOnesErrorId()
    {
        var spec = new StorageClassSpec { Name = "Bad_Name", Iops = 1, KmsKeyId = "alias/mine" };
        Assert.Equal(new[] { "InvalidStorageClassName", "InvalidKmsKeyId", "InvalidIops" }, ErrorIds(spec));
        var e = Assert.Throws<InvalidClusterInputException>(() => StorageClassValidation.Validate(spec));
        Assert.Equal("InvalidStorageClassName", e.ErrorId);
        Assert.Contains("-Iops 1 is outside", e.Message);
    }

    [Theory]
    [InlineData("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", true, true)]
    [InlineData("arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/ebs", true, true)]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab", true, false)]
    [InlineData("arn:aws:kms:us-east-1:123456789012:key/k", false, false)]
    public void AKmsKeyIsAFullArnOnAnEncryptedClass(string key, bool encrypted, bool valid)
        => Assert.Equal(valid, StorageClassValidation.Problems(new StorageClassSpec { Name = "k", KmsKeyId = key, Encrypted = encrypted }).Count == 0);

    [Fact]
    public void ParametersCarryOnlyWhatWasAsked()
    {
        var spec = new StorageClassSpec { Name = "x", VolumeType = "io2", IopsPerGB = 100, KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/k", FileSystemType = "xfs" };
        Assert.Equal(new Dictionary<string, string>
        {
            ["csi.storage.k8s.io/fstype"] = "xfs", ["encrypted"] = "true", ["iopsPerGB"] = "100",
            ["kmsKeyId"] = "arn:aws:kms:us-east-1:123456789012:key/k", ["type"] = "io2",
        }, spec.Parameters());
    }

    [Fact]
    public void AnExistingClassOfTheSameShapeHasNoImmutableDifferences()
    {
        var spec = new StorageClassSpec { Name = "gp3", AllowVolumeExpansion = false, MakeDefault = true };
        var existing = StorageClassService.NewStorageClass(spec with { AllowVolumeExpansion = true, MakeDefault = false });
        Assert.Empty(StorageClassService.ImmutableDifferences(existing, spec));
    }

    [Fact]
    public void ImmutableDifferencesNameEachFieldWithBothValues()
    {
        var gp2 = new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = "gp2" },
            Provisioner = "kubernetes.io/aws-ebs",
            Parameters = new Dictionary<string, string> { ["type"] = "gp2", ["fsType"] = "ext4" },
            VolumeBindingMode = "WaitForFirstConsumer",
        };
        var differences = StorageClassService.ImmutableDifferences(gp2, new StorageClassSpec { Name = "gp2", VolumeType = "gp2", ReclaimPolicy = "Retain" });
        Assert.Equal(new[]
        {
            "provisioner kubernetes.io/aws-ebs (wanted ebs.csi.aws.com)",
            "parameters.csi.storage.k8s.io/fstype (not set) (wanted ext4)",
            "parameters.encrypted (not set) (wanted true)",
            "parameters.fsType ext4 (wanted (not set))",
            "reclaimPolicy Delete (wanted Retain)",
        }, differences);
    }

    [Theory]
    [InlineData("storageclass.kubernetes.io/is-default-class", "true", true)]
    [InlineData("storageclass.beta.kubernetes.io/is-default-class", "true", true)]
    [InlineData("storageclass.kubernetes.io/is-default-class", "false", false)]
    [InlineData("storageclass.kubernetes.io/is-default-class", "True", false)]
    public void TheDefaultMarkerIsEitherAnnotationSetToTrue(string annotation, string value, bool isDefault)
        => Assert.Equal(isDefault, StorageClassService.IsDefault(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = "c", Annotations = new Dictionary<string, string> { [annotation] = value } },
        }));
}
