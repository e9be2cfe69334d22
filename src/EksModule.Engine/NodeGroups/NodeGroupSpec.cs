using System.Text.RegularExpressions;
using EksModule.Engine.Clusters;

namespace EksModule.Engine.NodeGroups;

/// <summary>
/// What the caller asked Add-EksNodeGroup for. Null members were not given: they take defaults on create
/// and are not compared when the node group already exists.
/// </summary>
public sealed record NodeGroupSpec
{
    public required string ClusterName { get; init; }
    public required string NodegroupName { get; init; }
    public IReadOnlyList<string>? InstanceTypes { get; init; }
    public string? AmiType { get; init; }
    public string? CapacityType { get; init; }
    public int? DiskSize { get; init; }
    public int? MinSize { get; init; }
    public int? DesiredSize { get; init; }
    public int? MaxSize { get; init; }
    public IReadOnlyList<string>? SubnetIds { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyList<Taint>? Taints { get; init; }
    public LaunchTemplateSpecification? LaunchTemplate { get; init; }
    public int? MaxUnavailable { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public string? NodeRoleArn { get; init; }
    public bool EnableClusterAutoscaler { get; init; }
}

/// <summary>Checks and normalises node group input before any request is sent.</summary>
public static partial class NodeGroupValidation
{
    public const string DefaultAmiType = "AL2023_x86_64_STANDARD";

    /// <summary>The AMI types of the EKS API (AMITypes in the 2017-11-01 model).</summary>
    public static readonly string[] AmiTypes =
    {
        "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NEURON", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA",
        "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64_FIPS", "BOTTLEROCKET_ARM_64_FIPS",
        "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA_FIPS", "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
        "WINDOWS_CORE_2019_x86_64", "WINDOWS_FULL_2019_x86_64", "WINDOWS_CORE_2022_x86_64", "WINDOWS_FULL_2022_x86_64",
        "WINDOWS_CORE_2025_x86_64", "WINDOWS_FULL_2025_x86_64",
        "AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64", "CUSTOM",
    };

    /// <summary>Kubernetes' effect names (what kubectl shows) and EKS's wire names.</summary>
    private static readonly (string Kubernetes, string Eks)[] Effects =
    {
        ("NoSchedule", "NO_SCHEDULE"), ("PreferNoSchedule", "PREFER_NO_SCHEDULE"), ("NoExecute", "NO_EXECUTE"),
    };

    public const string AutoscalerEnabledTag = "k8s.io/cluster-autoscaler/enabled";
    public static string AutoscalerClusterTag(string clusterName) => "k8s.io/cluster-autoscaler/" + clusterName;

    /// <summary>The tags cluster-autoscaler's auto-discovery looks for.</summary>
    public static IReadOnlyDictionary<string, string> AutoscalerTags(string clusterName) => new Dictionary<string, string>
    {
        [AutoscalerEnabledTag] = "true",
        [AutoscalerClusterTag(clusterName)] = "owned",
    };

    [GeneratedRegex("^[0-9A-Za-z][A-Za-z0-9\\-_]*$")]
    private static partial Regex NamePattern();

    // A Kubernetes label/taint key: optional DNS-subdomain prefix and '/', then a name of up to 63 characters.
    [GeneratedRegex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValuePattern();

    public static void ValidateName(string name, string parameterName = "Name")
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63 || !NamePattern().IsMatch(name))
            throw new InvalidClusterInputException("InvalidNodeGroupName",
                $"'{name}' is not a valid EKS node group name: use 1 to 63 letters, digits, hyphens and underscores, starting with a letter or digit.",
                parameterName);
    }

    /// <summary>
    /// Fills in what was not given (min 1, desired 2 or min, max 3 or desired) and checks
    /// 0 ≤ min ≤ desired ≤ max, max ≥ 1, as EKS requires.
    /// </summary>
    public static NodegroupScalingConfig ResolveScaling(int? minSize, int? desiredSize, int? maxSize)
    {
        foreach (var (value, name) in new[] { (minSize, "MinSize"), (desiredSize, "DesiredSize"), (maxSize, "MaxSize") })
            if (value < 0)
                throw new InvalidClusterInputException("InvalidScalingConfig", $"-{name} cannot be negative (got {value}).", name);
        var min = minSize ?? Math.Min(1, desiredSize ?? 1);
        var desired = desiredSize ?? Math.Max(min, Math.Min(2, maxSize ?? 2));
        var max = maxSize ?? Math.Max(desired, 3);
        if (max < 1)
            throw new InvalidClusterInputException("InvalidScalingConfig", "-MaxSize must be at least 1: a node group needs room for one node.", "MaxSize");
        if (min > desired || desired > max)
            throw new InvalidClusterInputException("InvalidScalingConfig",
                $"The node group sizes must satisfy MinSize <= DesiredSize <= MaxSize, but they are MinSize {min}, DesiredSize {desired}, MaxSize {max}. " +
                "Pass values in that order" + (minSize is null || desiredSize is null || maxSize is null ? " (sizes you did not give default to min 1, desired 2, max 3)." : "."),
                min > desired ? (minSize is not null ? "MinSize" : "DesiredSize") : (maxSize is not null ? "MaxSize" : "DesiredSize"));
        return new NodegroupScalingConfig { MinSize = min, DesiredSize = desired, MaxSize = max };
    }

    /// <summary>Checks the sizes that were given against each other, before the current ones are read.</summary>
    public static void CheckGivenSizes(int? minSize, int? desiredSize, int? maxSize)
    {
        foreach (var (value, name) in new[] { (minSize, "MinSize"), (desiredSize, "DesiredSize"), (maxSize, "MaxSize") })
            if (value < 0)
                throw new InvalidClusterInputException("InvalidScalingConfig", $"-{name} cannot be negative (got {value}).", name);
        if (maxSize is 0)
            throw new InvalidClusterInputException("InvalidScalingConfig", "-MaxSize must be at least 1: a node group needs room for one node.", "MaxSize");
        void Order(int? low, string lowName, int? high, string highName)
        {
            if (low is not null && high is not null && low > high)
                throw new InvalidClusterInputException("InvalidScalingConfig",
                    $"The node group sizes must satisfy MinSize <= DesiredSize <= MaxSize, but -{lowName} {low} is greater than -{highName} {high}.", lowName);
        }
        Order(minSize, "MinSize", desiredSize, "DesiredSize");
        Order(desiredSize, "DesiredSize", maxSize, "MaxSize");
        Order(minSize, "MinSize", maxSize, "MaxSize");
    }

    /// <summary>For Set-EksNodeGroupScaling: the given sizes over the current ones, checked the same way.</summary>
    public static NodegroupScalingConfig MergeScaling(NodegroupScalingConfig current, int? minSize, int? desiredSize, int? maxSize)
    {
        CheckGivenSizes(minSize, desiredSize, maxSize);
        return ResolveScaling(minSize ?? current.MinSize ?? 0, desiredSize ?? current.DesiredSize ?? 0, maxSize ?? current.MaxSize ?? 1);
    }

    public static string ResolveAmiType(string? amiType)
    {
        if (string.IsNullOrEmpty(amiType)) return DefaultAmiType;
        return AmiTypes.FirstOrDefault(a => a.Equals(amiType, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidClusterInputException("InvalidAmiType",
                $"'{amiType}' is not an EKS AMI type. Use one of: {string.Join(", ", AmiTypes.Where(a => !a.StartsWith("AL2_", StringComparison.Ordinal)))}.", "AmiType");
    }

    /// <summary>OnDemand/Spot (or EKS's ON_DEMAND/SPOT) to EKS's names.</summary>
    public static string ResolveCapacityType(string? capacityType) => capacityType?.Replace("_", string.Empty).ToUpperInvariant() switch
    {
        null or "" or "ONDEMAND" => "ON_DEMAND",
        "SPOT" => "SPOT",
        _ => throw new InvalidClusterInputException("InvalidCapacityType", $"'{capacityType}' is not a capacity type: use OnDemand or Spot.", "CapacityType"),
    };

    /// <summary>Parses <c>key=value:Effect</c> (or <c>key:Effect</c>), Effect one of NoSchedule, PreferNoSchedule, NoExecute.</summary>
    public static Taint ParseTaint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw TaintError(text, "it has no ':Effect' part");
        var effectText = text[(colon + 1)..];
        var effect = Effects.FirstOrDefault(e => e.Kubernetes.Equals(effectText, StringComparison.OrdinalIgnoreCase) || e.Eks.Equals(effectText, StringComparison.OrdinalIgnoreCase)).Eks
            ?? throw TaintError(text, $"'{effectText}' is not a taint effect (use NoSchedule, PreferNoSchedule or NoExecute)");
        var keyValue = text[..colon];
        var equals = keyValue.IndexOf('=');
        var key = equals < 0 ? keyValue : keyValue[..equals];
        var value = equals < 0 ? null : keyValue[(equals + 1)..];
        if (!KeyPattern().IsMatch(key) || key.Length > 253)
            throw TaintError(text, $"'{key}' is not a valid Kubernetes key");
        if (value is not null && (value.Length > 63 || !LabelValuePattern().IsMatch(value)))
            throw TaintError(text, $"'{value}' is not a valid taint value (up to 63 letters, digits, '-', '_' and '.')");
        return new Taint { Key = key, Value = string.IsNullOrEmpty(value) ? null : value, Effect = effect };
    }

    private static InvalidClusterInputException TaintError(string text, string why) => new("InvalidTaint",
        $"'{text}' is not a valid taint: {why}. Write taints as key=value:Effect, for example dedicated=gpu:NoSchedule.", "Taint");

    public static IReadOnlyList<Taint> ParseTaints(IEnumerable<string> texts)
    {
        var taints = texts.Select(ParseTaint).ToList();
        if (taints.Count > 50) throw new InvalidClusterInputException("InvalidTaint", "EKS allows at most 50 taints on a node group.", "Taint");
        var duplicate = taints.GroupBy(t => (t.Key, t.Effect)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidClusterInputException("InvalidTaint", $"The taint key '{duplicate.Key.Key}' with effect {duplicate.Key.Effect} is given twice.", "Taint");
        return taints;
    }

    public static void ValidateLabels(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in labels)
        {
            if (!KeyPattern().IsMatch(key) || key.Length > 253)
                throw new InvalidClusterInputException("InvalidLabel", $"'{key}' is not a valid Kubernetes label key (for example role or example.com/team).", "Label");
            if (value.Length > 63 || !LabelValuePattern().IsMatch(value))
                throw new InvalidClusterInputException("InvalidLabel",
                    $"'{value}' (label '{key}') is not a valid Kubernetes label value: up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.", "Label");
        }
    }

    /// <summary>A name or an id (lt- followed by hex digits); the version is a number, $Latest or $Default.</summary>
    public static LaunchTemplateSpecification ParseLaunchTemplate(string nameOrId, string? version)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
            throw new InvalidClusterInputException("InvalidLaunchTemplate", "-LaunchTemplate needs a launch template name or id (lt-...).", "LaunchTemplate");
        if (version is not null && version is not "$Latest" and not "$Default" && !(long.TryParse(version, out var n) && n > 0))
            throw new InvalidClusterInputException("InvalidLaunchTemplate",
                $"'{version}' is not a launch template version: give a version number, $Latest or $Default.", "LaunchTemplateVersion");
        var isId = LaunchTemplateIdPattern().IsMatch(nameOrId);
        return new LaunchTemplateSpecification { Id = isId ? nameOrId : null, Name = isId ? null : nameOrId, Version = version };
    }

    [GeneratedRegex("^lt-[0-9a-f]{8,17}$")]
    private static partial Regex LaunchTemplateIdPattern();

    /// <summary>Checks the whole spec; returns it with names normalised (AMI type, capacity type).</summary>
    public static NodeGroupSpec Validate(NodeGroupSpec spec)
    {
        ClusterValidation.ValidateName(spec.ClusterName, "ClusterName");
        ValidateName(spec.NodegroupName);
        CheckGivenSizes(spec.MinSize, spec.DesiredSize, spec.MaxSize);
        ResolveScaling(spec.MinSize, spec.DesiredSize, spec.MaxSize);
        if (spec.DiskSize is < 1 or > 16384)
            throw new InvalidClusterInputException("InvalidDiskSize", $"-DiskSize is in GiB and must be between 1 and 16384 (got {spec.DiskSize}).", "DiskSize");
        if (spec.LaunchTemplate is not null && spec.DiskSize is not null)
            throw new InvalidClusterInputException("DiskSizeWithLaunchTemplate",
                "EKS takes the disk size from the launch template when one is given: set the volume size in the launch template and drop -DiskSize.", "DiskSize");
        if (spec.MaxUnavailable is < 1 or > 100)
            throw new InvalidClusterInputException("InvalidMaxUnavailable", $"-MaxUnavailable must be between 1 and 100 nodes (got {spec.MaxUnavailable}).", "MaxUnavailable");
        if (spec.InstanceTypes is { Count: 0 } || spec.InstanceTypes?.Any(string.IsNullOrWhiteSpace) == true)
            throw new InvalidClusterInputException("InvalidInstanceType", "-InstanceType needs one or more EC2 instance types, for example t3.large.", "InstanceType");
        if (spec.Labels is not null) ValidateLabels(spec.Labels);
        if (spec.NodeRoleArn is not null && !spec.NodeRoleArn.StartsWith("arn:", StringComparison.Ordinal))
            throw new InvalidClusterInputException("InvalidNodeRoleArn", $"'{spec.NodeRoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).", "NodeRoleArn");
        return spec with
        {
            AmiType = spec.AmiType is null ? null : ResolveAmiType(spec.AmiType),
            CapacityType = spec.CapacityType is null ? null : ResolveCapacityType(spec.CapacityType),
        };
    }
}
