using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Installs an EKS add-on (CreateAddon) at EKS's default version for the cluster, the latest compatible
/// one, or a given one, and waits until it is ACTIVE. A rerun with an add-on already installed converges.
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
        string? configuration;
        try { configuration = AddonCmdletHelpers.ConfigurationJson(Name, ConfigurationValues); }
        catch (Exception e) { throw new PSArgumentException($"-ConfigurationValues cannot be turned into JSON: {e.Message}", nameof(ConfigurationValues)); }

        var session = Session;
        var service = new UpgradeService(session);
        try
        {
            var cluster = Run(ct => service.GetClusterAsync(ClusterName, ct));
            var existing = Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct));
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
            if (!ShouldProcess(target, $"Install EKS add-on {Name} {version}")) return;
            var created = Run(ct => service.Api.CreateAddonAsync(ClusterName, new CreateAddonRequest
            {
                AddonName = Name,
                AddonVersion = version,
                ServiceAccountRoleArn = ServiceAccountRoleArn,
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
}
