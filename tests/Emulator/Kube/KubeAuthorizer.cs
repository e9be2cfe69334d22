using System.Text.Json;
using EksEmulator.Eks;
using EksEmulator.Iam;

namespace EksEmulator.Kube;

/// <summary>Who a request runs as inside Kubernetes, and the EKS access policies it holds.</summary>
public sealed record KubeUser(string Name, IReadOnlyList<string> Groups, IReadOnlyList<AssociatedPolicyState> Policies)
{
    public static readonly KubeUser Anonymous = new("system:anonymous", ["system:unauthenticated"], []);

    public bool IsAnonymous => Name == Anonymous.Name;
}

/// <summary>
/// EKS's mapping from IAM principal to Kubernetes user (access entries first, then the aws-auth ConfigMap, as the
/// cluster's authenticationMode allows) and the authorization of access policies and system:masters.
/// Kubernetes RBAC objects are not modelled: any other group grants nothing.
/// </summary>
public static class KubeAuthorizer
{
    public const string Masters = "system:masters";

    /// <summary>The Kubernetes user for <paramref name="principal"/>, or null when the cluster does not map it (EKS answers 401).</summary>
    public static KubeUser? MapIdentity(ClusterState cluster, IamPrincipal principal)
    {
        var mode = cluster.AuthenticationMode;
        if (mode != "CONFIG_MAP" && cluster.AccessEntries.TryGetValue(principal.CanonicalArn, out var entry))
        {
            return new KubeUser(ExpandUsername(entry.Username, principal),
                [.. entry.KubernetesGroups, "system:authenticated"], [.. entry.Policies.Values]);
        }

        if (mode == "API") return null;

        if (MapFromConfigMap(cluster, principal) is { } mapped) return mapped;

        // On a CONFIG_MAP cluster the creator keeps the hidden system:masters binding EKS has always given it.
        if (mode == "CONFIG_MAP" && cluster.BootstrapClusterCreatorAdminPermissions && cluster.CreatorArn == principal.CanonicalArn)
            return new KubeUser("kubernetes-admin", [Masters, "system:authenticated"], []);
        return null;
    }

    /// <summary>The default access entry username EKS assigns: the user ARN, or the assumed-role ARN with the session name.</summary>
    public static string DefaultUsername(string principalArn)
    {
        var marker = principalArn.IndexOf(":role/", StringComparison.Ordinal);
        if (marker < 0) return principalArn;
        var prefix = principalArn[..marker].Replace(":iam::", ":sts::", StringComparison.Ordinal);
        var roleName = principalArn[(principalArn.LastIndexOf('/') + 1)..];
        return $"{prefix}:assumed-role/{roleName}/{{{{SessionName}}}}";
    }

    private static string ExpandUsername(string template, IamPrincipal principal) =>
        template.Replace("{{SessionName}}", principal.SessionName ?? "", StringComparison.Ordinal)
            .Replace("{{AccountID}}", principal.AccountId, StringComparison.Ordinal)
            .Replace("{{SessionNameRaw}}", principal.SessionName ?? "", StringComparison.Ordinal);

    private static KubeUser? MapFromConfigMap(ClusterState cluster, IamPrincipal principal)
    {
        var configMap = cluster.Objects.Run(view => view.Get(KubeResources.ConfigMaps, "kube-system", "aws-auth"));
        if (configMap?["data"] is not System.Text.Json.Nodes.JsonObject data) return null;
        var (section, key) = principal.IsRole ? ("mapRoles", "rolearn") : ("mapUsers", "userarn");
        var text = data[section]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (var mapping in AwsAuthParser.Parse(text))
        {
            if (mapping.GetValueOrDefault(key) is not string arn || !arn.Equals(principal.CanonicalArn, StringComparison.Ordinal)) continue;
            var username = mapping.GetValueOrDefault("username") as string ?? principal.CanonicalArn;
            var groups = mapping.GetValueOrDefault("groups") as List<string> ?? [];
            return new KubeUser(ExpandUsername(username, principal), [.. groups, "system:authenticated"], []);
        }

        return null;
    }

