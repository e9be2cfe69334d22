namespace EksEmulator.Eks;

/// <summary>The EKS access policies (arn:aws:eks::aws:cluster-access-policy/NAME) the emulator knows and enforces.</summary>
public static class AccessPolicies
{
    public const string ArnPrefix = "arn:aws:eks::aws:cluster-access-policy/";
    public const string ClusterAdmin = ArnPrefix + "AmazonEKSClusterAdminPolicy";
    public const string Admin = ArnPrefix + "AmazonEKSAdminPolicy";
    public const string Edit = ArnPrefix + "AmazonEKSEditPolicy";
    public const string View = ArnPrefix + "AmazonEKSViewPolicy";
    public const string AdminView = ArnPrefix + "AmazonEKSAdminViewPolicy";

    public static readonly string[] All = [Admin, ClusterAdmin, Edit, View, AdminView];

    public static string NameOf(string arn) => arn[ArnPrefix.Length..];
}

public static class AccessEntryTypes
{
    public const string Standard = "STANDARD";
    public static readonly string[] All = [Standard, "FARGATE_LINUX", "EC2_LINUX", "EC2_WINDOWS", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"];
}

/// <summary>An access entry: which IAM principal may use the cluster, as whom, in which groups, with which policies.</summary>
public sealed class AccessEntryState
{
    public required string PrincipalArn { get; init; }
    public required string Arn { get; init; }
    public required string ClusterName { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ModifiedAt { get; set; }
    public required List<string> KubernetesGroups { get; set; }
    public required string Username { get; set; }
    public required string Type { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public string? ClientRequestToken { get; init; }
    public SortedDictionary<string, AssociatedPolicyState> Policies { get; } = new(StringComparer.Ordinal);

    public AccessEntryResponse ToResponse() => new(
        ClusterName, PrincipalArn, [.. KubernetesGroups], Arn, ClusterState.EpochSeconds(CreatedAt),
        ClusterState.EpochSeconds(ModifiedAt), new Dictionary<string, string>(Tags), Username, Type);
}

public sealed class AssociatedPolicyState
{
    public required string PolicyArn { get; init; }
    public required AccessScope Scope { get; set; }
    public required DateTimeOffset AssociatedAt { get; init; }
    public DateTimeOffset ModifiedAt { get; set; }

    public AssociatedAccessPolicyResponse ToResponse() =>
        new(PolicyArn, Scope, ClusterState.EpochSeconds(AssociatedAt), ClusterState.EpochSeconds(ModifiedAt));
}
