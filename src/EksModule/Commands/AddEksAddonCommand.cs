using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Iam;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Installs an EKS add-on (CreateAddon) at EKS's default version for the cluster, the latest compatible
/// one, or a given one, and waits until it is ACTIVE. A rerun with an add-on already installed converges.
/// -CreateServiceAccountRole first registers the cluster's OIDC provider and creates the add-on's IAM role (IRSA).
/// </summary>
[Cmdlet(VerbsCommon.Add, "EksAddon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(EksAddon))]
public sealed class AddEksAddonCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("AddonName")]
    [ArgumentCompleter(typeof(AddonNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>An exact version, 'default' (EKS's default for the cluster version; the default) or 'latest' (newest compatible).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AddonVersion { get; set; }

    [Parameter]
    public Hashtable? ConfigurationValues { get; set; }

    [Parameter]
    public string? ServiceAccountRoleArn { get; set; }

    /// <summary>Create (or converge) the add-on's IRSA role, registering the cluster's OIDC provider if needed, and install the add-on with it.</summary>
    [Parameter]
    public SwitchParameter CreateServiceAccountRole { get; set; }

    [Parameter]
    [ValidateSet("OVERWRITE", "NONE", "PRESERVE")]
    public string? ResolveConflicts { get; set; }

    [Parameter]
    public Hashtable? Tag { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1200;

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Name}";
        try
        {
            AddonCmdletHelpers.ValidateAddonName(Name);
            AddonCmdletHelpers.ValidateRoleArn(ServiceAccountRoleArn);
        }
        catch (Exception e) { ReportError(e, target); return; }
        var serviceAccount = CreateServiceAccountRole ? CheckServiceAccountRoleRequest(target) : null;
        string? configuration;
        try { configuration = AddonCmdletHelpers.ConfigurationJson(Name, ConfigurationValues); }
        catch (Exception e) { throw new PSArgumentException($"-ConfigurationValues cannot be turned into JSON: {e.Message}", nameof(ConfigurationValues)); }

        var session = Session;
        var service = new UpgradeService(session);
        try
        {
            var cluster = Run(ct => service.GetClusterAsync(ClusterName, ct));
            var roleArn = ServiceAccountRoleArn;
            if (serviceAccount is not null)
            {
                var (arn, done) = EnsureServiceAccountRole(cluster, serviceAccount);
                if (!done) return;
                roleArn = arn;
            }
            var existing = Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct));
            if (existing is not null && serviceAccount is not null && existing.ServiceAccountRoleArn != roleArn)
                existing = AttachRole(service, existing, roleArn!, target);
            if (existing is not null)
            {
                if (AddonVersion is not null && !AddonVersion.Equals("default", StringComparison.OrdinalIgnoreCase) && !AddonVersion.Equals("latest", StringComparison.OrdinalIgnoreCase)
                    && existing.AddonVersion != AddonVersion)
                    throw new ModuleOperationException("AddonExists", "ResourceExists",
                        $"Add-on {target} is already installed at {existing.AddonVersion}; change its version with Update-EksAddon -AddonVersion {AddonVersion}.");
                WriteVerbose($"Add-on {target} is already installed ({existing.AddonVersion}, {existing.Status}).");
                if (!NoWait && existing.Status == "CREATING")
                    existing = Run(ct => service.WaitForAddonAsync(ClusterName, Name, false, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
                WriteObject(new EksAddon(existing, session.Region));
                return;
            }

            var version = Run(ct => service.ResolveAddonVersionAsync(Name, cluster.Version!, AddonVersion, ct));
            if (!ShouldProcess(target, $"Install EKS add-on {Name} {version}" + (roleArn is null ? "" : $" running as IAM role {roleArn}"))) return;
            var created = Run(ct => service.Api.CreateAddonAsync(ClusterName, new CreateAddonRequest
            {
                AddonName = Name,
                AddonVersion = version,
                ServiceAccountRoleArn = roleArn,
                ResolveConflicts = ResolveConflicts,
                ConfigurationValues = configuration,
                Tags = Tag?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty),
                ClientRequestToken = Guid.NewGuid().ToString(),
            }, ct));
            if (!NoWait) created = Run(ct => service.WaitForAddonAsync(ClusterName, Name, false, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            if (UpgradeService.IsWaitingForNodes(created)) WriteWarning(AddonCmdletHelpers.WaitingForNodesWarning(ClusterName, Name));
            WriteObject(new EksAddon(created, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }

    private AddonServiceAccount CheckServiceAccountRoleRequest(string target)
    {
        if (!string.IsNullOrEmpty(ServiceAccountRoleArn))
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                "-CreateServiceAccountRole creates the IAM role the add-on runs as, and -ServiceAccountRoleArn names a role of your own: give one or the other."),
                "ServiceAccountRoleConflict", ErrorCategory.InvalidArgument, target));
        var known = AddonServiceAccount.Find(Name);
        if (known is null)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                $"-CreateServiceAccountRole knows the service account and IAM policies of {string.Join(", ", AddonServiceAccount.Known.Select(a => a.AddonName))}; " +
                $"for '{Name}' create the role yourself and pass it with -ServiceAccountRoleArn."),
                "ServiceAccountRoleUnknownAddon", ErrorCategory.InvalidArgument, target));
        return known!;
    }

    /// <summary>
    /// The OIDC provider, then the role, each under its own ShouldProcess. Returns the role's ARN, and whether to go on:
    /// false when a step was declined at a -Confirm prompt (-WhatIf goes on, to preview the add-on as well).
    /// </summary>
    private (string RoleArn, bool Continue) EnsureServiceAccountRole(Cluster cluster, AddonServiceAccount serviceAccount)
    {
        var irsa = new ServiceAccountRoleService(Session);
        var plan = Run(ct => irsa.PlanAsync(cluster, serviceAccount, ct));
        var tags = Tag?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty) ?? new Dictionary<string, string>();
        if (plan.Provider.HasWork)
        {
            var what = plan.Provider.Exists
                ? $"Add audience {OidcProviderManager.Audience} to IAM OIDC provider {plan.Provider.Arn}"
                : $"Register the OIDC issuer {plan.Provider.Issuer} of cluster '{ClusterName}' as IAM OIDC provider {plan.Provider.Arn} (audience {OidcProviderManager.Audience})";
            if (ShouldProcess(what, what + "?", "Add-EksAddon")) Run(ct => irsa.Providers.EnsureAsync(plan.Provider, tags, ct));
            else if (!IsWhatIf) return (plan.RoleArn, false);
        }
        if (plan.Role.HasWork)
        {
            var trust = $"sts:AssumeRoleWithWebIdentity from {plan.Provider.Arn} for {serviceAccount.Subject}";
            var what = !plan.Role.Exists
                ? $"Create IAM role {plan.Role.RoleName} ({trust}) with {string.Join(", ", plan.Role.PolicyArnsToAttach)}"
                : $"Update IAM role {plan.Role.RoleName}: " + string.Join("; ", new[]
                {
                    plan.Role.TrustPolicyToSet is null ? null : $"trust {trust}",
                    plan.Role.PolicyArnsToAttach.Count == 0 ? null : "attach " + string.Join(", ", plan.Role.PolicyArnsToAttach),
                }.Where(s => s is not null));
            if (ShouldProcess(what, what + "?", "Add-EksAddon")) Run(ct => irsa.EnsureRoleAsync(plan, ClusterName, tags, ct));
            else if (!IsWhatIf) return (plan.RoleArn, false);
        }
        else
        {
            WriteVerbose($"IAM role {plan.Role.RoleName} is already as the add-on needs it.");
        }
        return (plan.RoleArn, true);
    }

    /// <summary>An installed add-on without a role gets the new one (UpdateAddon); one running as another role is left as it is.</summary>
    private Addon AttachRole(UpgradeService service, Addon existing, string roleArn, string target)
    {
        if (!string.IsNullOrEmpty(existing.ServiceAccountRoleArn))
        {
            WriteWarning($"Add-on {target} already runs as IAM role {existing.ServiceAccountRoleArn}, not {roleArn}; it was left as it is. " +
                $"To switch, run Update-EksAddon -ClusterName {ClusterName} -Name {Name} -ServiceAccountRoleArn {roleArn}.");
            return existing;
        }
        if (!ShouldProcess(target, $"Update EKS add-on {Name} to run as IAM role {roleArn}")) return existing;
        var update = Run(ct => service.Api.UpdateAddonAsync(ClusterName, Name,
            new UpdateAddonRequest { ServiceAccountRoleArn = roleArn, ClientRequestToken = Guid.NewGuid().ToString() }, ct));
        if (NoWait) return existing;
        Run(ct => service.WaitForUpdateAsync(ClusterName, update, null, Name, $"Updating EKS add-on {target}", TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        return Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct)) ?? existing;
    }
}
