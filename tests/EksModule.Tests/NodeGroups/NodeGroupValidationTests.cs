using EksModule.Engine.Clusters;
using EksModule.Engine.NodeGroups;

namespace EksModule.Tests.NodeGroups;

public class NodeGroupValidationTests
{
    [Theory]
    [InlineData(null, null, null, 1, 2, 3)]
    [InlineData(1, 2, 4, 1, 2, 4)]
    [InlineData(null, 5, null, 1, 5, 5)]
    [InlineData(null, 0, null, 0, 0, 3)]
    [InlineData(3, null, null, 3, 3, 3)]
    [InlineData(null, null, 1, 1, 1, 1)]
    [InlineData(0, null, 10, 0, 2, 10)]
    public void ScalingDefaultsFitAroundWhatWasGiven(int? min, int? desired, int? max, int wantMin, int wantDesired, int wantMax)
    {
        var scaling = NodeGroupValidation.ResolveScaling(min, desired, max);
        Assert.Equal((wantMin, wantDesired, wantMax), (scaling.MinSize!.Value, scaling.DesiredSize!.Value, scaling.MaxSize!.Value));
    }

    [Theory]
    [InlineData(3, 2, 4, "MinSize")]
    [InlineData(1, 5, 4, "DesiredSize")]
    [InlineData(null, null, 0, "MaxSize")]
    [InlineData(-1, null, null, "MinSize")]
    [InlineData(5, null, 3, "MinSize")]
    public void ScalingOutOfOrderIsRejectedNamingTheParameter(int? min, int? desired, int? max, string parameter)
    {
        var error = Assert.Throws<InvalidClusterInputException>(() =>
        {
            NodeGroupValidation.CheckGivenSizes(min, desired, max);
            NodeGroupValidation.ResolveScaling(min, desired, max);
        });
        Assert.Equal("InvalidScalingConfig", error.ErrorId);
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void MergeKeepsCurrentSizesAndChecksTheResult()
    {
        var current = new NodegroupScalingConfig { MinSize = 1, DesiredSize = 2, MaxSize = 4 };
        var merged = NodeGroupValidation.MergeScaling(current, null, 3, null);
        Assert.Equal((1, 3, 4), (merged.MinSize!.Value, merged.DesiredSize!.Value, merged.MaxSize!.Value));
        Assert.Equal("InvalidScalingConfig", Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.MergeScaling(current, null, 9, null)).ErrorId);
    }

    [Theory]
    [InlineData("dedicated=gpu:NoSchedule", "dedicated", "gpu", "NO_SCHEDULE")]
    [InlineData("example.com/team=a:PreferNoSchedule", "example.com/team", "a", "PREFER_NO_SCHEDULE")]
    [InlineData("spot:NoExecute", "spot", null, "NO_EXECUTE")]
    [InlineData("k=v:no_schedule", "k", "v", "NO_SCHEDULE")]
    public void TaintsParseToEksEffects(string text, string key, string? value, string effect)
    {
        var taint = NodeGroupValidation.ParseTaint(text);
        Assert.Equal((key, value, effect), (taint.Key, taint.Value, taint.Effect));
    }

