using System.Net;
using System.Text.RegularExpressions;

namespace EksModule.Engine.Clusters;

/// <summary>A parameter the caller got wrong; the cmdlet reports it before any request is sent.</summary>
public sealed class InvalidClusterInputException : ArgumentException
{
    public InvalidClusterInputException(string errorId, string message, string parameterName) : base(message, parameterName) => ErrorId = errorId;
    public string ErrorId { get; }
}

public static partial class ClusterValidation
{
    public static readonly string[] LogTypes = { "api", "audit", "authenticator", "controllerManager", "scheduler" };

    [GeneratedRegex("^[0-9A-Za-z][A-Za-z0-9\\-_]*$")]
    private static partial Regex NamePattern();

    public static void ValidateName(string name, string parameterName = "Name")
    {
        if (string.IsNullOrEmpty(name) || name.Length > 100 || !NamePattern().IsMatch(name))
            throw new InvalidClusterInputException("InvalidClusterName",
                $"'{name}' is not a valid EKS cluster name: use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit.",
                parameterName);
    }

    public static string ResolveVersion(string? requested, DateOnly today)
    {
        if (string.IsNullOrEmpty(requested)) return KubernetesVersions.DefaultVersion(today);
        var creatable = KubernetesVersions.Creatable(today);
        if (!creatable.Contains(requested))
            throw new InvalidClusterInputException("UnsupportedKubernetesVersion",
                $"Kubernetes version '{requested}' cannot be used for a new EKS cluster. Supported versions: {string.Join(", ", creatable)}.",
                "KubernetesVersion");
        return requested;
    }

    /// <summary>EKS log type names are case-sensitive; users type them any way.</summary>
    public static List<string> NormalizeLogTypes(IEnumerable<string> types)
    {
        ValidateLogTypes(types);
        return types.Select(t => LogTypes.First(l => l.Equals(t, StringComparison.OrdinalIgnoreCase))).Distinct().ToList();
    }

    public static void ValidateLogTypes(IEnumerable<string> types)
    {
        foreach (var type in types)
            if (!LogTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
                throw new InvalidClusterInputException("InvalidLogType",
                    $"'{type}' is not an EKS control-plane log type. Use one or more of: {string.Join(", ", LogTypes)}.", "LogType");
    }

    /// <summary>An IPv4 CIDR such as 10.100.0.0/16; EKS's service range must be /12 to /24 inside a private range.</summary>
    public static void ValidateServiceCidr(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix < 12 || prefix > 24)
            throw new InvalidClusterInputException("InvalidServiceCidr",
                $"'{cidr}' is not a valid service IPv4 CIDR: give a block from /12 to /24 in a private range, for example 10.100.0.0/16.", "ServiceIpv4Cidr");
    }

    public static void ValidateCidrList(IEnumerable<string> cidrs, string parameterName)
    {
        foreach (var cidr in cidrs)
        {
            var parts = cidr.Split('/');
            if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out _) || !int.TryParse(parts[1], out var prefix) || prefix < 0 || prefix > 32)
                throw new InvalidClusterInputException("InvalidCidr", $"'{cidr}' is not a valid IPv4 CIDR block (for example 203.0.113.0/24).", parameterName);
        }
    }
}
