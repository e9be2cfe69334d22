using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EksModule.Engine.NodeNetwork;

/// <summary>
/// Reads the vpc-cni add-on's configurationValues (JSON or YAML, as EKS accepts both): the aws-node environment
/// under "env" decides prefix delegation, custom networking and MAX_ENI.
/// </summary>
public static class VpcCniConfiguration
{
    public const string AddonName = "vpc-cni";

    /// <summary>The "env" section as strings; empty when there is none or the text is not a mapping.</summary>
    public static IReadOnlyDictionary<string, string> Environment(string? configurationValues)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(configurationValues)) return result;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(configurationValues));
        }
        catch (YamlException)
        {
            return result;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return result;
        if (!root.Children.TryGetValue(new YamlScalarNode("env"), out var envNode) || envNode is not YamlMappingNode env) return result;
        foreach (var (key, value) in env.Children)
            if (key is YamlScalarNode { Value: { } name } && value is YamlScalarNode { Value: { } text }) result[name] = text;
        return result;
    }

    /// <summary>The settings that change pod capacity; a missing or unreadable value keeps the VPC CNI's default.</summary>
    public static CniCapacitySettings CapacitySettings(IReadOnlyDictionary<string, string> env) => new(
        IsTrue(env, "ENABLE_PREFIX_DELEGATION"),
        IsTrue(env, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"),
        env.TryGetValue("MAX_ENI", out var maxEni) && int.TryParse(maxEni, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : null);

    /// <summary>ENABLE_PREFIX_DELEGATION as configured: null when the configuration does not set it.</summary>
    public static bool? PrefixDelegation(IReadOnlyDictionary<string, string> env) =>
        env.ContainsKey("ENABLE_PREFIX_DELEGATION") ? IsTrue(env, "ENABLE_PREFIX_DELEGATION") : null;

    private static bool IsTrue(IReadOnlyDictionary<string, string> env, string name) =>
        env.TryGetValue(name, out var value) && string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
