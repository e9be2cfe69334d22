using System.Text.Json.Serialization;
using EksModule.Engine.Eks;

namespace EksModule.Engine.Upgrades;

// Wire shapes of EKS add-ons, version updates and upgrade insights (restJson1, botocore eks 2017-11-01),
// named as the API names them so the module's EksAddon carries AWS.Tools.EKS's property names.

public sealed class AddonIssue
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public List<string> ResourceIds { get; set; } = new();
}

public sealed class AddonHealth
{
    public List<AddonIssue> Issues { get; set; } = new();
}

public sealed class Addon
{
    public string AddonName { get; set; } = string.Empty;
    public string ClusterName { get; set; } = string.Empty;
    public string? Status { get; set; }
    public string? AddonVersion { get; set; }
    public AddonHealth? Health { get; set; }
    public string? AddonArn { get; set; }
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? CreatedAt { get; set; }
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? ModifiedAt { get; set; }
    public string? ServiceAccountRoleArn { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new();
    public string? Publisher { get; set; }
    public string? Owner { get; set; }
    public string? ConfigurationValues { get; set; }
}

public sealed class AddonCompatibility
{
    public string? ClusterVersion { get; set; }
    public List<string> PlatformVersions { get; set; } = new();
    public bool DefaultVersion { get; set; }
}

public sealed class AddonVersionInfo
{
    public string AddonVersion { get; set; } = string.Empty;
    public List<AddonCompatibility> Compatibilities { get; set; } = new();
    public bool RequiresIamPermissions { get; set; }
}

public sealed class AddonInfo
{
    public string AddonName { get; set; } = string.Empty;
    public string? Type { get; set; }
    public List<AddonVersionInfo> AddonVersions { get; set; } = new();
    public string? DefaultNamespace { get; set; }
}

public sealed class CreateAddonRequest
{
    public string AddonName { get; set; } = string.Empty;
    public string? AddonVersion { get; set; }
    public string? ServiceAccountRoleArn { get; set; }
    public string? ResolveConflicts { get; set; }
    public string? ClientRequestToken { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public string? ConfigurationValues { get; set; }
}

public sealed class UpdateAddonRequest
{
    public string? AddonVersion { get; set; }
    public string? ServiceAccountRoleArn { get; set; }
    public string? ResolveConflicts { get; set; }
    public string? ClientRequestToken { get; set; }
    public string? ConfigurationValues { get; set; }
}

public sealed class InsightStatus
{
    public string? Status { get; set; }
    public string? Reason { get; set; }
}

public sealed class InsightSummary
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Category { get; set; }
    public string? KubernetesVersion { get; set; }
    public string? Description { get; set; }
    public InsightStatus? InsightStatus { get; set; }
}

/// <summary>The UpdateClusterConfig body: EKS takes one kind of change (logging or endpoint access) per call.</summary>
public sealed class UpdateClusterConfigRequest
{
    public VpcConfigRequest? ResourcesVpcConfig { get; set; }
    public Logging? Logging { get; set; }
    public string? ClientRequestToken { get; set; }
}
