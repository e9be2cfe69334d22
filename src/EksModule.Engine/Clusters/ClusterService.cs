using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.Iam;
using EksModule.Engine.Network;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Clusters;

/// <summary>
/// The cluster lifecycle as steps a cmdlet can put ShouldProcess around: read-only planning first,
/// then each mutation on its own, then the waits.
/// </summary>
public sealed class ClusterService
{
    private readonly AwsSession _session;
    private readonly Waiter _waiter;

    private RoleManager? _roles;
    private NetworkBuilder? _network;

    public ClusterService(AwsSession session, Waiter? waiter = null)
    {
        _session = session;
        _waiter = waiter ?? new Waiter();
        Eks = new EksApi(session);
    }

    public EksApi Eks { get; }

    // IAM and EC2 clients are made on first use: reading clusters needs neither, and each client
    // costs start-up time (AWSSDK.EC2 alone is a large assembly to load).
    public RoleManager Roles => _roles ??= new RoleManager(new IamApi(_session), _session.Region);
    public NetworkBuilder Network => _network ??= new NetworkBuilder(_session.Ec2);
    public PrivateEndpointBuilder Endpoints => new(_session.Ec2, _session.Region);
    public string Region => _session.Region;

    /// <summary>Clusters whose names match any of the patterns (wildcards allowed); unmatched literal names are reported.</summary>
    public async Task<IReadOnlyList<Cluster>> GetAsync(IReadOnlyList<string>? names, Action<string> reportMissing, CancellationToken ct)
    {
        var wanted = new List<string>();
        if (names is null || names.Count == 0 || names.Any(HasWildcard))
        {
            var all = await Eks.ListClustersAsync(ct).ConfigureAwait(false);
            if (names is null || names.Count == 0) wanted.AddRange(all);
            else wanted.AddRange(all.Where(n => names.Any(p => WildcardMatch(p, n))));
        }
        if (names is not null)
            foreach (var literal in names.Where(n => !HasWildcard(n)))
                if (!wanted.Contains(literal, StringComparer.Ordinal)) wanted.Add(literal);

        var clusters = new List<Cluster>();
        foreach (var name in wanted.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.OrdinalIgnoreCase))
        {
            var cluster = await Eks.TryDescribeClusterAsync(name, ct).ConfigureAwait(false);
            if (cluster is null) reportMissing(name);
            else clusters.Add(cluster);
        }
        return clusters;
    }

    public static bool HasWildcard(string pattern) => pattern.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public static bool WildcardMatch(string pattern, string value)
    {
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".").Replace("\\[", "[") + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(value, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    /// <summary>
    /// CreateCluster. A role made moments ago may not yet be usable by EKS (IAM is eventually
    /// consistent), so that one error is retried for a short while when we just created the role.
    /// </summary>
    public async Task<Cluster> CreateAsync(CreateClusterRequest request, bool roleJustCreated, IProgress<string>? log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(roleJustCreated ? 90 : 0);
        while (true)
        {
            try
            {
                return await Eks.CreateClusterAsync(request, ct).ConfigureAwait(false);
            }
            catch (AwsServiceError e) when (e.ErrorCode == "InvalidParameterException" && roleJustCreated
                && e.Message.Contains("role", StringComparison.OrdinalIgnoreCase) && DateTime.UtcNow < deadline)
            {
                log?.Report($"EKS cannot use the new role yet ({e.Message}); retrying while IAM propagates.");
                await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            }
        }
    }

    public async Task<Cluster> WaitForActiveAsync(string name, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        Cluster? last = null;
        await _waiter.WaitAsync("Waiting for EKS cluster to become ACTIVE", $"Cluster {name}", async token =>
        {
            last = await Eks.DescribeClusterAsync(name, token).ConfigureAwait(false);
            return last.Status switch
            {
                "ACTIVE" => PollResult.Finished("ACTIVE"),
                "FAILED" => PollResult.Failed("FAILED", $"Cluster {name} failed: " + DescribeHealth(last)),
                "DELETING" => PollResult.Failed("DELETING", $"Cluster {name} is being deleted, so it will not become ACTIVE."),
                var s => PollResult.Pending(s ?? "UNKNOWN"),
            };
        }, WaitOptions.ForEks(timeout), progress, ct).ConfigureAwait(false);
        return last!;
    }

    public Task WaitForDeletionAsync(string name, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
        => _waiter.WaitAsync("Waiting for EKS cluster to be deleted", $"Cluster {name}", async token =>
        {
            var cluster = await Eks.TryDescribeClusterAsync(name, token).ConfigureAwait(false);
            return cluster is null ? PollResult.Finished("DELETED")
                : cluster.Status == "FAILED" ? PollResult.Failed("FAILED", $"Deleting cluster {name} failed: " + DescribeHealth(cluster))
                : PollResult.Pending(cluster.Status ?? "UNKNOWN");
        }, WaitOptions.ForEks(timeout), progress, ct);

    /// <summary>Other clusters whose VPC or subnets are these (a VPC must not be deleted under them).</summary>
    public async Task<IReadOnlyList<string>> ClustersUsingNetworkAsync(string vpcId, IReadOnlyList<string> subnetIds, string exceptCluster, CancellationToken ct)
    {
        var users = new List<string>();
        foreach (var name in await Eks.ListClustersAsync(ct).ConfigureAwait(false))
        {
            if (name == exceptCluster) continue;
            var cluster = await Eks.TryDescribeClusterAsync(name, ct).ConfigureAwait(false);
            var config = cluster?.ResourcesVpcConfig;
            if (config is null) continue;
            if (config.VpcId == vpcId || config.SubnetIds.Intersect(subnetIds, StringComparer.Ordinal).Any()) users.Add(name);
        }
        return users;
    }

    private static string DescribeHealth(Cluster cluster) =>
        cluster.Health?.Issues is { Count: > 0 } issues
            ? string.Join("; ", issues.Select(i => $"{i.Code}: {i.Message}"))
            : "EKS gave no reason; see the cluster's health in the console or with Get-EksCluster.";
}
