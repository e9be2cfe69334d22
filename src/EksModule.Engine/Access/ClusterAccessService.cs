using System.Net;
using EksModule.Engine.Auth;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace EksModule.Engine.Access;

/// <summary>The EKS access policies, by the short names the cmdlets take.</summary>
public static class AccessPolicyNames
{
    public const string ArnPrefix = "arn:aws:eks::aws:cluster-access-policy/";

    public static readonly IReadOnlyDictionary<string, string> Arns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ClusterAdmin"] = ArnPrefix + "AmazonEKSClusterAdminPolicy",
        ["Admin"] = ArnPrefix + "AmazonEKSAdminPolicy",
        ["Edit"] = ArnPrefix + "AmazonEKSEditPolicy",
        ["View"] = ArnPrefix + "AmazonEKSViewPolicy",
        ["AdminView"] = ArnPrefix + "AmazonEKSAdminViewPolicy",
    };

    public static string ArnOf(string shortName) => Arns[shortName];

    /// <summary>ClusterAdmin for ...AmazonEKSClusterAdminPolicy; the ARN itself for a policy this module has no short name for.</summary>
    public static string ShortName(string arn) => Arns.FirstOrDefault(kv => kv.Value == arn).Key ?? arn;
}

/// <summary>Who may use a cluster, from one source: an EKS access entry or an aws-auth mapping.</summary>
public sealed record ClusterAccessInfo(
    string ClusterName, string PrincipalArn, string Source, string? Username,
    IReadOnlyList<string> KubernetesGroups, IReadOnlyList<AssociatedAccessPolicy> AccessPolicies);

/// <summary>What Grant- or Revoke-EksClusterAccess is asked for.</summary>
public sealed record ClusterAccessRequest(
    string ClusterName, string PrincipalArn, string? PolicyArn, IReadOnlyList<string>? Namespaces,
    IReadOnlyList<string>? KubernetesGroups, string? Username);

/// <summary>The changes a grant or revoke would make (empty when the cluster already is as asked), and how to make them.</summary>
public sealed class AccessChangePlan
{
    internal AccessChangePlan(string source, IReadOnlyList<string> steps, Func<CancellationToken, Task> apply)
        => (Source, Steps, ApplyAsync) = (source, steps, apply);

    /// <summary>AccessEntry or AwsAuth.</summary>
    public string Source { get; }
    public IReadOnlyList<string> Steps { get; }
    public bool HasWork => Steps.Count > 0;
    public Func<CancellationToken, Task> ApplyAsync { get; }
}

/// <summary>
/// Grants, revokes and lists IAM principals' access to a cluster: through EKS access entries when the cluster's
/// authenticationMode allows them (API, API_AND_CONFIG_MAP), else by editing the aws-auth ConfigMap (CONFIG_MAP).
/// Planning only reads, so -WhatIf sends no mutating request; applying re-reads aws-auth and retries on conflicts.
/// </summary>
public sealed class ClusterAccessService
{
    public const string SourceAccessEntry = "AccessEntry";
    public const string SourceAwsAuth = "AwsAuth";
    public const string Masters = "system:masters";
    private const string AwsAuthName = "aws-auth";
    private const string AwsAuthNamespace = "kube-system";

    private readonly AwsSession _session;
    private readonly EksApi _eks;
    private readonly AccessEntryApi _entries;
    private IKubernetes? _kube;

    public ClusterAccessService(AwsSession session)
    {
        _session = session;
        _eks = new EksApi(session);
        _entries = new AccessEntryApi(_eks);
    }

    public string Region => _session.Region;

    public Task<Cluster> DescribeClusterAsync(string clusterName, CancellationToken ct) => _eks.DescribeClusterAsync(clusterName, ct);

    public static bool UsesAccessEntries(Cluster cluster) => AuthenticationMode(cluster) != "CONFIG_MAP";

    /// <summary>EKS reports no accessConfig for clusters made before access entries existed: those use aws-auth only.</summary>
    public static string AuthenticationMode(Cluster cluster) => cluster.AccessConfig?.AuthenticationMode ?? "CONFIG_MAP";

