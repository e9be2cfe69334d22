using System.Text.Json;
using System.Text.Json.Serialization;

namespace EksEmulator.Eks;

// restJson1 shapes of botocore's eks 2017-11-01 model, limited to the members the emulator implements.
// Member names are the model's (camelCase on the wire); absent members are omitted, as EKS omits them.

public static class EksJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
    };
}

public sealed record VpcConfigRequest(
    List<string>? SubnetIds, List<string>? SecurityGroupIds, bool? EndpointPublicAccess, bool? EndpointPrivateAccess, List<string>? PublicAccessCidrs);

public sealed record KubernetesNetworkConfigRequest(string? ServiceIpv4Cidr, string? IpFamily);

public sealed record LogSetup(List<string>? Types, bool? Enabled);

public sealed record Logging(List<LogSetup>? ClusterLogging);

public sealed record EncryptionProvider(string? KeyArn);

public sealed record EncryptionConfig(List<string>? Resources, EncryptionProvider? Provider);

public sealed record AccessConfig(string? AuthenticationMode, bool? BootstrapClusterCreatorAdminPermissions);

public sealed record CreateClusterRequest(
    string? Name, string? Version, string? RoleArn, VpcConfigRequest? ResourcesVpcConfig,
    KubernetesNetworkConfigRequest? KubernetesNetworkConfig, Logging? Logging, string? ClientRequestToken,
    Dictionary<string, string>? Tags, List<EncryptionConfig>? EncryptionConfig, AccessConfig? AccessConfig,
    bool? BootstrapSelfManagedAddons);

public sealed record UpdateClusterConfigRequest(
    VpcConfigRequest? ResourcesVpcConfig, Logging? Logging, string? ClientRequestToken, AccessConfig? AccessConfig);

public sealed record ScalingConfig(int? MinSize, int? MaxSize, int? DesiredSize);

public sealed record Taint(string? Key, string? Value, string? Effect);

public sealed record CreateNodegroupRequest(
    string? NodegroupName, ScalingConfig? ScalingConfig, int? DiskSize, List<string>? Subnets, List<string>? InstanceTypes,
    string? AmiType, string? NodeRole, Dictionary<string, string>? Labels, List<Taint>? Taints, Dictionary<string, string>? Tags,
    string? ClientRequestToken, string? CapacityType, string? Version, string? ReleaseVersion, JsonElement? RemoteAccess,
    LaunchTemplateSpecification? LaunchTemplate, NodegroupUpdateConfig? UpdateConfig);

public sealed record LaunchTemplateSpecification(string? Name, string? Version, string? Id);

public sealed record UpdateNodegroupConfigRequest(
    ScalingConfig? ScalingConfig, NodegroupUpdateConfig? UpdateConfig, JsonElement? Labels, JsonElement? Taints, string? ClientRequestToken);

public sealed record TagResourceRequest(Dictionary<string, string>? Tags);

public sealed record VpcConfigResponse(
    List<string> SubnetIds, List<string> SecurityGroupIds, string? ClusterSecurityGroupId, string VpcId,
    bool EndpointPublicAccess, bool EndpointPrivateAccess, List<string> PublicAccessCidrs);

public sealed record KubernetesNetworkConfigResponse(string? ServiceIpv4Cidr, string? ServiceIpv6Cidr, string IpFamily);

public sealed record Oidc(string Issuer);

public sealed record Identity(Oidc Oidc);

public sealed record Certificate(string? Data);

public sealed record Health(List<JsonElement> Issues);

public sealed record ClusterResponse(
    string Name, string Arn, double CreatedAt, string Version, string? Endpoint, string RoleArn,
    VpcConfigResponse ResourcesVpcConfig, KubernetesNetworkConfigResponse KubernetesNetworkConfig, Logging Logging,
    Identity Identity, string Status, Certificate? CertificateAuthority, string? ClientRequestToken, string PlatformVersion,
    Dictionary<string, string> Tags, List<EncryptionConfig>? EncryptionConfig, Health Health, AccessConfig AccessConfig);

public sealed record UpdateParam(string Type, string Value);

public sealed record ErrorDetail(string ErrorCode, string ErrorMessage, List<string> ResourceIds);

