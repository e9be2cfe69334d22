using System.Text.RegularExpressions;
using EksEmulator.Kube;

namespace EksEmulator.Eks;

/// <summary>EKS access entries and access policy associations (authenticationMode API or API_AND_CONFIG_MAP only).</summary>
public sealed partial class EksService
{
    private static readonly string[] ReservedUsernamePrefixes = ["system:", "eks:", "aws:", "amazon:", "iam:"];

    public Task<AccessEntryResponse> CreateAccessEntryAsync(string region, string clusterName, CreateAccessEntryRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = AccessEntryCluster(view, region, clusterName);
            var principalArn = ValidatePrincipalArn(request.PrincipalArn, clusterName);
            if (cluster.AccessEntries.TryGetValue(principalArn, out var existing))
            {
                if (request.ClientRequestToken is not null && request.ClientRequestToken == existing.ClientRequestToken)
                    return Task.FromResult(existing.ToResponse());
                throw EksException.ResourceInUse("The specified access entry resource is already in use on this cluster.", clusterName: clusterName);
            }

            var type = request.Type ?? AccessEntryTypes.Standard;
            if (!AccessEntryTypes.All.Contains(type))
                throw EksException.InvalidParameter($"The access entry type {type} is not valid. Valid types: {string.Join(", ", AccessEntryTypes.All)}", clusterName: clusterName);
            var standard = type == AccessEntryTypes.Standard;
            if (!standard && (request.Username is not null || request.KubernetesGroups is { Count: > 0 }))
                throw EksException.InvalidParameter($"username and kubernetesGroups cannot be specified for access entries of type {type}.", clusterName: clusterName);
            if (!standard && !principalArn.Contains(":role/", StringComparison.Ordinal))
                throw EksException.InvalidParameter($"Access entries of type {type} require an IAM role principal.", clusterName: clusterName);
            ValidateUsernameAndGroups(request.Username, request.KubernetesGroups, clusterName);
            ValidateTags(request.Tags, msg => EksException.InvalidParameter(msg, clusterName: clusterName));

            var entry = NewAccessEntry(cluster, principalArn, type,
                request.Username ?? (standard ? KubeAuthorizer.DefaultUsername(principalArn) : "system:node:{{EC2PrivateDNSName}}"),
                request.KubernetesGroups ?? [], request.Tags, request.ClientRequestToken, view.Now);
            cluster.AccessEntries.Add(principalArn, entry);
            return Task.FromResult(entry.ToResponse());
        }, cancel);

    public Task<AccessEntryResponse> DescribeAccessEntryAsync(string region, string clusterName, string principalArn, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(GetAccessEntry(AccessEntryCluster(view, region, clusterName), principalArn).ToResponse()), cancel);

    public Task<(List<string>, string?)> ListAccessEntriesAsync(
        string region, string clusterName, string? associatedPolicyArn, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = AccessEntryCluster(view, region, clusterName);
            if (associatedPolicyArn is not null && !AccessPolicies.All.Contains(associatedPolicyArn))
                throw EksException.InvalidParameter($"The policy {associatedPolicyArn} is not a valid access policy.", clusterName: clusterName);
            var principals = cluster.AccessEntries.Values
                .Where(e => associatedPolicyArn is null || e.Policies.ContainsKey(associatedPolicyArn))
                .Select(e => e.PrincipalArn).ToList();
            return Task.FromResult(Page(principals, maxResults, nextToken));
        }, cancel);

    public Task<AccessEntryResponse> UpdateAccessEntryAsync(string region, string clusterName, string principalArn, UpdateAccessEntryRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var entry = GetAccessEntry(AccessEntryCluster(view, region, clusterName), principalArn);
            if (entry.Type != AccessEntryTypes.Standard && (request.Username is not null || request.KubernetesGroups is not null))
                throw EksException.InvalidParameter($"username and kubernetesGroups cannot be updated for access entries of type {entry.Type}.", clusterName: clusterName);
            ValidateUsernameAndGroups(request.Username, request.KubernetesGroups, clusterName);
            if (request.Username is not null) entry.Username = request.Username;
            if (request.KubernetesGroups is not null) entry.KubernetesGroups = [.. request.KubernetesGroups];
            entry.ModifiedAt = view.Now;
            return Task.FromResult(entry.ToResponse());
        }, cancel);

    public Task DeleteAccessEntryAsync(string region, string clusterName, string principalArn, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = AccessEntryCluster(view, region, clusterName);
            _ = GetAccessEntry(cluster, principalArn);
            cluster.AccessEntries.Remove(principalArn);
            return Task.FromResult(true);
        }, cancel);

    public Task<AssociatedAccessPolicyResponse> AssociateAccessPolicyAsync(
        string region, string clusterName, string principalArn, AssociateAccessPolicyRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var entry = GetAccessEntry(AccessEntryCluster(view, region, clusterName), principalArn);
            if (string.IsNullOrEmpty(request.PolicyArn) || !AccessPolicies.All.Contains(request.PolicyArn))
                throw EksException.InvalidParameter($"The specified policyArn {request.PolicyArn} is not a valid access policy.", clusterName: clusterName);
            if (entry.Type != AccessEntryTypes.Standard)
                throw EksException.InvalidRequest($"Access policies cannot be associated with access entries of type {entry.Type}.", clusterName: clusterName);
            var scope = ValidateScope(request.AccessScope, clusterName);
            if (entry.Policies.TryGetValue(request.PolicyArn, out var associated))
            {
                // Associating again replaces the scope.
                associated.Scope = scope;
                associated.ModifiedAt = view.Now;
            }
            else
            {
                associated = new AssociatedPolicyState { PolicyArn = request.PolicyArn, Scope = scope, AssociatedAt = view.Now, ModifiedAt = view.Now };
                entry.Policies.Add(request.PolicyArn, associated);
            }

            return Task.FromResult(associated.ToResponse());
        }, cancel);

    public Task DisassociateAccessPolicyAsync(string region, string clusterName, string principalArn, string policyArn, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var entry = GetAccessEntry(AccessEntryCluster(view, region, clusterName), principalArn);
            if (!entry.Policies.Remove(policyArn))
                throw new EksException(404, "ResourceNotFoundException", $"The policy {policyArn} is not associated with the access entry {principalArn}.") { ClusterName = clusterName };
            return Task.FromResult(true);
        }, cancel);

    public Task<(List<AssociatedAccessPolicyResponse>, string?)> ListAssociatedAccessPoliciesAsync(
        string region, string clusterName, string principalArn, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var entry = GetAccessEntry(AccessEntryCluster(view, region, clusterName), principalArn);
            var (keys, next) = Page(entry.Policies.Keys.ToList(), maxResults, nextToken);
            return Task.FromResult((keys.Select(k => entry.Policies[k].ToResponse()).ToList(), next));
        }, cancel);

    public static (List<AccessPolicyResponse>, string?) ListAccessPolicies(int? maxResults, string? nextToken)
    {
        var (arns, next) = Page([.. AccessPolicies.All], maxResults, nextToken);
        return (arns.Select(a => new AccessPolicyResponse(AccessPolicies.NameOf(a), a)).ToList(), next);
    }

    /// <summary>The creator's access entry EKS adds when bootstrapClusterCreatorAdminPermissions is true.</summary>
    private static void AddCreatorAccessEntry(ClusterState cluster, DateTimeOffset now)
    {
        var entry = NewAccessEntry(cluster, cluster.CreatorArn, AccessEntryTypes.Standard,
            KubeAuthorizer.DefaultUsername(cluster.CreatorArn), [], null, null, now);
        entry.Policies.Add(AccessPolicies.ClusterAdmin, new AssociatedPolicyState
        {
            PolicyArn = AccessPolicies.ClusterAdmin, Scope = new AccessScope("cluster", []), AssociatedAt = now, ModifiedAt = now,
        });
        cluster.AccessEntries[cluster.CreatorArn] = entry;
    }

    private static AccessEntryState NewAccessEntry(
        ClusterState cluster, string principalArn, string type, string username, List<string> groups,
        Dictionary<string, string>? tags, string? clientRequestToken, DateTimeOffset now)
    {
        var match = PrincipalArnPattern().Match(principalArn);
        var kind = match.Groups["kind"].Value;
        var principalName = match.Groups["name"].Value;
        principalName = principalName[(principalName.LastIndexOf('/') + 1)..];
        return new AccessEntryState
        {
            PrincipalArn = principalArn,
            Arn = $"arn:aws:eks:{cluster.Region}:{AccountId}:access-entry/{cluster.Name}/{kind}/{match.Groups["account"].Value}/{principalName}/{Guid.NewGuid()}",
            ClusterName = cluster.Name,
            CreatedAt = now,
            ModifiedAt = now,
            KubernetesGroups = [.. groups],
            Username = username,
            Type = type,
            Tags = tags is null ? [] : new(tags),
            ClientRequestToken = clientRequestToken,
        };
    }

    private static ClusterState AccessEntryCluster(EksStore.StoreView view, string region, string clusterName)
    {
        var cluster = view.Get(region, clusterName);
        if (cluster.AuthenticationMode == "CONFIG_MAP")
            throw EksException.InvalidRequest(
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.", clusterName: clusterName);
        return cluster;
    }

    private static AccessEntryState GetAccessEntry(ClusterState cluster, string principalArn) =>
        cluster.AccessEntries.GetValueOrDefault(principalArn)
        ?? throw new EksException(404, "ResourceNotFoundException",
            $"The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.") { ClusterName = cluster.Name };

    private static string ValidatePrincipalArn(string? principalArn, string clusterName)
    {
        if (string.IsNullOrEmpty(principalArn) || !PrincipalArnPattern().IsMatch(principalArn))
            throw EksException.InvalidParameter($"The specified principalArn is invalid: {principalArn}. It must be the ARN of an IAM user or role.", clusterName: clusterName);
        return principalArn;
    }

    private static void ValidateUsernameAndGroups(string? username, List<string>? groups, string clusterName)
    {
        if (username is not null && (username.Length == 0 || ReservedUsernamePrefixes.Any(p => username.StartsWith(p, StringComparison.Ordinal))))
            throw EksException.InvalidParameter($"The username {username} is not valid: it cannot be empty or start with {string.Join(", ", ReservedUsernamePrefixes)}", clusterName: clusterName);
        foreach (var group in groups ?? [])
            if (group.Length == 0 || group.StartsWith("system:", StringComparison.Ordinal))
                throw EksException.InvalidParameter($"The Kubernetes group {group} is not valid: group names cannot be empty or start with system:", clusterName: clusterName);
    }

    private static AccessScope ValidateScope(AccessScope? scope, string clusterName)
    {
        switch (scope?.Type)
        {
            case "cluster" when scope.Namespaces is not { Count: > 0 }:
                return new AccessScope("cluster", []);
            case "cluster":
                throw EksException.InvalidParameter("namespaces cannot be specified for an access scope of type cluster.", clusterName: clusterName);
            case "namespace" when scope.Namespaces is { Count: > 0 } namespaces:
                foreach (var ns in namespaces)
                    if (!NamespacePatternRegex().IsMatch(ns))
                        throw EksException.InvalidParameter($"The namespace {ns} is not a valid namespace name or prefix pattern.", clusterName: clusterName);
                return new AccessScope("namespace", [.. namespaces]);
            case "namespace":
                throw EksException.InvalidParameter("At least one namespace is required for an access scope of type namespace.", clusterName: clusterName);
            default:
                throw EksException.InvalidParameter("accessScope.type must be cluster or namespace.", clusterName: clusterName);
        }
    }

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::(?<account>\d{12}):(?<kind>user|role)/(?<name>[\w+=,.@\-/]+)$")]
    private static partial Regex PrincipalArnPattern();

    // A namespace name, or a prefix ending in one '*' (team-*).
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$|^[a-z0-9][-a-z0-9]*\*$")]
    private static partial Regex NamespacePatternRegex();
}
