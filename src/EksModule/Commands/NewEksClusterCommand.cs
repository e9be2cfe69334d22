using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Eks;
using EksModule.Engine.Iam;
using EksModule.Engine.Network;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Creates an EKS cluster: in existing subnets, or in a new multi-AZ VPC it builds (public and
/// private subnet per AZ, internet gateway, NAT, routes, load balancer tags), with a cluster role
/// it creates unless one is given, then installs vpc-cni, kube-proxy and coredns as EKS add-ons. Reruns converge:
/// what exists already is found by its tags and kept, and add-ons that are missing are installed.
/// </summary>
[Cmdlet(VerbsCommon.New, "EksCluster", SupportsShouldProcess = true, DefaultParameterSetName = NewVpcSet)]
[OutputType(typeof(EksCluster))]
public sealed class NewEksClusterCommand : AwsCmdletBase
{
    private const string NewVpcSet = "NewVpc";
    private const string SubnetSet = "ExistingSubnets";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    public string Name { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Version")]
    [ArgumentCompleter(typeof(KubernetesVersionCompleter))]
    public string? KubernetesVersion { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = SubnetSet, ValueFromPipelineByPropertyName = true)]
    [Alias("SubnetIds")]
    public string[] SubnetId { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = NewVpcSet)]
    public string VpcCidr { get; set; } = "192.168.0.0/16";

    [Parameter(ParameterSetName = NewVpcSet)]
    [ValidateRange(2, 6)]
    public int AvailabilityZoneCount { get; set; } = 3;

    [Parameter(ParameterSetName = NewVpcSet)]
    [ValidateSet("Single", "HighlyAvailable", "None", IgnoreCase = true)]
    public string NatGateway { get; set; } = "Single";

    [Parameter]
    public string? RoleArn { get; set; }

    [Parameter]
    public bool EndpointPublicAccess { get; set; } = true;

    [Parameter]
    public bool EndpointPrivateAccess { get; set; }

    [Parameter]
    public string[]? PublicAccessCidr { get; set; }

    /// <summary>A private-only endpoint, with the VPC endpoints nodes need to work without internet access.</summary>
    [Parameter]
    public SwitchParameter Private { get; set; }

    [Parameter]
    [ValidateSet("api", "audit", "authenticator", "controllerManager", "scheduler", IgnoreCase = true)]
    public string[]? LogType { get; set; }

    [Parameter]
    public string? SecretsKmsKeyArn { get; set; }

    [Parameter]
    [Alias("SecurityGroupIds")]
    public string[]? SecurityGroupId { get; set; }

    [Parameter]
    public string? ServiceIpv4Cidr { get; set; }

    [Parameter]
    [Alias("Tags")]
    public Hashtable? Tag { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How IAM principals are mapped into Kubernetes: EKS access entries (API), the aws-auth ConfigMap (CONFIG_MAP), or both (API_AND_CONFIG_MAP, the default, as eksctl and Terraform do).</summary>
    [Parameter]
    [ValidateSet("API", "API_AND_CONFIG_MAP", "CONFIG_MAP", IgnoreCase = true)]
    public string AuthenticationMode { get; set; } = "API_AND_CONFIG_MAP";

    /// <summary>After the cluster is ACTIVE, add it to the default kubeconfig (as Update-EksKubeconfig does) and make it the current context.</summary>
    [Parameter]
    public SwitchParameter UpdateKubeconfig { get; set; }

    /// <summary>
    /// The EKS add-ons to install once the cluster is ACTIVE, each at EKS's default version for the cluster's Kubernetes
    /// version; the default is vpc-cni, kube-proxy and coredns. @() installs none, and EKS then installs none of its own.
    /// </summary>
    [Parameter]
    [AllowEmptyCollection]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(AddonNameCompleter))]
    public string[]? Addon { get; set; }

    /// <summary>Let EKS install vpc-cni, kube-proxy and coredns itself, as self-managed workloads, instead of installing EKS add-ons.</summary>
    [Parameter]
    public SwitchParameter SelfManagedAddons { get; set; }

    /// <summary>Seconds to wait in all for the cluster to be ACTIVE and its add-ons installed (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    protected override void ProcessRecord()
    {
        var tags = ReadTags();
        var version = Validate();
        var session = Session;
        var service = new ClusterService(session);
        var log = VerboseSink;
        try
        {
            var existing = Run(ct => service.Eks.TryDescribeClusterAsync(Name, ct));
            var addons = new ClusterAddons(new UpgradeService(session));
            if (existing is not null)
            {
                Converge(service, addons, existing, version);
                return;
            }

            // Add-on names and versions are checked against EKS before anything is created.
            var addonPlan = PlanAddons(addons, null, version);

            // Under -Confirm a declined step ends the run; under -WhatIf every step is still previewed.
            var subnetIds = PrepareNetwork(service, tags, log, out var networkPreview);
            if (subnetIds is null && !IsWhatIf) return;
            if (Private && !PreparePrivateEndpoints(service, subnetIds, tags, log) && !IsWhatIf) return;
            var (roleArn, roleCreated) = PrepareRole(service, tags);
            if (roleArn is null && !IsWhatIf) return;

            var request = new CreateClusterRequest
            {
                Name = Name,
                Version = version,
                RoleArn = roleArn ?? $"(the role eks-{Name}-cluster)",
                ResourcesVpcConfig = new VpcConfigRequest
                {
                    SubnetIds = subnetIds,
                    SecurityGroupIds = SecurityGroupId?.ToList(),
                    EndpointPublicAccess = PublicAccess,
                    EndpointPrivateAccess = PrivateAccess,
                    PublicAccessCidrs = PublicAccessCidr?.ToList(),
                },
                KubernetesNetworkConfig = ServiceIpv4Cidr is null ? null : new KubernetesNetworkConfigRequest { ServiceIpv4Cidr = ServiceIpv4Cidr },
                Logging = LogType is null ? null : new Logging { ClusterLogging = { new LogSetup { Types = ClusterValidation.NormalizeLogTypes(LogType), Enabled = true } } },
                ClientRequestToken = Guid.NewGuid().ToString(),
                Tags = tags.Count == 0 ? null : tags,
                EncryptionConfig = SecretsKmsKeyArn is null ? null
                    : new List<EncryptionConfig> { new() { Resources = { "secrets" }, Provider = new Provider { KeyArn = SecretsKmsKeyArn } } },
                AccessConfig = new AccessConfigRequest { AuthenticationMode = AuthenticationMode.ToUpperInvariant() },
                // The module installs the add-ons itself; EKS's self-managed copies would only be adopted or conflict.
                BootstrapSelfManagedAddons = addonPlan is null ? null : false,
            };
            var description = $"Create EKS cluster '{Name}' (Kubernetes {version}) in {session.Region} " +
                $"in subnets {(subnetIds is null ? networkPreview : string.Join(", ", subnetIds))}, " +
                $"endpoint public={PublicAccess} private={PrivateAccess}, authentication mode {AuthenticationMode.ToUpperInvariant()}, " +
                DescribeAddons(addonPlan);
            if (!ShouldProcess(description, description + "?", "New-EksCluster") || roleArn is null || subnetIds is null)
            {
                if (IsWhatIf && addonPlan is not null) InstallAddons(addons, addonPlan, DateTime.UtcNow);
                return;
            }

            var created = Run(ct => service.CreateAsync(request, roleCreated, log, ct));
            if (NoWait)
            {
                WriteObject(new EksCluster(created, session.Region));
                return;
            }
            var deadline = DateTime.UtcNow.AddSeconds(Timeout);
            var active = Run(ct => service.WaitForActiveAsync(Name, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            if (addonPlan is not null) InstallAddons(addons, addonPlan, deadline);
            WriteKubeconfig(active);
            WriteObject(new EksCluster(active, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, Name);
        }
    }

    private string Validate()
    {
        try
        {
            ClusterValidation.ValidateName(Name);
            var version = ClusterValidation.ResolveVersion(KubernetesVersion, DateOnly.FromDateTime(DateTime.UtcNow));
            if (ServiceIpv4Cidr is not null) ClusterValidation.ValidateServiceCidr(ServiceIpv4Cidr);
            if (PublicAccessCidr is not null) ClusterValidation.ValidateCidrList(PublicAccessCidr, nameof(PublicAccessCidr));
            if (Private && MyInvocation.BoundParameters.ContainsKey(nameof(EndpointPublicAccess)) && EndpointPublicAccess)
                throw new InvalidClusterInputException("PrivateWithPublicAccess",
                    "-Private makes the endpoint private-only; leave out -EndpointPublicAccess $true, or leave out -Private for a public endpoint.", nameof(Private));
            if (!PublicAccess && !PrivateAccess)
                throw new InvalidClusterInputException("NoEndpointAccess",
                    "The cluster endpoint must be reachable somehow: -EndpointPublicAccess and -EndpointPrivateAccess cannot both be $false.", nameof(EndpointPrivateAccess));
            if (ParameterSetName == SubnetSet && SubnetId.Distinct().Count() < 2)
                throw new InvalidClusterInputException("TooFewSubnets",
                    "EKS needs at least two subnets in two different Availability Zones: pass two or more -SubnetId values, or omit -SubnetId to create a new VPC.", nameof(SubnetId));
            if (ParameterSetName == NewVpcSet)
                NetworkPlanner.Validate(NetworkPlan());
            _addonNames = ChooseAddons();
            return version;
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, Name));
            throw; // unreachable
        }
    }

    /// <summary>The add-ons to install as EKS add-ons; null: none, EKS bootstraps its self-managed ones (-SelfManagedAddons, or -NoWait).</summary>
    private IReadOnlyList<string>? _addonNames;

    private IReadOnlyList<string>? ChooseAddons()
    {
        var bound = MyInvocation.BoundParameters.ContainsKey(nameof(Addon));
        if (SelfManagedAddons)
        {
            if (bound)
                throw new InvalidClusterInputException("AddonWithSelfManagedAddons",
                    "-SelfManagedAddons leaves vpc-cni, kube-proxy and coredns to EKS's own bootstrap: leave out -Addon, or leave out -SelfManagedAddons to install EKS add-ons.", nameof(Addon));
            return null;
        }
        // -NoWait returns before the cluster is ACTIVE, and only an ACTIVE cluster takes add-ons: EKS's own bootstrap
        // keeps the cluster usable, and a rerun without -NoWait installs the EKS add-ons over it.
        if (!bound) return NoWait ? null : ClusterAddons.Defaults;
        var names = Addon!.Select(n => (n ?? string.Empty).Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names) AddonCmdletHelpers.ValidateAddonName(name, nameof(Addon));
        if (NoWait && names.Count > 0)
            throw new InvalidClusterInputException("AddonWithNoWait",
                "EKS add-ons can only be installed on an ACTIVE cluster, which -NoWait does not wait for: leave out -NoWait, or leave out -Addon " +
                "(EKS then installs its self-managed vpc-cni, kube-proxy and coredns) and add them later with Add-EksAddon.", nameof(Addon));
        return names;
    }

    /// <summary>Each wanted add-on's state and version (reads only); null when there are none to install or the endpoint has no add-on API.</summary>
    private IReadOnlyList<ClusterAddonPlan>? PlanAddons(ClusterAddons addons, string? clusterName, string version)
    {
        if (_addonNames is null) return null;
        if (_addonNames.Count == 0) return Array.Empty<ClusterAddonPlan>();
        var plan = Run(ct => addons.PlanAsync(clusterName, version, _addonNames, ct));
        if (plan is null)
            WriteWarning($"This EKS endpoint has no add-on API (it answered 404), so {string.Join(", ", _addonNames)} cannot be installed as EKS add-ons" +
                (clusterName is null ? "; EKS installs its self-managed vpc-cni, kube-proxy and coredns instead." : "."));
        return plan;
    }

    private static string DescribeAddons(IReadOnlyList<ClusterAddonPlan>? plan) =>
        plan is null ? "with EKS's self-managed vpc-cni, kube-proxy and coredns"
        : plan.Count == 0 ? "with no add-ons (EKS installs none of its own)"
        : "then EKS add-ons " + string.Join(", ", plan.Select(a => $"{a.Name} {a.Version}"));

    /// <summary>
    /// CreateAddon for each missing add-on (ShouldProcess around each), then waits for them until ACTIVE, or DEGRADED for
    /// want of nodes (coredns before the first node group), within the time left of -Timeout. A failing add-on is
    /// reported and the others go on. Nothing installed is ever changed or removed here.
    /// </summary>
    private void InstallAddons(ClusterAddons addons, IReadOnlyList<ClusterAddonPlan> plan, DateTime deadline)
    {
        var created = new List<string>();
        foreach (var item in plan)
        {
            var target = $"{Name}/{item.Name}";
            if (item.Existing is { } existing)
            {
                WriteVerbose($"Add-on {target} is already installed ({existing.AddonVersion}, {existing.Status}).");
                if (existing.Status == "CREATING") created.Add(item.Name);
                else if (existing.Status is "CREATE_FAILED" or "UPDATE_FAILED" or "DEGRADED" && !UpgradeService.IsWaitingForNodes(existing))
                    WriteWarning($"Add-on {target} is {existing.Status}. Get-EksAddon -ClusterName {Name} -Name {item.Name} shows why; New-EksCluster leaves installed add-ons as they are.");
                continue;
            }
            if (!ShouldProcess(target, $"Install EKS add-on {item.Name} {item.Version}")) continue;
            try
            {
                Run(ct => addons.CreateAsync(Name, item, ct));
                created.Add(item.Name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                ReportError(e, target);
            }
        }

        foreach (var name in created)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                var addon = Run(ct => addons.WaitAsync(Name, name, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), WaitProgressSink, ct));
                if (UpgradeService.IsWaitingForNodes(addon)) WriteWarning(AddonCmdletHelpers.WaitingForNodesWarning(Name, name));
                else WriteVerbose($"Add-on {Name}/{name} {addon.AddonVersion} is {addon.Status}.");
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                ReportError(e, $"{Name}/{name}");
            }
        }
    }

    private bool PublicAccess => !Private && EndpointPublicAccess;

    private bool PrivateAccess => Private || EndpointPrivateAccess;

    private string? _vpcId;

    /// <summary>-Private: the VPC endpoints and their security group, after ShouldProcess. False when declined or previewed.</summary>
    private bool PreparePrivateEndpoints(ClusterService service, List<string>? subnetIds, Dictionary<string, string> tags, IProgress<string> log)
    {
        var endpoints = service.Endpoints;
        if (subnetIds is null || _vpcId is null)
        {
            // -WhatIf before the VPC exists: everything would be created.
            foreach (var action in endpoints.PlanForNewVpc(Name)) ShouldProcess(action.Description);
            return false;
        }

        var target = Run(ct => endpoints.ResolveTargetAsync(Name, _vpcId, subnetIds, ct));
        var changes = Run(ct => endpoints.PlanAsync(target, ct)).Where(a => a.IsChange).ToList();
        if (changes.Count == 0)
        {
            WriteVerbose($"The VPC endpoints of {_vpcId} are in place.");
            return true;
        }

        var description = $"Create the VPC endpoints of private EKS cluster '{Name}' ({changes.Count} changes):{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", changes.Select(a => a.Description));
        if (!ShouldProcess(description, $"Create {changes.Count} VPC endpoint changes in {_vpcId} for private cluster '{Name}'?", "New-EksCluster")) return false;
        var ids = Run(ct => endpoints.EnsureAsync(target, tags, log, ct));
        WriteVerbose($"VPC endpoints: {string.Join(", ", ids.Select(e => $"{e.Key} {e.Value}"))}.");
        return true;
    }

    private NetworkPlan NetworkPlan() => new(Name, VpcCidr, AvailabilityZoneCount, Enum.Parse<NatGatewayMode>(NatGateway, ignoreCase: true), ReadTags());

    private Dictionary<string, string> ReadTags()
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Tag is null) return tags;
        foreach (DictionaryEntry entry in Tag) tags[entry.Key.ToString()!] = entry.Value?.ToString() ?? string.Empty;
        return tags;
    }

    /// <summary>Checks given subnets, or plans and (after ShouldProcess) builds the VPC. Null subnets: nothing was built (-WhatIf or declined).</summary>
    private List<string>? PrepareNetwork(ClusterService service, Dictionary<string, string> tags, IProgress<string> log, out string preview)
    {
        if (ParameterSetName == SubnetSet)
        {
            var check = Run(ct => service.Network.CheckSubnetsAsync(SubnetId, ct));
            WriteVerbose($"Subnets {string.Join(", ", check.SubnetIds)} are in VPC {check.VpcId} across {string.Join(", ", check.AvailabilityZones)}.");
            preview = string.Join(", ", check.SubnetIds);
            _vpcId = check.VpcId;
            return check.SubnetIds.ToList();
        }

        var plan = NetworkPlan() with { Tags = tags };
        var actions = Run(ct => service.Network.PlanAsync(plan, ct));
        var changes = actions.Where(a => a.IsChange).ToList();
        preview = $"the new VPC {VpcCidr} ({AvailabilityZoneCount} AZs)";
        if (changes.Count > 0)
        {
            var description = $"Create the network for EKS cluster '{Name}' ({changes.Count} changes):{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", changes.Select(a => a.Description));
            if (!ShouldProcess(description, $"Create a VPC with {AvailabilityZoneCount} public and {AvailabilityZoneCount} private subnets for cluster '{Name}'?", "New-EksCluster"))
                return null;
        }
        var network = Run(ct => service.Network.EnsureAsync(plan, log, ct));
        _vpcId = network.VpcId;
        WriteVerbose($"Network ready: VPC {network.VpcId}, public subnets {string.Join(", ", network.PublicSubnetIds)}, private subnets {string.Join(", ", network.PrivateSubnetIds)}.");
        return network.PrivateSubnetIds.Concat(network.PublicSubnetIds).ToList();
    }

    private (string? RoleArn, bool Created) PrepareRole(ClusterService service, Dictionary<string, string> tags)
    {
        if (RoleArn is not null) return (RoleArn, false);
        var plan = Run(ct => service.Roles.PlanAsync(Name, RoleSpec.ClusterRole, ct));
        if (plan.HasWork)
        {
            var action = plan.Exists
                ? $"Attach {string.Join(", ", plan.PolicyArnsToAttach)} to IAM role '{plan.RoleName}'"
                : $"Create IAM role '{plan.RoleName}' trusted by eks.amazonaws.com with {string.Join(", ", plan.PolicyArnsToAttach)}";
            if (!ShouldProcess(action, action + "?", "New-EksCluster")) return (null, false);
        }
        var role = Run(ct => service.Roles.EnsureAsync(Name, RoleSpec.ClusterRole, tags, ct));
        WriteVerbose($"Cluster role: {role.Arn}");
        return (role.Arn, !plan.Exists);
    }

    private void Converge(ClusterService service, ClusterAddons addons, Cluster existing, string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(Timeout);
        WriteVerbose($"Cluster '{Name}' already exists ({existing.Status}); New-EksCluster converges on it instead of creating it again.");
        if (existing.Version != version && KubernetesVersion is not null)
            WriteWarning($"Cluster '{Name}' exists with Kubernetes {existing.Version}, not {version}. New-EksCluster does not change it; use Update-EksControlPlane to upgrade.");
        if (existing.Status == "DELETING")
            throw new Engine.Errors.ModuleOperationException("ClusterDeleting", "ResourceBusy", $"Cluster '{Name}' is being deleted. Wait for it to be gone (Wait-EksCluster -Name {Name} -Status DELETED), then run New-EksCluster again.");
        var result = existing;
        if (!NoWait && existing.Status != "ACTIVE" && !MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            result = Run(ct => service.WaitForActiveAsync(Name, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        // A rerun installs the wanted add-ons that are missing, whatever removed them: EKS keeps no record of an add-on
        // removed on purpose, and a first run stopped before its add-ons must be finished. -Addon names what is wanted.
        if (!NoWait && (result.Status == "ACTIVE" || IsWhatIf) && PlanAddons(addons, Name, result.Version ?? version) is { } plan)
            InstallAddons(addons, plan, deadline);
        if (result.Status == "ACTIVE") WriteKubeconfig(result);
        WriteObject(new EksCluster(result, service.Region));
    }

    /// <summary>-UpdateKubeconfig: the same entry Update-EksKubeconfig writes, to its default file, as the current context.</summary>
    private void WriteKubeconfig(Cluster cluster)
    {
        if (!UpdateKubeconfig) return;
        var path = TokenHelper.DefaultKubeconfigPath();
        var request = new Engine.Kubernetes.KubeconfigRequest(cluster.Name, path, TokenHelper.PathFor(this), null, null, null, ProfileName, SetCurrentContext: true);
        var service = new Engine.Kubernetes.KubeconfigService(Session);
        var plan = Run(ct => service.PlanAsync(request, ct));
        var action = $"Write context '{plan.Entry.ContextName}' for cluster '{cluster.Name}' to kubeconfig '{path}' and make it current";
        if (!ShouldProcess(action, action + "?", "New-EksCluster")) return;
        Engine.Kubernetes.KubeconfigService.Write(plan);
        WriteVerbose($"Kubeconfig {path}: context '{plan.Entry.ContextName}' (current).");
    }
}
