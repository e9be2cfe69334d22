using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Upgrades a cluster's control plane one Kubernetes minor version (then, with -IncludeAddons and
/// -IncludeNodeGroups, its add-ons and node groups, in that order), and changes control plane logging
/// and endpoint access. Preflight checks run first; -WhatIf prints the whole plan and sends nothing.
/// </summary>
[Cmdlet(VerbsData.Update, "EksControlPlane", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByObject)]
[OutputType(typeof(EksClusterUpdate), typeof(EksCluster))]
public sealed class UpdateEksControlPlaneCommand : AwsCmdletBase
{
    private const string ByName = "ByName";
    private const string ByObject = "ByObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>A cluster from Get-EksCluster; its version lets a wrong -KubernetesVersion be refused without any request.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByObject)]
    public EksCluster? InputObject { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Version")]
    public string? KubernetesVersion { get; set; }

    [Parameter]
    public SwitchParameter IncludeAddons { get; set; }

    [Parameter]
    public SwitchParameter IncludeNodeGroups { get; set; }

    [Parameter]
    [ValidateSet("api", "audit", "authenticator", "controllerManager", "scheduler")]
    public string[]? LogType { get; set; }

    [Parameter]
    [ValidateSet("api", "audit", "authenticator", "controllerManager", "scheduler")]
    public string[]? DisableLogType { get; set; }

    [Parameter]
    public bool EndpointPublicAccess { get; set; }

    [Parameter]
    public bool EndpointPrivateAccess { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? PublicAccessCidr { get; set; }

    /// <summary>Seconds to wait for each step (default 3600: control plane upgrades take 20 to 40 minutes).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 3600;

    [Parameter]
    public SwitchParameter Force { get; set; }

    private bool? Bound(string name, bool value) => MyInvocation.BoundParameters.ContainsKey(name) ? value : null;

    protected override void ProcessRecord()
    {
        var name = InputObject?.Name ?? ClusterName;
        try
        {
            ValidateInput(name);
            // A piped cluster already says its version: a wrong target is refused before any request.
            if (KubernetesVersion is not null && InputObject?.Version is { } pipedVersion)
                UpgradePlanner.CheckTarget(name, pipedVersion, KubernetesVersion);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, name);
            return;
        }

        var session = Session;
        var service = new UpgradeService(session);
        var timeout = TimeSpan.FromSeconds(Timeout);
        try
        {
            var cluster = Run(ct => service.GetClusterAsync(name, ct));
            if (KubernetesVersion is not null) UpgradePlanner.CheckTarget(name, cluster.Version ?? KubernetesVersion, KubernetesVersion);
            var configChanges = UpgradeService.PlanConfig(cluster, LogType, DisableLogType,
                Bound(nameof(EndpointPublicAccess), EndpointPublicAccess), Bound(nameof(EndpointPrivateAccess), EndpointPrivateAccess), PublicAccessCidr);
            var plan = KubernetesVersion is null ? null
                : Run(ct => service.PlanAsync(cluster, KubernetesVersion, IncludeAddons, IncludeNodeGroups, VerboseSink, ct));

            foreach (var warning in plan?.Warnings ?? Array.Empty<string>()) WriteWarning(warning);
            if (plan is { Problems.Count: > 0 })
            {
                if (IsWhatIf) PreviewPlan(configChanges, plan);
                throw new ModuleOperationException("UpgradePreflightFailed", "InvalidOperation",
                    $"Cluster {name} cannot be upgraded to {plan.TargetVersion} yet; nothing was changed. " + string.Join(" ", plan.Problems));
            }
            if (IsWhatIf)
            {
                PreviewPlan(configChanges, plan);
                return;
            }
            if (configChanges.Count == 0 && (plan is null || plan.Steps.All(s => !s.Included)))
                WriteVerbose($"Cluster {name} is already as asked; nothing to change.");

            foreach (var change in configChanges)
            {
                if (!ShouldProcessUnlessForced(change.Description, change.Description + "?", "Update-EksControlPlane", Force)) continue;
                var update = Run(ct => service.ApplyConfigAsync(name, change, timeout, WaitProgressSink, ct));
                WriteObject(new EksClusterUpdate(name, session.Region, "ClusterConfig", name, null, null, change.Description, update, update?.Status ?? "Applied"));
            }

            if (plan is not null)
            {
                var steps = plan.Steps.Where(s => s.Included).ToList();
                var skipped = plan.Steps.Where(s => !s.Included).ToList();
                for (var i = 0; i < steps.Count; i++)
                {
                    var step = steps[i];
                    if (!ShouldProcessUnlessForced(step.Description, step.Description + "?", "Update-EksControlPlane", Force))
                    {
                        // Later steps depend on this one (add-ons and node groups follow the control plane).
                        if (step.Kind == UpgradeStepKind.ControlPlane) break;
                        continue;
                    }
                    var index = i + 1;
                    var outcome = Run(ct => service.RunStepAsync(name, step with { Description = $"Step {index} of {steps.Count}: {step.Description}" }, timeout, WaitProgressSink, ct));
                    WriteObject(new EksClusterUpdate(name, session.Region, step.Kind.ToString(), step.Resource, step.FromVersion, step.ToVersion, step.Description, outcome.Update, outcome.Status));
                }
                foreach (var group in skipped.GroupBy(s => s.Kind))
                    WriteWarning(group.Key == UpgradeStepKind.Addon
                        ? $"{group.Count()} add-on(s) of {name} not updated ({string.Join(", ", group.Select(s => s.Resource))}); add -IncludeAddons to update them."
                        : $"{group.Count()} node group(s) of {name} still run an older version ({string.Join(", ", group.Select(s => s.Resource))}); add -IncludeNodeGroups to update them.");
            }

            WriteObject(new EksCluster(Run(ct => service.GetClusterAsync(name, ct)), session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, name);
        }
    }

    /// <summary>-WhatIf: every change in the order it would be made, with nothing sent.</summary>
    private void PreviewPlan(IReadOnlyList<ConfigChange> configChanges, UpgradePlan? plan)
    {
        foreach (var change in configChanges) ShouldProcess(change.Description);
        if (plan is null) return;
        if (plan.Steps.Count == 0) WriteVerbose($"Cluster {plan.ClusterName}, its add-ons and node groups are already at {plan.TargetVersion}.");
        foreach (var step in plan.Steps) ShouldProcess(step.Description);
    }

    private void ValidateInput(string name)
    {
        ClusterValidation.ValidateName(name, nameof(ClusterName));
        var configGiven = LogType is not null || DisableLogType is not null || PublicAccessCidr is not null
            || MyInvocation.BoundParameters.ContainsKey(nameof(EndpointPublicAccess)) || MyInvocation.BoundParameters.ContainsKey(nameof(EndpointPrivateAccess));
        if (KubernetesVersion is null && !configGiven)
            throw new InvalidClusterInputException("NothingToUpdate",
                "Nothing to update: give -KubernetesVersion (the next minor), or -LogType/-DisableLogType, -EndpointPublicAccess, -EndpointPrivateAccess or -PublicAccessCidr.", nameof(KubernetesVersion));
        if ((IncludeAddons || IncludeNodeGroups) && KubernetesVersion is null)
            throw new InvalidClusterInputException("KubernetesVersionRequired",
                "-IncludeAddons and -IncludeNodeGroups carry out an upgrade: give -KubernetesVersion too (the cluster's next minor, or its current version to finish one).", nameof(KubernetesVersion));
        if (LogType is not null && DisableLogType is not null && LogType.Intersect(DisableLogType).FirstOrDefault() is { } both)
            throw new InvalidClusterInputException("ConflictingLogType", $"Log type '{both}' is in both -LogType and -DisableLogType.", nameof(DisableLogType));
        foreach (var cidr in PublicAccessCidr ?? Array.Empty<string>())
            if (!System.Net.IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !cidr.Contains('/'))
                throw new InvalidClusterInputException("InvalidPublicAccessCidr", $"-PublicAccessCidr '{cidr}' is not an IPv4 CIDR block such as 203.0.113.0/24 (address/prefix, host bits zero).", nameof(PublicAccessCidr));
        if (KubernetesVersion is not null && !System.Text.RegularExpressions.Regex.IsMatch(KubernetesVersion, @"^1\.\d{1,3}$"))
            throw new InvalidClusterInputException("InvalidKubernetesVersion", $"-KubernetesVersion '{KubernetesVersion}' is not a Kubernetes minor version such as 1.31.", nameof(KubernetesVersion));
    }
}
