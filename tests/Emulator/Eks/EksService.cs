using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EksEmulator.Iam;
using EksEmulator.Kube;
using EksEmulator.Moto;

namespace EksEmulator.Eks;

/// <summary>The EKS operations: validation as EKS documents it, state changes, and the resources EKS owns in EC2.</summary>
public sealed partial class EksService(EksStore store, MotoClient moto, LifecycleTimings timings, AwsCredentialBook credentials, KubeApiHost kubeApiHost,
    Control.UpdateFailureInjector updateFailures)
{
    public const string AccountId = "123456789012";
    public static readonly string[] SupportedVersions = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"];
    public const string DefaultVersion = "1.34";

    // ---- clusters ----

    public async Task<ClusterResponse> CreateClusterAsync(string region, string? callerAccessKeyId, CreateClusterRequest request, CancellationToken cancel)
    {
        // The creator is whoever signed the request; EKS makes it the cluster's first administrator.
        var callerArn = await credentials.CallerArnAsync(callerAccessKeyId ?? AwsCredentialBook.DefaultAccessKeyId, cancel);
        var creator = IamPrincipal.FromCallerArn(callerArn, callerAccessKeyId ?? "")
            ?? throw EksException.InvalidRequest($"The caller {callerArn} is not an IAM principal that can administer a cluster.");
        return await store.RunAsync(async view =>
        {
            var name = ValidateName(request.Name, "cluster", 100);
            if (view.Find(region, name) is { } existing)
            {
                // A retry with the same token is the same request: answer as the first time did.
                if (request.ClientRequestToken is not null && request.ClientRequestToken == existing.ClientRequestToken)
                    return existing.ToResponse(view.Now);
                throw EksException.ResourceInUse($"Cluster already exists with name: {name}", clusterName: name);
            }

            var version = request.Version ?? DefaultVersion;
            if (!SupportedVersions.Contains(version))
                throw EksException.InvalidParameter("unsupported Kubernetes version", clusterName: name);
            if (string.IsNullOrEmpty(request.RoleArn))
                throw EksException.InvalidParameter("roleArn is required.", clusterName: name);
            var vpcConfig = request.ResourcesVpcConfig
                ?? throw EksException.InvalidParameter("resourcesVpcConfig is required.", clusterName: name);
            var enabledLogs = ApplyLogging([], request.Logging, name);
            var (publicAccess, privateAccess, cidrs) = ValidateEndpointAccess(
                vpcConfig.EndpointPublicAccess ?? true, vpcConfig.EndpointPrivateAccess ?? false, vpcConfig.PublicAccessCidrs ?? ["0.0.0.0/0"], name);
            var serviceCidr = ValidateServiceCidr(request.KubernetesNetworkConfig, name);
            var authenticationMode = ValidateAuthenticationMode(request.AccessConfig?.AuthenticationMode ?? "API_AND_CONFIG_MAP", name);
            ValidateEncryption(request.EncryptionConfig, name);
            ValidateTags(request.Tags, msg => EksException.InvalidParameter(msg, clusterName: name));

            var subnets = await ResolveSubnetsAsync(region, vpcConfig.SubnetIds ?? [], name, cancel);
            if (subnets.Select(s => s.AvailabilityZone).Distinct().Count() < 2)
                throw EksException.InvalidParameter("Subnets specified must be in at least two different AZs", clusterName: name);
            var vpcId = subnets[0].VpcId;
            if (subnets.Any(s => s.VpcId != vpcId))
                throw EksException.InvalidParameter("Subnets specified must belong to the same VPC.", clusterName: name);
            var securityGroupIds = vpcConfig.SecurityGroupIds ?? [];
            await ValidateSecurityGroupsAsync(region, securityGroupIds, vpcId, name, cancel);
            if (!await moto.RoleExistsAsync(request.RoleArn, cancel))
                throw EksException.InvalidParameter($"Role with arn: {request.RoleArn}, could not be found.", clusterName: name);

            var clusterSecurityGroupId = await moto.CreateSecurityGroupAsync(region, vpcId,
                $"eks-cluster-sg-{name}-{RandomNumberGenerator.GetInt32(1_000_000_000, int.MaxValue)}",
                "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
                new Dictionary<string, string> { [$"kubernetes.io/cluster/{name}"] = "owned" }, cancel);

            var cluster = new ClusterState
            {
                Region = region,
                Name = name,
                Arn = $"arn:aws:eks:{region}:{AccountId}:cluster/{name}",
                CreatedAt = view.Now,
                ActiveAt = view.Now + timings.Create,
                Version = version,
                RoleArn = request.RoleArn,
                SubnetIds = [.. vpcConfig.SubnetIds!],
                SecurityGroupIds = [.. securityGroupIds],
                ClusterSecurityGroupId = clusterSecurityGroupId,
                VpcId = vpcId,
                EndpointPublicAccess = publicAccess,
                EndpointPrivateAccess = privateAccess,
                PublicAccessCidrs = cidrs,
                ServiceIpv4Cidr = serviceCidr,
                EnabledLogTypes = enabledLogs,
                EndpointId = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
                CertificateAuthority = ClusterCertificateAuthority.Create(view.Now),
                ClientRequestToken = request.ClientRequestToken,
                Tags = request.Tags is null ? [] : new(request.Tags),
                EncryptionConfig = request.EncryptionConfig,
                AuthenticationMode = authenticationMode,
                BootstrapClusterCreatorAdminPermissions = request.AccessConfig?.BootstrapClusterCreatorAdminPermissions ?? true,
                BootstrapSelfManagedAddons = request.BootstrapSelfManagedAddons ?? true,
                CreatorArn = creator.CanonicalArn,
            };
            KubeStorageClasses.SeedEksDefaults(cluster.Objects, version, view.Now);
            if (cluster.BootstrapClusterCreatorAdminPermissions && authenticationMode != "CONFIG_MAP")
                AddCreatorAccessEntry(cluster, view.Now);
            cluster.ApiServer = await kubeApiHost.StartAsync(cluster, view.Now, cancel);
            view.Add(cluster);
            return cluster.ToResponse(view.Now);
        }, cancel);
    }

    public Task<ClusterResponse> DescribeClusterAsync(string region, string name, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(view.Get(region, name).ToResponse(view.Now)), cancel);

    public Task<(List<string> Names, string? NextToken)> ListClustersAsync(string region, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(Page(view.InRegion(region).Select(c => c.Name).ToList(), maxResults, nextToken)), cancel);

    public Task<ClusterResponse> DeleteClusterAsync(string region, string name, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var cluster = view.Get(region, name);
            if (cluster.Nodegroups.Count > 0)
                throw EksException.ResourceInUse("Cluster has nodegroups attached", clusterName: name);
            if (cluster.GoneAt is null)
            {
                cluster.GoneAt = view.Now + timings.Delete;
                await DeleteClusterSecurityGroupAsync(cluster, cancel);
            }

            return cluster.ToResponse(view.Now);
        }, cancel);

    // ---- updates ----

    public Task<UpdateResponse> UpdateClusterConfigAsync(string region, string name, UpdateClusterConfigRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, name);
            if (request.ClientRequestToken is not null
                && cluster.Updates.FirstOrDefault(u => u.ClientRequestToken == request.ClientRequestToken) is { } repeated)
                return Task.FromResult(repeated.ToResponse());

            var status = cluster.StatusAt(view.Now);
            if (status == ClusterStatus.Updating)
                throw EksException.ResourceInUse($"Cannot update cluster {name} because an update is already in progress.", clusterName: name);
            if (status != ClusterStatus.Active)
                throw EksException.ResourceInUse($"Cluster {name} is in {status} state; it must be ACTIVE to be updated.", clusterName: name);

            var requested = new object?[] { request.Logging, request.ResourcesVpcConfig, request.AccessConfig }.Count(x => x is not null);
            if (requested == 0) throw EksException.InvalidParameter("No changes were specified for the cluster.", clusterName: name);
            if (requested > 1) throw EksException.InvalidParameter("Only one type of update can be allowed.", clusterName: name);

            var (type, parameters, apply) =
                request.Logging is not null ? PlanLoggingUpdate(cluster, request.Logging)
                : request.ResourcesVpcConfig is not null ? PlanEndpointAccessUpdate(cluster, request.ResourcesVpcConfig)
                : PlanAccessConfigUpdate(cluster, request.AccessConfig!);

            var update = new ClusterUpdate
            {
                Id = Guid.NewGuid().ToString(),
                Type = type,
                Params = parameters,
                CreatedAt = view.Now,
                CompletesAt = view.Now + timings.Update,
                ClientRequestToken = request.ClientRequestToken,
                Apply = apply,
            };
            cluster.Updates.Add(update);
            return Task.FromResult(update.ToResponse());
        }, cancel);

    public Task<UpdateResponse> DescribeUpdateAsync(string region, string name, string updateId, string? nodegroupName, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, name);
            var updates = nodegroupName is null ? cluster.Updates : GetNodegroup(cluster, nodegroupName).Updates;
            var update = updates.FirstOrDefault(u => u.Id == updateId);
            return Task.FromResult((update ?? throw EksException.UpdateNotFound(name, updateId)).ToResponse());
        }, cancel);

    public Task<(List<string> Ids, string? NextToken)> ListUpdatesAsync(string region, string name, string? nodegroupName, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, name);
            var ids = (nodegroupName is null ? cluster.Updates : GetNodegroup(cluster, nodegroupName).Updates).Select(u => u.Id).ToList();
            return Task.FromResult(Page(ids, maxResults, nextToken));
        }, cancel);

    private static (string, List<UpdateParam>, Action<ClusterState>) PlanLoggingUpdate(ClusterState cluster, Logging logging)
    {
        var enabled = ApplyLogging(cluster.EnabledLogTypes, logging, cluster.Name);
        if (enabled.SetEquals(cluster.EnabledLogTypes))
            throw EksException.InvalidParameter("No changes needed for the logging config provided", clusterName: cluster.Name);
        return ("LoggingUpdate",
            [new UpdateParam("ClusterLogging", JsonSerializer.Serialize(ClusterState.LoggingResponse(enabled), EksJson.Options))],
            c => c.EnabledLogTypes = enabled);
    }

    private static (string, List<UpdateParam>, Action<ClusterState>) PlanEndpointAccessUpdate(ClusterState cluster, VpcConfigRequest request)
    {
        if (request.SubnetIds is not null || request.SecurityGroupIds is not null)
            throw EksException.InvalidParameter("Changing subnetIds or securityGroupIds is not supported by this emulator.", clusterName: cluster.Name);
        var (publicAccess, privateAccess, cidrs) = ValidateEndpointAccess(
            request.EndpointPublicAccess ?? cluster.EndpointPublicAccess,
            request.EndpointPrivateAccess ?? cluster.EndpointPrivateAccess,
            request.PublicAccessCidrs ?? cluster.PublicAccessCidrs,
            cluster.Name);
        if (publicAccess == cluster.EndpointPublicAccess && privateAccess == cluster.EndpointPrivateAccess && cidrs.SequenceEqual(cluster.PublicAccessCidrs))
            throw EksException.InvalidParameter(
                $"Cluster is already at the desired configuration with endpointPrivateAccess: {Lower(privateAccess)} , endpointPublicAccess: {Lower(publicAccess)}, and Public Endpoint Restrictions: [{string.Join(", ", cidrs)}]",
                clusterName: cluster.Name);

        var parameters = new List<UpdateParam>
        {
            new("EndpointPublicAccess", Lower(publicAccess)),
            new("EndpointPrivateAccess", Lower(privateAccess)),
        };
        if (request.PublicAccessCidrs is not null) parameters.Add(new("PublicAccessCidrs", JsonSerializer.Serialize(cidrs)));
        return ("EndpointAccessUpdate", parameters, c =>
        {
            c.EndpointPublicAccess = publicAccess;
            c.EndpointPrivateAccess = privateAccess;
            c.PublicAccessCidrs = cidrs;
        });
    }

    private static (string, List<UpdateParam>, Action<ClusterState>) PlanAccessConfigUpdate(ClusterState cluster, AccessConfig request)
    {
        if (request.AuthenticationMode is null)
            throw EksException.InvalidParameter("accessConfig.authenticationMode is required.", clusterName: cluster.Name);
        var mode = ValidateAuthenticationMode(request.AuthenticationMode, cluster.Name);
        var from = Array.IndexOf(AuthenticationModes.Ordered, cluster.AuthenticationMode);
        var to = Array.IndexOf(AuthenticationModes.Ordered, mode);
        if (to == from)
            throw EksException.InvalidParameter($"Cluster already has authentication mode {mode}.", clusterName: cluster.Name);
        if (to < from)
            throw EksException.InvalidParameter($"Unsupported authentication mode update from {cluster.AuthenticationMode} to {mode}", clusterName: cluster.Name);
        return ("AccessConfigUpdate", [new UpdateParam("AuthenticationMode", mode)], c =>
        {
            // Leaving CONFIG_MAP turns the creator's hidden admin binding into a visible access entry, as EKS does.
            if (c.AuthenticationMode == "CONFIG_MAP" && c.BootstrapClusterCreatorAdminPermissions && !c.AccessEntries.ContainsKey(c.CreatorArn))
                AddCreatorAccessEntry(c, DateTimeOffset.UtcNow);
            c.AuthenticationMode = mode;
        });
    }

    // ---- tags ----

    public Task<Dictionary<string, string>> ListTagsAsync(string region, string resourceArn, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(new Dictionary<string, string>(FindTags(view, region, resourceArn))), cancel);

    public Task TagResourceAsync(string region, string resourceArn, Dictionary<string, string>? tags, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var current = FindTags(view, region, resourceArn);
            if (tags is not { Count: > 0 }) throw EksException.BadRequest("tags must contain at least one tag.");
            var merged = new Dictionary<string, string>(current);
            foreach (var (key, value) in tags) merged[key] = value;
            ValidateTags(merged, EksException.BadRequest);
            foreach (var (key, value) in tags) current[key] = value;
            return Task.FromResult(true);
        }, cancel);

    public Task UntagResourceAsync(string region, string resourceArn, IEnumerable<string> tagKeys, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var current = FindTags(view, region, resourceArn);
            var keys = tagKeys.ToList();
            if (keys.Count == 0) throw EksException.BadRequest("tagKeys must name at least one tag key.");
            foreach (var key in keys) current.Remove(key);
            return Task.FromResult(true);
        }, cancel);

    private static Dictionary<string, string> FindTags(EksStore.StoreView view, string region, string resourceArn)
    {
        var match = ResourceArnPattern().Match(resourceArn);
        if (!match.Success) throw EksException.BadRequest($"{resourceArn} is not a valid EKS resource ARN.");
        if (match.Groups["region"].Value == region && match.Groups["account"].Value == AccountId
            && view.Find(region, match.Groups["cluster"].Value) is { } cluster)
        {
            if (match.Groups["kind"].Value == "cluster" && cluster.Arn == resourceArn) return cluster.Tags;
            var nodegroup = cluster.Nodegroups.Values.FirstOrDefault(n => n.Arn == resourceArn);
            if (nodegroup is not null) return nodegroup.Tags;
        }

        throw EksException.NotFound($"Resource {resourceArn} was not found.");
    }

    // ---- shared validation ----

    private static string ValidateName(string? name, string kind, int maxLength, string? clusterName = null)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || !NamePattern().IsMatch(name))
        {
            var message = $"The {kind} name '{name}' is invalid: it must be 1-{maxLength} characters, start with a letter or digit, and contain only letters, digits, hyphens and underscores.";
            throw kind == "cluster"
                ? EksException.InvalidParameter(message, clusterName: name)
                : EksException.InvalidParameter(message, clusterName, name);
        }

        return name;
    }

    private static HashSet<string> ApplyLogging(IEnumerable<string> current, Logging? logging, string clusterName)
    {
        var enabled = new HashSet<string>(current, StringComparer.Ordinal);
        foreach (var setup in logging?.ClusterLogging ?? [])
        {
            foreach (var type in setup.Types ?? [])
            {
                if (!LogTypes.All.Contains(type))
                    throw EksException.InvalidParameter($"Invalid log type: {type}. Valid types are: {string.Join(", ", LogTypes.All)}", clusterName: clusterName);
                if (setup.Enabled == true) enabled.Add(type);
                else enabled.Remove(type);
            }
        }

        return enabled;
    }

    private static (bool Public, bool Private, List<string> Cidrs) ValidateEndpointAccess(bool publicAccess, bool privateAccess, List<string> cidrs, string clusterName)
    {
        if (!publicAccess && !privateAccess)
            throw EksException.InvalidParameter("Public and private endpoint access cannot both be disabled.", clusterName: clusterName);
        if (cidrs.Count == 0)
            throw EksException.InvalidParameter("publicAccessCidrs must contain at least one CIDR block.", clusterName: clusterName);
        foreach (var cidr in cidrs)
            if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw EksException.InvalidParameter($"The following CIDRs are invalid in publicAccessCidrs: [{cidr}]", clusterName: clusterName);
        return (publicAccess, privateAccess, [.. cidrs]);
    }

    private static string ValidateServiceCidr(KubernetesNetworkConfigRequest? config, string clusterName)
    {
        if (config?.IpFamily is not null and not "ipv4")
            throw EksException.InvalidParameter($"ipFamily {config.IpFamily} is not supported by this emulator; use ipv4.", clusterName: clusterName);
        var cidr = config?.ServiceIpv4Cidr ?? "172.20.0.0/16";
        // EKS requires an RFC 1918 block between /12 and /24.
        string[] privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
        if (!IPNetwork.TryParse(cidr, out var network) || network.PrefixLength is < 12 or > 24
            || !privateRanges.Any(r => IPNetwork.Parse(r).Contains(network.BaseAddress)))
            throw EksException.InvalidParameter($"The specified serviceIpv4Cidr {cidr} is invalid: it must be a private (RFC 1918) block with a prefix length between /12 and /24.", clusterName: clusterName);
        return network.ToString();
    }

    private static string ValidateAuthenticationMode(string mode, string clusterName) =>
        AuthenticationModes.Ordered.Contains(mode)
            ? mode
            : throw EksException.InvalidParameter($"Unsupported authentication mode: {mode}", clusterName: clusterName);

    private static void ValidateEncryption(List<EncryptionConfig>? configs, string clusterName)
    {
        if (configs is null) return;
        if (configs.Count > 1)
            throw EksException.InvalidParameter("Only one encryption config can be specified.", clusterName: clusterName);
        foreach (var config in configs)
        {
            if (config.Resources is not ["secrets"])
                throw EksException.InvalidParameter("The only supported encryption resource is secrets.", clusterName: clusterName);
            if (string.IsNullOrEmpty(config.Provider?.KeyArn))
                throw EksException.InvalidParameter("encryptionConfig provider keyArn is required.", clusterName: clusterName);
        }
    }

    private static void ValidateTags(Dictionary<string, string>? tags, Func<string, EksException> error)
    {
        if (tags is null) return;
        if (tags.Count > 50) throw error("A resource can have at most 50 tags.");
        foreach (var (key, value) in tags)
        {
            if (key.Length is < 1 or > 128) throw error($"Tag key '{key}' must be 1-128 characters.");
            if (value.Length > 256) throw error($"Tag value for key '{key}' must be at most 256 characters.");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw error($"Tag keys starting with 'aws:' are reserved: {key}");
        }
    }

    private async Task<IReadOnlyList<SubnetInfo>> ResolveSubnetsAsync(string region, List<string> subnetIds, string clusterName, CancellationToken cancel, string? nodegroupName = null)
    {
        if (subnetIds.Count == 0)
            throw EksException.InvalidParameter("Subnets specified must be in at least two different AZs", clusterName, nodegroupName);
        var found = await moto.DescribeSubnetsAsync(region, subnetIds.Distinct(), cancel);
        var missing = subnetIds.FirstOrDefault(id => found.All(s => s.SubnetId != id));
        if (missing is not null)
            throw EksException.InvalidParameter($"The subnet ID '{missing}' does not exist", clusterName, nodegroupName);
        return found;
    }

    private async Task ValidateSecurityGroupsAsync(string region, List<string> groupIds, string vpcId, string clusterName, CancellationToken cancel)
    {
        if (groupIds.Count == 0) return;
        var found = await moto.DescribeSecurityGroupsAsync(region, groupIds.Distinct(), cancel);
        foreach (var id in groupIds)
        {
            var group = found.FirstOrDefault(g => g.GroupId == id)
                ?? throw EksException.InvalidParameter($"The security group '{id}' does not exist", clusterName: clusterName);
            if (group.VpcId != vpcId)
                throw EksException.InvalidParameter($"Security group {id} is not in the VPC of the subnets ({vpcId}).", clusterName: clusterName);
        }
    }

    private async Task DeleteClusterSecurityGroupAsync(ClusterState cluster, CancellationToken cancel)
    {
        try
        {
            await moto.DeleteSecurityGroupAsync(cluster.Region, cluster.ClusterSecurityGroupId, cancel);
        }
        catch (MotoException)
        {
            // Someone else still references or already removed it; EKS leaves such a group behind too.
        }
    }

    private static NodegroupState GetNodegroup(ClusterState cluster, string nodegroupName) =>
        cluster.Nodegroups.GetValueOrDefault(nodegroupName) ?? throw EksException.NodegroupNotFound(cluster.Name, nodegroupName);

    /// <summary>One page of <paramref name="keys"/>; the opaque token names the last key already returned.</summary>
    private static (List<string>, string?) Page(List<string> keys, int? maxResults, string? nextToken)
    {
        var size = maxResults ?? 100;
        if (size is < 1 or > 100) throw EksException.InvalidParameter("maxResults must be between 1 and 100.");
        var start = 0;
        if (!string.IsNullOrEmpty(nextToken))
        {
            string after;
            try { after = Encoding.UTF8.GetString(Convert.FromBase64String(nextToken)); }
            catch (FormatException) { throw EksException.InvalidParameter("The nextToken provided is invalid."); }
            var index = keys.IndexOf(after);
            // The key may be gone since; resume after where it would sort.
            start = index >= 0 ? index + 1 : keys.Count(k => string.CompareOrdinal(k, after) <= 0);
        }

        var page = keys.Skip(start).Take(size).ToList();
        var more = start + page.Count < keys.Count;
        return (page, more ? Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1])) : null);
    }

    private static string Lower(bool value) => value ? "true" : "false";

    [GeneratedRegex(@"^[0-9A-Za-z][A-Za-z0-9\-_]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws:eks:(?<region>[a-z0-9-]+):(?<account>\d{12}):(?<kind>cluster|nodegroup)/(?<cluster>[^/]+)(/.*)?$")]
    private static partial Regex ResourceArnPattern();
}