    /// <summary>Whether <paramref name="user"/> may <paramref name="verb"/> the resource in <paramref name="ns"/> ("" = cluster scope).</summary>
    public static bool Allows(KubeUser user, string verb, KubeResource resource, string ns)
    {
        if (user.Groups.Contains(Masters)) return true;
        foreach (var policy in user.Policies)
        {
            if (!InScope(policy.Scope, resource, ns)) continue;
            if (PolicyAllows(policy.PolicyArn, verb, resource)) return true;
        }

        return false;
    }

    private static bool InScope(AccessScope scope, KubeResource resource, string ns)
    {
        if (scope.Type == "cluster") return true;
        // A namespace-scoped association grants nothing at cluster scope, including cross-namespace lists.
        if (!resource.Namespaced || ns.Length == 0) return false;
        return (scope.Namespaces ?? []).Any(pattern =>
            pattern.EndsWith('*') ? ns.StartsWith(pattern[..^1], StringComparison.Ordinal) : ns == pattern);
    }

    private static readonly string[] ReadVerbs = ["get", "list", "watch"];

    // The policies follow the Kubernetes user-facing roles they mirror: cluster-admin, admin, edit, view.
    private static bool PolicyAllows(string policyArn, string verb, KubeResource resource) => policyArn switch
    {
        AccessPolicies.ClusterAdmin => true,
        AccessPolicies.Admin or AccessPolicies.Edit => resource.Namespaced || ReadVerbs.Contains(verb),
        AccessPolicies.View => ReadVerbs.Contains(verb) && resource.Plural != "secrets",
        AccessPolicies.AdminView => ReadVerbs.Contains(verb),
        _ => false,
    };
}

/// <summary>
/// Reads aws-auth's mapRoles/mapUsers: a YAML sequence of mappings whose values are scalars or lists of scalars
/// (block or flow style), or the same as JSON. Enough for what eksctl, Terraform and the EKS docs write.
/// </summary>
public static class AwsAuthParser
{
    public static List<Dictionary<string, object>> Parse(string text)
    {
        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<List<Dictionary<string, JsonElement>>>(text)!
                    .Select(m => m.ToDictionary(kv => kv.Key, kv => kv.Value.ValueKind == JsonValueKind.Array
                        ? (object)kv.Value.EnumerateArray().Select(v => v.ToString()).ToList()
                        : kv.Value.ToString()))
                    .ToList();
            }
            catch (JsonException) { return []; }
        }

        var items = new List<Dictionary<string, object>>();
        Dictionary<string, object>? current = null;
        List<string>? openList = null;
        var itemIndent = -1;
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).TrimEnd();
            if (line.Trim().Length == 0) continue;
            var indent = line.Length - line.TrimStart().Length;
            var content = line.Trim();
            if (content == "-" || content.StartsWith("- ", StringComparison.Ordinal))
            {
                var rest = content[1..].Trim();
                if (openList is not null && indent > itemIndent && !rest.Contains(": "))
                {
                    openList.Add(Unquote(rest));
                    continue;
                }

                current = new Dictionary<string, object>(StringComparer.Ordinal);
                items.Add(current);
                itemIndent = indent;
                openList = null;
                content = rest;
                if (content.Length == 0) continue;
            }

            if (current is null) continue;
            var colon = content.IndexOf(':');
            if (colon <= 0) continue;
            var key = content[..colon].Trim();
            var value = content[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                openList = [];
                current[key] = openList;
            }
            else if (value.StartsWith('['))
            {
                current[key] = value.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote).ToList();
                openList = null;
            }
            else
            {
                current[key] = Unquote(value);
                openList = null;
            }
        }

        return items;
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        if (line.TrimStart().StartsWith('#')) return "";
        return hash >= 0 ? line[..hash] : line;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\'') ? value[1..^1] : value;
}