    public static string ValidatePrincipalArn(string principalArn)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(principalArn, @"^arn:aws[a-z\-]*:iam::\d{12}:(user|role)/[\w+=,.@\-/]+$"))
            throw new Clusters.InvalidClusterInputException("InvalidPrincipalArn",
                $"'{principalArn}' is not the ARN of an IAM user or role (arn:aws:iam::<account>:user/<name> or :role/<name>). For an assumed-role session, give its role's ARN.",
                "PrincipalArn");
        return principalArn;
    }

    /// <summary>The username aws-iam-authenticator shows for a principal when none is given (as EKS does for access entries).</summary>
    public static string DefaultUsername(string principalArn)
    {
        var role = principalArn.IndexOf(":role/", StringComparison.Ordinal);
        if (role < 0) return principalArn;
        var account = principalArn[..role].Replace(":iam::", ":sts::", StringComparison.Ordinal);
        return $"{account}:assumed-role/{principalArn[(principalArn.LastIndexOf('/') + 1)..]}/{{{{SessionName}}}}";
    }

    public async Task<AccessChangePlan> PlanGrantAsync(Cluster cluster, ClusterAccessRequest request, CancellationToken ct)
    {
        if (UsesAccessEntries(cluster)) return await PlanGrantEntryAsync(cluster.Name, request, ct).ConfigureAwait(false);

        if (request.Namespaces is { Count: > 0 })
            throw new Clusters.InvalidClusterInputException("NamespaceNeedsAccessEntries", $"Cluster '{cluster.Name}' uses authenticationMode CONFIG_MAP, where access is by Kubernetes group: bind -KubernetesGroup with a RoleBinding in the namespace instead of -Namespace, or switch the cluster to API_AND_CONFIG_MAP.", "Namespace");
        var groups = new List<string>(request.KubernetesGroups ?? Array.Empty<string>());
        if (request.PolicyArn == AccessPolicyNames.ArnOf("ClusterAdmin")) groups.Add(Masters);
        else if (request.PolicyArn is not null && groups.Count == 0)
            throw new Clusters.InvalidClusterInputException("AccessPolicyNeedsGroup", $"Cluster '{cluster.Name}' uses authenticationMode CONFIG_MAP, which has no access policies; only ClusterAdmin maps to a group (system:masters). Pass -KubernetesGroup with a group your RBAC bindings give {AccessPolicyNames.ShortName(request.PolicyArn)} rights.", "AccessPolicy");
        if (groups.Count == 0)
            throw new Clusters.InvalidClusterInputException("NothingToGrant", $"Cluster '{cluster.Name}' uses authenticationMode CONFIG_MAP: pass -AccessPolicy ClusterAdmin or -KubernetesGroup.", "KubernetesGroup");
        var username = request.Username ?? DefaultUsername(request.PrincipalArn);
        return await PlanAwsAuthEditAsync(cluster, request.PrincipalArn,
            section => section.Upsert(request.PrincipalArn, username, groups),
            $"Map {request.PrincipalArn} in ConfigMap kube-system/aws-auth as '{username}' in groups {string.Join(", ", groups.Distinct())}", ct).ConfigureAwait(false);
    }

    public async Task<AccessChangePlan> PlanRevokeAsync(Cluster cluster, ClusterAccessRequest request, CancellationToken ct)
    {
        var principal = request.PrincipalArn;
        if (UsesAccessEntries(cluster))
        {
            var entry = await _entries.TryDescribeAccessEntryAsync(cluster.Name, principal, ct).ConfigureAwait(false);
            if (entry is null) return new AccessChangePlan(SourceAccessEntry, Array.Empty<string>(), _ => Task.CompletedTask);
            if (request.PolicyArn is null)
                return new AccessChangePlan(SourceAccessEntry, new[] { $"Delete the access entry of {principal} from EKS cluster '{cluster.Name}'" },
                    async token =>
                    {
                        try { await _entries.DeleteAccessEntryAsync(cluster.Name, principal, token).ConfigureAwait(false); }
                        catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { }
                    });
            var policies = await _entries.ListAssociatedAccessPoliciesAsync(cluster.Name, principal, ct).ConfigureAwait(false);
            if (policies.All(p => p.PolicyArn != request.PolicyArn)) return new AccessChangePlan(SourceAccessEntry, Array.Empty<string>(), _ => Task.CompletedTask);
            return new AccessChangePlan(SourceAccessEntry,
                new[] { $"Disassociate {AccessPolicyNames.ShortName(request.PolicyArn)} ({request.PolicyArn}) from {principal} in EKS cluster '{cluster.Name}'" },
                async token =>
                {
                    try { await _entries.DisassociateAccessPolicyAsync(cluster.Name, principal, request.PolicyArn, token).ConfigureAwait(false); }
                    catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { }
                });
        }

        List<string>? groups = null;
        if (request.PolicyArn is not null || request.KubernetesGroups is { Count: > 0 })
        {
            groups = new List<string>(request.KubernetesGroups ?? Array.Empty<string>());
            if (request.PolicyArn == AccessPolicyNames.ArnOf("ClusterAdmin")) groups.Add(Masters);
        }
        return await PlanAwsAuthEditAsync(cluster, principal, section => section.Remove(principal, groups),
            groups is null
                ? $"Remove the mapping of {principal} from ConfigMap kube-system/aws-auth"
                : $"Remove groups {string.Join(", ", groups)} from the mapping of {principal} in ConfigMap kube-system/aws-auth", ct).ConfigureAwait(false);
    }

    private async Task<AccessChangePlan> PlanGrantEntryAsync(string clusterName, ClusterAccessRequest request, CancellationToken ct)
    {
        var principal = request.PrincipalArn;
        var steps = new List<string>();
        var actions = new List<Func<CancellationToken, Task>>();
        var entry = await _entries.TryDescribeAccessEntryAsync(clusterName, principal, ct).ConfigureAwait(false);
        var wantedGroups = request.KubernetesGroups?.Distinct(StringComparer.Ordinal).ToList();
        if (entry is null)
        {
            steps.Add($"Create an access entry for {principal} in EKS cluster '{clusterName}'" +
                (request.Username is null ? string.Empty : $" as '{request.Username}'") +
                (wantedGroups is { Count: > 0 } ? $" in groups {string.Join(", ", wantedGroups)}" : string.Empty));
            actions.Add(async token =>
            {
                try
                {
                    await _entries.CreateAccessEntryAsync(clusterName, new CreateAccessEntryRequest
                    {
                        PrincipalArn = principal,
                        KubernetesGroups = wantedGroups is { Count: > 0 } ? wantedGroups : null,
                        Username = request.Username,
                    }, token).ConfigureAwait(false);
                }
                catch (AwsServiceError e) when (e.ErrorCode == "ResourceInUseException")
                {
                    // Made meanwhile (another run, another tool): converge on it.
                }
            });
        }
        else
        {
            var groups = entry.KubernetesGroups.Union(wantedGroups ?? new List<string>(), StringComparer.Ordinal).ToList();
            var usernameChanges = request.Username is not null && request.Username != entry.Username;
            if (groups.Count != entry.KubernetesGroups.Count || usernameChanges)
            {
                steps.Add($"Update the access entry of {principal} in EKS cluster '{clusterName}': " +
                    (usernameChanges ? $"username '{request.Username}' " : string.Empty) + $"groups {string.Join(", ", groups)}");
                actions.Add(token => _entries.UpdateAccessEntryAsync(clusterName, principal, groups, usernameChanges ? request.Username : null, token));
            }
        }

        if (request.PolicyArn is { } policyArn)
        {
            var scope = request.Namespaces is { Count: > 0 } ns
                ? new AccessScope { Type = "namespace", Namespaces = ns.Distinct(StringComparer.Ordinal).ToList() }
                : new AccessScope { Type = "cluster" };
            var associated = entry is null ? null
                : (await _entries.ListAssociatedAccessPoliciesAsync(clusterName, principal, ct).ConfigureAwait(false)).FirstOrDefault(p => p.PolicyArn == policyArn);
            if (associated is null || !SameScope(associated.AccessScope, scope))
            {
                steps.Add($"Associate {AccessPolicyNames.ShortName(policyArn)} ({policyArn}) with {principal} at {DescribeScope(scope)} scope in EKS cluster '{clusterName}'");
                actions.Add(token => _entries.AssociateAccessPolicyAsync(clusterName, principal, policyArn, scope, token));
            }
        }

        return new AccessChangePlan(SourceAccessEntry, steps, async token =>
        {
            foreach (var action in actions) await action(token).ConfigureAwait(false);
        });
    }

    public static string DescribeScope(AccessScope scope)
        => scope.Type == "namespace" ? $"namespace ({string.Join(", ", scope.Namespaces)})" : "cluster";

    private static bool SameScope(AccessScope a, AccessScope b)
        => a.Type == b.Type && a.Namespaces.OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(b.Namespaces.OrderBy(n => n, StringComparer.Ordinal));

    private async Task<AccessChangePlan> PlanAwsAuthEditAsync(Cluster cluster, string principalArn, Func<AwsAuthSection, bool> edit, string step, CancellationToken ct)
    {
        var kube = Kube(cluster);
        var sectionName = AwsAuthSection.SectionFor(principalArn);
        var current = await ReadAwsAuthAsync(kube, ct).ConfigureAwait(false);
        // Edits a parsed copy: planning decides whether there is work, the write redoes the edit on what it reads then.
        if (!edit(AwsAuthSection.Parse(sectionName, SectionText(current, sectionName))))
            return new AccessChangePlan(SourceAwsAuth, Array.Empty<string>(), _ => Task.CompletedTask);
        return new AccessChangePlan(SourceAwsAuth, new[] { step }, token => WriteAwsAuthAsync(kube, sectionName, edit, token));
    }

    private async Task WriteAwsAuthAsync(IKubernetes kube, string sectionName, Func<AwsAuthSection, bool> edit, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var configMap = await ReadAwsAuthAsync(kube, ct).ConfigureAwait(false);
            var exists = configMap is not null;
            configMap ??= new V1ConfigMap { Metadata = new V1ObjectMeta { Name = AwsAuthName, NamespaceProperty = AwsAuthNamespace } };
            configMap.Data ??= new Dictionary<string, string>();
            var section = AwsAuthSection.Parse(sectionName, SectionText(configMap, sectionName));
            if (!edit(section)) return;
            var yaml = section.ToYaml();
            if (yaml.Length == 0) configMap.Data.Remove(sectionName);
            else configMap.Data[sectionName] = yaml;
            try
            {
                // Replace carries the resourceVersion read above, so a concurrent writer's change is never overwritten.
                if (exists) await kube.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, AwsAuthName, AwsAuthNamespace, cancellationToken: ct).ConfigureAwait(false);
                else await kube.CoreV1.CreateNamespacedConfigMapAsync(configMap, AwsAuthNamespace, cancellationToken: ct).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                // Someone else wrote (or created) aws-auth since it was read: read it again and redo the edit.
            }
        }
    }

    private static string? SectionText(V1ConfigMap? configMap, string section)
        => configMap?.Data is { } data && data.TryGetValue(section, out var text) ? text : null;

    private static async Task<V1ConfigMap?> ReadAwsAuthAsync(IKubernetes kube, CancellationToken ct)
    {
        try { return await kube.CoreV1.ReadNamespacedConfigMapAsync(AwsAuthName, AwsAuthNamespace, cancellationToken: ct).ConfigureAwait(false); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    private IKubernetes Kube(Cluster cluster)
    {
        if (_kube is not null) return _kube;
        var tokens = new TokenService(_session);
        return _kube = KubernetesAccess.Create(cluster, token => tokens.MintAsync(cluster.Name, null, token));
    }

    /// <summary>
    /// The principals with access: access entries (API modes) and aws-auth mappings (CONFIG_MAP modes). On an
    /// API_AND_CONFIG_MAP cluster an unreadable aws-auth is reported through <paramref name="warnings"/>, not thrown.
    /// </summary>
    public async Task<IReadOnlyList<ClusterAccessInfo>> GetAsync(Cluster cluster, string? principalArn, IProgress<string>? warnings, CancellationToken ct, string? onlySource = null)
    {
        var result = new List<ClusterAccessInfo>();
        var mode = AuthenticationMode(cluster);
        if (mode != "CONFIG_MAP" && onlySource is null or SourceAccessEntry)
        {
            var principals = principalArn is null
                ? await _entries.ListAccessEntriesAsync(cluster.Name, ct).ConfigureAwait(false)
                : new[] { principalArn };
            foreach (var principal in principals)
            {
                var entry = await _entries.TryDescribeAccessEntryAsync(cluster.Name, principal, ct).ConfigureAwait(false);
                if (entry is null) continue;
                var policies = await _entries.ListAssociatedAccessPoliciesAsync(cluster.Name, principal, ct).ConfigureAwait(false);
                result.Add(new ClusterAccessInfo(cluster.Name, entry.PrincipalArn, SourceAccessEntry, entry.Username, entry.KubernetesGroups, policies));
            }
        }
        if (mode != "API" && onlySource is null or SourceAwsAuth)
        {
            try
            {
                var configMap = await ReadAwsAuthAsync(Kube(cluster), ct).ConfigureAwait(false);
                foreach (var section in new[] { "mapRoles", "mapUsers" })
                    foreach (var mapping in AwsAuthSection.Parse(section, SectionText(configMap, section)).Mappings)
                        if (principalArn is null || mapping.Arn == principalArn)
                            result.Add(new ClusterAccessInfo(cluster.Name, mapping.Arn, SourceAwsAuth, mapping.Username, mapping.Groups, Array.Empty<AssociatedAccessPolicy>()));
            }
            catch (Exception e) when (mode == "API_AND_CONFIG_MAP" && e is HttpOperationException or HttpRequestException)
            {
                warnings?.Report($"Could not read ConfigMap kube-system/aws-auth of cluster '{cluster.Name}' ({ErrorClassifier.Classify(e).Message}); only access entries are listed.");
            }
        }
        return result;
    }
}
