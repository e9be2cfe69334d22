using System.Security.Cryptography;
using System.Text;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Iam;

/// <summary>
/// What a module-managed IAM role is for: who may assume it (an AWS service, or the trust policy document given) and
/// which AWS managed policies it carries (names below arn:aws:iam::aws:policy/, path included). A role with a given
/// trust policy has it converged on rerun; <see cref="RoleArnParameter"/> names the parameter that takes a role of one's own.
/// </summary>
public sealed record RoleSpec(string Component, string Suffix, string? TrustedService, IReadOnlyList<string> ManagedPolicyNames, string Description,
    string RoleArnParameter = "-RoleArn", string? TrustPolicyDocument = null)
{
    public static RoleSpec ClusterRole { get; } = new("cluster-role", "cluster", "eks.amazonaws.com",
        new[] { "AmazonEKSClusterPolicy" }, "EKS cluster role created by EksModule");

    /// <summary>The role EC2 instances of the cluster's managed node groups run as; shared by its node groups.</summary>
    public static RoleSpec NodeRole { get; } = new("node-role", "node", "ec2.amazonaws.com",
        new[] { "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly" }, "EKS node role created by EksModule", "-NodeRoleArn");
}

/// <summary>A planned or finished step on a role, for -WhatIf and verbose output.</summary>
public sealed record RolePlan(string RoleName, bool Exists, IReadOnlyList<string> PolicyArnsToAttach, string? TrustPolicyToSet = null)
{
    public bool HasWork => !Exists || PolicyArnsToAttach.Count > 0 || TrustPolicyToSet is not null;
}

/// <summary>
/// Creates the IAM roles the module manages, idempotently: a rerun finds the role by name, checks it
/// is ours (by tag) and only attaches what is missing.
/// </summary>
public sealed class RoleManager
{
    public const string ClusterTag = "eksmodule:cluster-name";
    public const string ComponentTag = "eksmodule:component";
    private readonly IamApi _iam;
    private readonly string _partition;

    public RoleManager(IamApi iam, string region)
    {
        _iam = iam;
        _partition = PartitionOf(region);
    }

    public static string PartitionOf(string region) => region switch
    {
        _ when region.StartsWith("cn-", StringComparison.Ordinal) => "aws-cn",
        _ when region.StartsWith("us-gov-", StringComparison.Ordinal) => "aws-us-gov",
        _ => "aws",
    };

    /// <summary>IAM role names are at most 64 characters; long cluster names keep a hash so they stay unique.</summary>
    public static string RoleNameFor(string clusterName, RoleSpec spec)
    {
        var name = $"eks-{clusterName}-{spec.Suffix}";
        if (name.Length <= 64) return name;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(clusterName)))[..8].ToLowerInvariant();
        var room = 64 - "eks--".Length - spec.Suffix.Length - hash.Length - 1;
        return $"eks-{clusterName[..room]}-{hash}-{spec.Suffix}";
    }

    public string PolicyArn(string policyName) => $"arn:{_partition}:iam::aws:policy/{policyName}";

    public string TrustPolicy(RoleSpec spec) => spec.TrustPolicyDocument ??
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"" + spec.TrustedService +
        "\"},\"Action\":\"sts:AssumeRole\"}]}";

    /// <summary>Read-only: what EnsureAsync would do.</summary>
    public async Task<RolePlan> PlanAsync(string clusterName, RoleSpec spec, CancellationToken ct)
    {
        var roleName = RoleNameFor(clusterName, spec);
        var wanted = spec.ManagedPolicyNames.Select(PolicyArn).ToList();
        var role = await _iam.TryGetRoleAsync(roleName, ct).ConfigureAwait(false);
        if (role is null) return new RolePlan(roleName, false, wanted);
        await CheckOwnershipAsync(role, clusterName, spec, ct).ConfigureAwait(false);
        var attached = await _iam.ListAttachedRolePolicyArnsAsync(roleName, ct).ConfigureAwait(false);
        var trust = spec.TrustPolicyDocument is { } wantedTrust && !SamePolicy(role.AssumeRolePolicyDocument, wantedTrust) ? wantedTrust : null;
        return new RolePlan(roleName, true, wanted.Except(attached, StringComparer.Ordinal).ToList(), trust);
    }

    public async Task<IamRole> EnsureAsync(string clusterName, RoleSpec spec, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var plan = await PlanAsync(clusterName, spec, ct).ConfigureAwait(false);
        IamRole role;
        if (!plan.Exists)
        {
            var allTags = new Dictionary<string, string>(tags) { [ClusterTag] = clusterName, [ComponentTag] = spec.Component };
            try
            {
                role = await _iam.CreateRoleAsync(plan.RoleName, TrustPolicy(spec), spec.Description, allTags, ct).ConfigureAwait(false);
            }
            catch (AwsServiceError e) when (e.ErrorCode == "EntityAlreadyExists")
            {
                // Created between our read and our write (a parallel run): converge on it.
                role = (await _iam.TryGetRoleAsync(plan.RoleName, ct).ConfigureAwait(false))!;
            }
        }
        else
        {
            role = (await _iam.TryGetRoleAsync(plan.RoleName, ct).ConfigureAwait(false))!;
        }
        if (plan.TrustPolicyToSet is { } trust)
            await _iam.UpdateAssumeRolePolicyAsync(plan.RoleName, trust, ct).ConfigureAwait(false);
        foreach (var arn in plan.PolicyArnsToAttach)
            await _iam.AttachRolePolicyAsync(plan.RoleName, arn, ct).ConfigureAwait(false);
        return role;
    }

    /// <summary>Deletes the role the module made for this cluster; a role it did not make is left alone.</summary>
    public async Task<bool> DeleteAsync(string clusterName, RoleSpec spec, CancellationToken ct)
    {
        var roleName = RoleNameFor(clusterName, spec);
        var role = await _iam.TryGetRoleAsync(roleName, ct).ConfigureAwait(false);
        if (role is null || !IsOurs(role.Tags, clusterName)) return false;
        foreach (var arn in await _iam.ListAttachedRolePolicyArnsAsync(roleName, ct).ConfigureAwait(false))
            await _iam.DetachRolePolicyAsync(roleName, arn, ct).ConfigureAwait(false);
        await _iam.DeleteRoleAsync(roleName, ct).ConfigureAwait(false);
        return true;
    }

    private async Task CheckOwnershipAsync(IamRole role, string clusterName, RoleSpec spec, CancellationToken ct)
    {
        var tags = role.Tags.Count > 0 ? role.Tags : await _iam.ListRoleTagsAsync(role.RoleName, ct).ConfigureAwait(false);
        if (!IsOurs(tags, clusterName))
            throw new Errors.ModuleOperationException("RoleNotOwned", "ResourceExists",
                $"An IAM role named '{role.RoleName}' already exists and was not created by EksModule for cluster '{clusterName}'. " +
                $"Pass its ARN with {spec.RoleArnParameter} to use it, or delete or rename it.");
    }

    /// <summary>Policy documents compared as JSON (IAM may hand back other whitespace or key order than was sent).</summary>
    public static bool SamePolicy(string? current, string wanted)
    {
        if (current is null) return false;
        try { return System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(current), System.Text.Json.Nodes.JsonNode.Parse(wanted)); }
        catch (System.Text.Json.JsonException) { return false; }
    }

    public static bool IsOurs(IReadOnlyDictionary<string, string> tags, string clusterName)
        => tags.TryGetValue(ClusterTag, out var owner) && owner == clusterName;
}
