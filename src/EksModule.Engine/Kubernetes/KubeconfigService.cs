using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;

namespace EksModule.Engine.Kubernetes;

/// <summary>What Update-EksKubeconfig asks for; names left null default to the cluster ARN, as the AWS CLI does.</summary>
public sealed record KubeconfigRequest(string ClusterName, string Path, string HelperPath, string? ContextAlias, string? UserAlias, string? RoleArn, string? ProfileName, bool SetCurrentContext);

/// <summary>The merged file, ready to write (or, under -WhatIf, to show).</summary>
public sealed record KubeconfigPlan(string Path, string Yaml, KubeconfigEntry Entry, bool IsCurrentContext, bool FileExists, string ClusterName, string Region);

/// <summary>Builds and writes kubeconfig entries whose exec runs the module's token helper.</summary>
public sealed class KubeconfigService
{
    private readonly AwsSession _session;
    private readonly EksApi _eks;

    public KubeconfigService(AwsSession session)
    {
        _session = session;
        _eks = new EksApi(session);
    }

    public async Task<KubeconfigPlan> PlanAsync(KubeconfigRequest request, CancellationToken ct)
    {
        var cluster = await _eks.DescribeClusterAsync(request.ClusterName, ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(cluster.Endpoint))
            throw new ModuleOperationException("ClusterEndpointNotReady", "ResourceUnavailable",
                $"Cluster '{cluster.Name}' has no API endpoint yet (status {cluster.Status}). Wait for it (Wait-EksCluster -Name {cluster.Name}), then run Update-EksKubeconfig again.");
        var entry = BuildEntry(cluster, _session.Region, request);
        var existing = File.Exists(request.Path) ? await File.ReadAllTextAsync(request.Path, ct).ConfigureAwait(false) : null;
        var yaml = KubeconfigDocument.Merge(existing, entry, request.SetCurrentContext, out var isCurrent);
        return new KubeconfigPlan(request.Path, yaml, entry, isCurrent, existing is not null, cluster.Name, _session.Region);
    }

    public static void Write(KubeconfigPlan plan) => KubeconfigDocument.WriteAtomic(plan.Path, plan.Yaml);

    public static KubeconfigEntry BuildEntry(Cluster cluster, string region, KubeconfigRequest request)
    {
        var arn = cluster.Arn ?? $"arn:aws:eks:{region}:000000000000:cluster/{cluster.Name}";
        var args = new List<string> { "token", "--cluster-name", cluster.Name, "--region", region };
        if (!string.IsNullOrEmpty(request.RoleArn)) args.AddRange(new[] { "--role-arn", request.RoleArn });
        var env = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(request.ProfileName)) env["AWS_PROFILE"] = request.ProfileName;
        return new KubeconfigEntry(
            ClusterEntryName: arn,
            Server: cluster.Endpoint!,
            CertificateAuthorityData: cluster.CertificateAuthority?.Data,
            UserName: string.IsNullOrEmpty(request.UserAlias) ? arn : request.UserAlias,
            ContextName: string.IsNullOrEmpty(request.ContextAlias) ? arn : request.ContextAlias,
            Exec: new ExecPlugin(request.HelperPath, args, env));
    }
}