    [Theory]
    [InlineData("a=b:Sometimes", "Sometimes")]
    [InlineData("a=b", "no ':Effect'")]
    [InlineData("=b:NoSchedule", "not a valid Kubernetes key")]
    [InlineData("bad key=b:NoSchedule", "not a valid Kubernetes key")]
    [InlineData("a=b c:NoExecute", "not a valid taint value")]
    public void BadTaintsSayWhatIsWrong(string text, string fragment)
    {
        var error = Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.ParseTaint(text));
        Assert.Equal("InvalidTaint", error.ErrorId);
        Assert.Contains(fragment, error.Message);
        Assert.Contains("key=value:Effect", error.Message);
    }

    [Fact]
    public void DuplicateTaintKeyAndEffectIsRejected()
        => Assert.Equal("InvalidTaint", Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.ParseTaints(new[] { "a=1:NoSchedule", "a=2:NoSchedule" })).ErrorId);

    [Theory]
    [InlineData(null, "AL2023_x86_64_STANDARD")]
    [InlineData("al2023_arm_64_standard", "AL2023_ARM_64_STANDARD")]
    [InlineData("BOTTLEROCKET_x86_64", "BOTTLEROCKET_x86_64")]
    [InlineData("windows_core_2022_x86_64", "WINDOWS_CORE_2022_x86_64")]
    public void AmiTypesNormalise(string? given, string expected) => Assert.Equal(expected, NodeGroupValidation.ResolveAmiType(given));

    [Theory]
    [InlineData("OnDemand", "ON_DEMAND")]
    [InlineData("spot", "SPOT")]
    [InlineData("ON_DEMAND", "ON_DEMAND")]
    public void CapacityTypesNormalise(string given, string expected) => Assert.Equal(expected, NodeGroupValidation.ResolveCapacityType(given));

    [Fact]
    public void UnknownAmiTypeIsRejected() => Assert.Equal("InvalidAmiType", Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.ResolveAmiType("Ubuntu")).ErrorId);

    [Fact]
    public void LaunchTemplateIsANameOrAnId()
    {
        Assert.Equal("lt-0123456789abcdef0", NodeGroupValidation.ParseLaunchTemplate("lt-0123456789abcdef0", "3").Id);
        var byName = NodeGroupValidation.ParseLaunchTemplate("my-nodes", "$Latest");
        Assert.Equal(("my-nodes", null, "$Latest"), (byName.Name, byName.Id, byName.Version));
        Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.ParseLaunchTemplate("my-nodes", "latest"));
    }

    private static NodeGroupSpec Spec(Func<NodeGroupSpec, NodeGroupSpec>? change = null)
    {
        var spec = new NodeGroupSpec { ClusterName = "c", NodegroupName = "web" };
        return change is null ? spec : change(spec);
    }

    [Fact]
    public void DiskSizeDoesNotGoWithALaunchTemplate()
        => Assert.Equal("DiskSizeWithLaunchTemplate", Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.Validate(
            Spec(s => s with { DiskSize = 50, LaunchTemplate = new LaunchTemplateSpecification { Name = "lt" } }))).ErrorId);

    [Theory]
    [InlineData("bad name!")]
    [InlineData("-starts-with-hyphen")]
    public void NodeGroupNamesFollowEks(string name)
        => Assert.Equal("InvalidNodeGroupName", Assert.Throws<InvalidClusterInputException>(() => NodeGroupValidation.Validate(Spec(s => s with { NodegroupName = name }))).ErrorId);

    [Fact]
    public void CreateRequestFillsDefaultsAndAutoscalerTags()
    {
        var spec = NodeGroupValidation.Validate(Spec(s => s with { EnableClusterAutoscaler = true, AmiType = "al2023_arm_64_standard", CapacityType = "Spot" }));
        var request = NodeGroupService.BuildCreateRequest(spec, new[] { "subnet-a" }, "arn:aws:iam::123456789012:role/eks-c-node");
        Assert.Equal(new[] { "t4g.medium" }, request.InstanceTypes);
        Assert.Equal(("AL2023_ARM_64_STANDARD", "SPOT", 20), (request.AmiType, request.CapacityType, request.DiskSize!.Value));
        Assert.Equal("true", request.Tags!["k8s.io/cluster-autoscaler/enabled"]);
        Assert.Equal("owned", request.Tags!["k8s.io/cluster-autoscaler/c"]);
        Assert.NotNull(request.ClientRequestToken);
    }
}

public class NodeGroupConvergenceTests
{
    private static Nodegroup Existing() => new()
    {
        NodegroupName = "web",
        ClusterName = "c",
        Status = "ACTIVE",
        InstanceTypes = new() { "t3.large" },
        AmiType = "AL2023_x86_64_STANDARD",
        CapacityType = "ON_DEMAND",
        DiskSize = 20,
        Subnets = new() { "subnet-a", "subnet-b" },
        Labels = new() { ["role"] = "web" },
        Taints = new() { new Taint { Key = "dedicated", Value = "web", Effect = "NO_SCHEDULE" } },
        ScalingConfig = new NodegroupScalingConfig { MinSize = 1, DesiredSize = 2, MaxSize = 4 },
        NodeRole = "arn:aws:iam::123456789012:role/eks-c-node",
    };

    [Fact]
    public void SameShapeHasNoDifferences()
    {
        var spec = new NodeGroupSpec
        {
            ClusterName = "c", NodegroupName = "web", InstanceTypes = new[] { "t3.large" }, MinSize = 1, DesiredSize = 2, MaxSize = 4,
            Labels = new Dictionary<string, string> { ["role"] = "web" }, Taints = NodeGroupValidation.ParseTaints(new[] { "dedicated=web:NoSchedule" }),
            AmiType = "AL2023_x86_64_STANDARD", CapacityType = "ON_DEMAND",
        };
        Assert.Empty(NodeGroupService.Compare(Existing(), spec, new[] { "subnet-b", "subnet-a" }));
    }

    [Fact]
    public void OnlyGivenParametersAreCompared()
        => Assert.Empty(NodeGroupService.Compare(Existing(), new NodeGroupSpec { ClusterName = "c", NodegroupName = "web" }, null));

    [Fact]
    public void EachDifferenceIsNamedAndScalingPointsAtSet()
    {
        var spec = new NodeGroupSpec
        {
            ClusterName = "c", NodegroupName = "web", InstanceTypes = new[] { "m5.large" }, DesiredSize = 3, CapacityType = "SPOT",
            Labels = new Dictionary<string, string> { ["role"] = "api" },
        };
        var differences = NodeGroupService.Compare(Existing(), spec, new[] { "subnet-c" });
        Assert.Contains("InstanceTypes: t3.large (wanted m5.large)", differences);
        Assert.Contains("CapacityType: ON_DEMAND (wanted SPOT)", differences);
        Assert.Contains(differences, d => d.StartsWith("Subnets: subnet-a, subnet-b (wanted subnet-c)", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("Labels: {role=web} (wanted {role=api})", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.Contains("DesiredSize 2 (wanted 3)") && d.Contains("Set-EksNodeGroupScaling"));
        var error = NodeGroupService.ShapeMismatch(Existing(), differences);
        Assert.Equal("NodeGroupShapeMismatch", error.ErrorId);
        Assert.Contains("m5.large", error.Message);
    }
}
