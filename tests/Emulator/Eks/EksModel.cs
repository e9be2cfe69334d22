using System.Text.Json;
using EksEmulator.Kube;

namespace EksEmulator.Eks;

public static class ClusterStatus
{
    public const string Creating = "CREATING", Active = "ACTIVE", Updating = "UPDATING", Deleting = "DELETING";
}

public static class LogTypes
{
    public static readonly string[] All = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
}

public static class AuthenticationModes
{
    // Ordered: a cluster may only move forward along this list, never back to the config map.
    public static readonly string[] Ordered = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"];
}

/// <summary>
/// One EKS cluster. Status is derived from timestamps against the caller's clock, so every read agrees with
/// the configured timings without background timers.
/// </summary>
public sealed class ClusterState
{
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ActiveAt { get; init; }
    /// <summary>Settable: a VersionUpdate moves it when it completes (and /version of the kube-apiserver follows).</summary>
    public required string Version { get; set; }
    public string PlatformVersion { get; set; } = "eks.1";
    public required string RoleArn { get; init; }
    public required List<string> SubnetIds { get; init; }
    public required List<string> SecurityGroupIds { get; init; }
    public required string ClusterSecurityGroupId { get; init; }
    public required string VpcId { get; init; }
    public required bool EndpointPublicAccess { get; set; }
    public required bool EndpointPrivateAccess { get; set; }
    public required List<string> PublicAccessCidrs { get; set; }
    public required string ServiceIpv4Cidr { get; init; }
    public required HashSet<string> EnabledLogTypes { get; set; }
    /// <summary>32 upper-case hex digits shared by the API endpoint host and the OIDC issuer, as in EKS.</summary>
    public required string EndpointId { get; init; }
    public required ClusterCertificateAuthority CertificateAuthority { get; init; }
    public string? ClientRequestToken { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public List<EncryptionConfig>? EncryptionConfig { get; init; }
    public required string AuthenticationMode { get; set; }
    public required bool BootstrapClusterCreatorAdminPermissions { get; init; }

    /// <summary>
    /// CreateCluster's bootstrapSelfManagedAddons (default true): EKS then installs vpc-cni, kube-proxy and coredns as
    /// self-managed workloads. Write-only in the API: the Cluster shape has no such member, so it is never returned.
    /// </summary>
    public required bool BootstrapSelfManagedAddons { get; init; }

    /// <summary>Canonical IAM ARN of whoever called CreateCluster (the assumed role's role ARN for a role session).</summary>
    public required string CreatorArn { get; init; }
    /// <summary>This cluster's TLS kube-apiserver on loopback; started at creation, published once the cluster is ACTIVE.</summary>
    public KubeApiServer? ApiServer { get; set; }
    public KubeObjectStore Objects { get; } = KubeObjectStore.WithDefaultNamespaces();
    /// <summary>Access entries by principal ARN.</summary>
    public SortedDictionary<string, AccessEntryState> AccessEntries { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset? GoneAt { get; set; }
    public List<ClusterUpdate> Updates { get; } = [];
    public SortedDictionary<string, NodegroupState> Nodegroups { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, AddonState> Addons { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// True when a pod without special tolerations could be scheduled: some node is Ready and carries no NoSchedule
    /// or NoExecute taint other than CriticalAddonsOnly (which EKS's system add-ons tolerate).
    /// </summary>
    public bool HasSchedulableNode() => Objects.Run(view => view.List(KubeResources.Nodes, "").Any(node =>
        (node["status"]?["conditions"] as System.Text.Json.Nodes.JsonArray)?.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true
        && !((node["spec"]?["taints"] as System.Text.Json.Nodes.JsonArray) ?? []).Any(t =>
            t?["effect"]?.GetValue<string>() is "NoSchedule" or "NoExecute" && t["key"]?.GetValue<string>() != "CriticalAddonsOnly")));

    public string StatusAt(DateTimeOffset now) =>
        GoneAt is not null ? ClusterStatus.Deleting
        : now < ActiveAt ? ClusterStatus.Creating
        : Updates.Any(u => !u.Applied) ? ClusterStatus.Updating
        : ClusterStatus.Active;

    /// <summary>The loopback address of this cluster's kube-apiserver (EKS would name https://&lt;id&gt;.gr7.&lt;region&gt;.eks.amazonaws.com).</summary>
    public string? Endpoint => ApiServer is null ? null : $"https://127.0.0.1:{ApiServer.Port}";

    /// <summary>Stops the kube-apiserver and drops the CA key once the cluster is gone.</summary>
    public void Release()
    {
        var server = ApiServer;
        ApiServer = null;
        if (server is not null) _ = Task.Run(async () => await server.DisposeAsync());
        CertificateAuthority.Dispose();
    }

    public Logging LoggingResponse() => LoggingResponse(EnabledLogTypes);

    /// <summary>EKS reports logging as one entry for the enabled types and one for the disabled ones.</summary>
    public static Logging LoggingResponse(IReadOnlySet<string> enabledTypes)
    {
        var setups = new List<LogSetup>();
        var enabled = LogTypes.All.Where(enabledTypes.Contains).ToList();
        var disabled = LogTypes.All.Where(t => !enabledTypes.Contains(t)).ToList();
        if (enabled.Count > 0) setups.Add(new LogSetup(enabled, true));
        if (disabled.Count > 0) setups.Add(new LogSetup(disabled, false));
        return new Logging(setups);
    }

    public ClusterResponse ToResponse(DateTimeOffset now)
    {
        var status = StatusAt(now);
        // EKS publishes the endpoint and CA only once the control plane exists.
        var provisioned = status != ClusterStatus.Creating;
        return new ClusterResponse(
            Name, Arn, EpochSeconds(CreatedAt), Version, provisioned ? Endpoint : null, RoleArn,
            new VpcConfigResponse([.. SubnetIds], [.. SecurityGroupIds], ClusterSecurityGroupId, VpcId,
                EndpointPublicAccess, EndpointPrivateAccess, [.. PublicAccessCidrs]),
            new KubernetesNetworkConfigResponse(ServiceIpv4Cidr, null, "ipv4"),
            LoggingResponse(),
            new Identity(new Oidc($"https://oidc.eks.{Region}.amazonaws.com/id/{EndpointId}")),
            status,
            provisioned ? new Certificate(CertificateAuthority.Data) : null,
            ClientRequestToken, PlatformVersion, new Dictionary<string, string>(Tags), EncryptionConfig,
            new Health([]),
            new AccessConfig(AuthenticationMode, BootstrapClusterCreatorAdminPermissions));
    }

    public static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}

/// <summary>An asynchronous cluster change; its effect lands on the cluster when it completes.</summary>
public sealed class ClusterUpdate
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required List<UpdateParam> Params { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset CompletesAt { get; init; }
    public string? ClientRequestToken { get; init; }
    public required Action<ClusterState> Apply { get; init; }
    public bool Applied { get; set; }
    /// <summary>Set when an injected failure makes this update end Failed: its effect never lands.</summary>
    public ErrorDetail? Failure { get; init; }
    /// <summary>Runs when the update ends Failed (e.g. an add-on goes to UPDATE_FAILED).</summary>
    public Action<ClusterState>? OnFailure { get; init; }

    /// <summary>Called once the update is due: applies it, or records its failure.</summary>
    public void Complete(ClusterState cluster)
    {
        if (Failure is null) Apply(cluster);
        else OnFailure?.Invoke(cluster);
        Applied = true;
    }

    public UpdateResponse ToResponse() =>
        new(Id, !Applied ? "InProgress" : Failure is null ? "Successful" : "Failed", Type, Params, ClusterState.EpochSeconds(CreatedAt),
            Applied && Failure is not null ? [Failure] : []);
}

public sealed class NodegroupState
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string ClusterName { get; init; }
    public required string Version { get; set; }
    public required string ReleaseVersion { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ActiveAt { get; init; }
    public DateTimeOffset ModifiedAt { get; set; }
    public required string CapacityType { get; init; }
    public required ScalingConfig ScalingConfig { get; set; }
    public required List<string> InstanceTypes { get; init; }
    public required List<string> Subnets { get; init; }
    public JsonElement? RemoteAccess { get; init; }
    public required string AmiType { get; init; }
    public required string NodeRole { get; init; }
    public required Dictionary<string, string> Labels { get; init; }
    public List<Taint>? Taints { get; init; }
    public int? DiskSize { get; init; }
    public string? ClientRequestToken { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public LaunchTemplateSpecification? LaunchTemplate { get; init; }
    public required NodegroupUpdateConfig UpdateConfig { get; set; }
    /// <summary>The Auto Scaling group in moto that runs the node group's instances, and its launch template.</summary>
    public required string AutoScalingGroupName { get; init; }
    public required string LaunchTemplateId { get; init; }
    public DateTimeOffset? GoneAt { get; set; }
    /// <summary>Node group updates; <see cref="ClusterUpdate.Apply"/> closes over this node group.</summary>
    public List<ClusterUpdate> Updates { get; } = [];

    public string StatusAt(DateTimeOffset now) =>
        GoneAt is not null ? "DELETING"
        : now < ActiveAt ? "CREATING"
        : Updates.Any(u => !u.Applied) ? "UPDATING"
        : "ACTIVE";

    public NodegroupResponse ToResponse(DateTimeOffset now) => new(
        Name, Arn, ClusterName, Version, ReleaseVersion, ClusterState.EpochSeconds(CreatedAt), ClusterState.EpochSeconds(ModifiedAt),
        StatusAt(now), CapacityType, ScalingConfig, [.. InstanceTypes], [.. Subnets], RemoteAccess, AmiType, NodeRole,
        new Dictionary<string, string>(Labels), Taints, new NodegroupResources([new AutoScalingGroupName(AutoScalingGroupName)], null), DiskSize, new Health([]),
        UpdateConfig, LaunchTemplate, new Dictionary<string, string>(Tags));
}

/// <summary>An EKS add-on on one cluster; its updates carry version and configuration changes.</summary>
public sealed class AddonState
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string ClusterName { get; init; }
    public required string Version { get; set; }
    /// <summary>Its workload is a Deployment (coredns, ...), whose replicas need a node; DaemonSets are healthy with none.</summary>
    public bool NeedsNodes { get; init; }
    public string? ServiceAccountRoleArn { get; set; }
    public string? ConfigurationValues { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ActiveAt { get; init; }
    public DateTimeOffset ModifiedAt { get; set; }
    public string? ClientRequestToken { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public DateTimeOffset? GoneAt { get; set; }
    /// <summary>The last update ended Failed (EKS then reports UPDATE_FAILED until the next update).</summary>
    public bool LastUpdateFailed { get; set; }
    public List<ClusterUpdate> Updates { get; } = [];

    /// <summary>
    /// The add-on's status. One that needs nodes is DEGRADED (InsufficientNumberOfReplicas) once created while no node
    /// can take its pods, as EKS reports coredns on a cluster without nodes, and ACTIVE as soon as one can.
    /// </summary>
    public string StatusAt(DateTimeOffset now, bool schedulable) =>
        GoneAt is not null ? "DELETING"
        : now < ActiveAt ? "CREATING"
        : Updates.Any(u => !u.Applied) ? "UPDATING"
        : LastUpdateFailed ? "UPDATE_FAILED"
        : NeedsNodes && !schedulable ? "DEGRADED"
        : "ACTIVE";

    public const string InsufficientReplicasMessage = "The add-on is unhealthy because it doesn't have the desired number of replicas.";

    public AddonResponse ToResponse(DateTimeOffset now, bool schedulable)
    {
        var status = StatusAt(now, schedulable);
        List<AddonIssue> issues = status == "DEGRADED" ? [new("InsufficientNumberOfReplicas", InsufficientReplicasMessage, [])] : [];
        return new(Name, ClusterName, status, Version, new AddonHealth(issues), Arn, ClusterState.EpochSeconds(CreatedAt),
            ClusterState.EpochSeconds(ModifiedAt), ServiceAccountRoleArn, new Dictionary<string, string>(Tags), "eks", "aws", ConfigurationValues);
    }
}
