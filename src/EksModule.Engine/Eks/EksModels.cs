using System.Text.Json;
using System.Text.Json.Serialization;

namespace EksModule.Engine.Eks;

// Wire shapes of the EKS API (restJson1), named as the API names them so the module's output
// objects carry the same property names as AWS.Tools.EKS.

public sealed class VpcConfigResponse
{
    public List<string> SubnetIds { get; set; } = new();
    public List<string> SecurityGroupIds { get; set; } = new();
    public string? ClusterSecurityGroupId { get; set; }
    public string? VpcId { get; set; }
    public bool EndpointPublicAccess { get; set; }
    public bool EndpointPrivateAccess { get; set; }
    public List<string> PublicAccessCidrs { get; set; } = new();
}

public sealed class KubernetesNetworkConfigResponse
{
    public string? ServiceIpv4Cidr { get; set; }
    public string? ServiceIpv6Cidr { get; set; }
    public string? IpFamily { get; set; }
}

public sealed class LogSetup
{
    public List<string> Types { get; set; } = new();
    public bool Enabled { get; set; }
}

public sealed class Logging
{
    public List<LogSetup> ClusterLogging { get; set; } = new();

    /// <summary>The log types that are on, e.g. api, audit.</summary>
    public IEnumerable<string> EnabledTypes() => ClusterLogging.Where(l => l.Enabled).SelectMany(l => l.Types);
}

public sealed class Oidc
{
    public string? Issuer { get; set; }
}

public sealed class Identity
{
    public Oidc? Oidc { get; set; }
}

public sealed class Certificate
{
    public string? Data { get; set; }
}

public sealed class Provider
{
    public string? KeyArn { get; set; }
}

public sealed class EncryptionConfig
{
    public List<string> Resources { get; set; } = new();
    public Provider? Provider { get; set; }
}

public sealed class AccessConfigResponse
{
    public bool? BootstrapClusterCreatorAdminPermissions { get; set; }
    public string? AuthenticationMode { get; set; }
}

public sealed class ClusterIssue
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public List<string> ResourceIds { get; set; } = new();
}

public sealed class ClusterHealth
{
    public List<ClusterIssue> Issues { get; set; } = new();
}

public sealed class UpgradePolicyResponse
{
    public string? SupportType { get; set; }
}

public sealed class Cluster
{
    public string Name { get; set; } = string.Empty;
    public string? Arn { get; set; }
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? CreatedAt { get; set; }
    public string? Version { get; set; }
    public string? Endpoint { get; set; }
    public string? RoleArn { get; set; }
    public VpcConfigResponse? ResourcesVpcConfig { get; set; }
    public KubernetesNetworkConfigResponse? KubernetesNetworkConfig { get; set; }
    public Logging? Logging { get; set; }
    public Identity? Identity { get; set; }
    public string? Status { get; set; }
    public Certificate? CertificateAuthority { get; set; }
    public string? ClientRequestToken { get; set; }
    public string? PlatformVersion { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new();
    public List<EncryptionConfig> EncryptionConfig { get; set; } = new();
    public string? Id { get; set; }
    public ClusterHealth? Health { get; set; }
    public AccessConfigResponse? AccessConfig { get; set; }
    public UpgradePolicyResponse? UpgradePolicy { get; set; }
}

/// <summary>The CreateCluster request body.</summary>
public sealed class CreateClusterRequest
{
    public string Name { get; set; } = string.Empty;
    public string? Version { get; set; }
    public string RoleArn { get; set; } = string.Empty;
    public VpcConfigRequest ResourcesVpcConfig { get; set; } = new();
    public KubernetesNetworkConfigRequest? KubernetesNetworkConfig { get; set; }
    public Logging? Logging { get; set; }
    public string? ClientRequestToken { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public List<EncryptionConfig>? EncryptionConfig { get; set; }
    public AccessConfigRequest? AccessConfig { get; set; }

    /// <summary>False: EKS installs no vpc-cni, kube-proxy or coredns of its own (the module installs them as EKS add-ons). Null: EKS's default, true.</summary>
    public bool? BootstrapSelfManagedAddons { get; set; }
}

public sealed class VpcConfigRequest
{
    public List<string>? SubnetIds { get; set; }
    public List<string>? SecurityGroupIds { get; set; }
    public bool? EndpointPublicAccess { get; set; }
    public bool? EndpointPrivateAccess { get; set; }
    public List<string>? PublicAccessCidrs { get; set; }
}

public sealed class KubernetesNetworkConfigRequest
{
    public string? ServiceIpv4Cidr { get; set; }
    public string? IpFamily { get; set; }
}

public sealed class AccessConfigRequest
{
    public bool? BootstrapClusterCreatorAdminPermissions { get; set; }
    public string? AuthenticationMode { get; set; }
}

/// <summary>EKS sends timestamps as epoch seconds (with fractions).</summary>
public sealed class EpochDateTimeConverter : JsonConverter<DateTime?>
{
    public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => DateTimeOffset.UnixEpoch.AddSeconds(reader.GetDouble()).UtcDateTime,
        JsonTokenType.String when DateTime.TryParse(reader.GetString(), null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var d) => d,
        _ => null,
    };

    public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteNumberValue((value.Value.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
    }
}