public sealed record UpdateResponse(string Id, string Status, string Type, List<UpdateParam> Params, double CreatedAt, List<ErrorDetail> Errors);

public sealed record AutoScalingGroupName(string Name);

public sealed record NodegroupResources(List<AutoScalingGroupName> AutoScalingGroups, string? RemoteAccessSecurityGroup);

public sealed record NodegroupUpdateConfig(int? MaxUnavailable, int? MaxUnavailablePercentage);

public sealed record NodegroupResponse(
    string NodegroupName, string NodegroupArn, string ClusterName, string Version, string ReleaseVersion,
    double CreatedAt, double ModifiedAt, string Status, string CapacityType, ScalingConfig ScalingConfig,
    List<string> InstanceTypes, List<string> Subnets, JsonElement? RemoteAccess, string AmiType, string NodeRole,
    Dictionary<string, string> Labels, List<Taint>? Taints, NodegroupResources Resources, int? DiskSize, Health Health,
    NodegroupUpdateConfig UpdateConfig, LaunchTemplateSpecification? LaunchTemplate, Dictionary<string, string> Tags);

public sealed record AccessScope(string? Type, List<string>? Namespaces);

public sealed record CreateAccessEntryRequest(
    string? PrincipalArn, List<string>? KubernetesGroups, Dictionary<string, string>? Tags, string? ClientRequestToken, string? Username, string? Type);

public sealed record UpdateAccessEntryRequest(List<string>? KubernetesGroups, string? ClientRequestToken, string? Username);

public sealed record AssociateAccessPolicyRequest(string? PolicyArn, AccessScope? AccessScope);

public sealed record AccessEntryResponse(
    string ClusterName, string PrincipalArn, List<string> KubernetesGroups, string AccessEntryArn, double CreatedAt,
    double ModifiedAt, Dictionary<string, string> Tags, string Username, string Type);

public sealed record AssociatedAccessPolicyResponse(string PolicyArn, AccessScope AccessScope, double AssociatedAt, double ModifiedAt);

public sealed record AccessPolicyResponse(string Name, string Arn);

public sealed record UpdateClusterVersionRequest(string? Version, string? ClientRequestToken, bool? Force);

public sealed record UpdateNodegroupVersionRequest(
    string? Version, string? ReleaseVersion, LaunchTemplateSpecification? LaunchTemplate, bool? Force, string? ClientRequestToken);

public sealed record CreateAddonRequest(
    string? AddonName, string? AddonVersion, string? ServiceAccountRoleArn, string? ResolveConflicts, string? ClientRequestToken,
    Dictionary<string, string>? Tags, string? ConfigurationValues);

public sealed record UpdateAddonRequest(
    string? AddonVersion, string? ServiceAccountRoleArn, string? ResolveConflicts, string? ClientRequestToken, string? ConfigurationValues);

public sealed record AddonIssue(string Code, string Message, List<string> ResourceIds);

public sealed record AddonHealth(List<AddonIssue> Issues);

public sealed record AddonResponse(
    string AddonName, string ClusterName, string Status, string AddonVersion, AddonHealth Health, string AddonArn,
    double CreatedAt, double ModifiedAt, string? ServiceAccountRoleArn, Dictionary<string, string> Tags, string Publisher,
    string Owner, string? ConfigurationValues);

public sealed record Compatibility(string ClusterVersion, List<string> PlatformVersions, bool DefaultVersion);

public sealed record AddonVersionInfo(
    string AddonVersion, List<string> Architecture, List<string> ComputeTypes, List<Compatibility> Compatibilities,
    bool RequiresConfiguration, bool RequiresIamPermissions);

public sealed record AddonInfo(string AddonName, string Type, List<AddonVersionInfo> AddonVersions, string Publisher, string Owner, string DefaultNamespace);

public sealed record InsightStatus(string Status, string Reason);

public sealed record InsightSummary(
    string Id, string Name, string Category, string KubernetesVersion, double LastRefreshTime, double LastTransitionTime,
    string Description, InsightStatus InsightStatus);

public sealed record InsightsFilter(List<string>? Categories, List<string>? KubernetesVersions, List<string>? Statuses);

public sealed record ListInsightsRequest(InsightsFilter? Filter, int? MaxResults, string? NextToken);
