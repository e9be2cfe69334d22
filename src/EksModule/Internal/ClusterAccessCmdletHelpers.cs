using EksModule.Engine.Access;
using EksModule.Engine.Clusters;

namespace EksModule.Internal;

/// <summary>Turns the access cmdlets' parameters into the engine's request (validated, terminating on bad input).</summary>
internal static class ClusterAccessCmdletHelpers
{
    public static ClusterAccessRequest BuildRequest(string clusterName, string principalArn, string? accessPolicy,
        string[]? namespaces, string[]? groups, string? username)
    {
        ClusterAccessService.ValidatePrincipalArn(principalArn);
        if (username is { Length: 0 })
            throw new InvalidClusterInputException("InvalidUsername", "-Username cannot be empty.", "Username");
        if (namespaces is { Length: > 0 } && accessPolicy is null)
            throw new InvalidClusterInputException("NamespaceNeedsPolicy", "-Namespace scopes an access policy: pass -AccessPolicy with it.", "Namespace");
        return new ClusterAccessRequest(clusterName, principalArn,
            accessPolicy is null ? null : AccessPolicyNames.ArnOf(accessPolicy),
            namespaces?.Where(n => n.Length > 0).ToList(),
            groups?.Where(g => g.Length > 0).ToList(), username);
    }
}
