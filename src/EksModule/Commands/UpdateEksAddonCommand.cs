using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Errors;
using EksModule.Engine.Upgrades;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Changes an installed add-on (UpdateAddon): its version, configuration values or service account role;
/// waits for the update and writes the add-on after it. Nothing is sent when it is already as asked.
/// </summary>
[Cmdlet(VerbsData.Update, "EksAddon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EksAddon))]
public sealed class UpdateEksAddonCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("AddonName")]
    [ArgumentCompleter(typeof(AddonNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>An exact version, 'default' (EKS's default for the cluster version) or 'latest' (newest compatible).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AddonVersion { get; set; }

    [Parameter]
    public Hashtable? ConfigurationValues { get; set; }

    /// <summary>The IAM role for the add-on's service account; an empty string removes it.</summary>
    [Parameter]
    public string? ServiceAccountRoleArn { get; set; }

    [Parameter]
    [ValidateSet("OVERWRITE", "NONE", "PRESERVE")]
    public string? ResolveConflicts { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Name}";
        try
        {
            AddonCmdletHelpers.ValidateAddonName(Name);
            AddonCmdletHelpers.ValidateRoleArn(ServiceAccountRoleArn);
        }
        catch (Exception e) { ReportError(e, target); return; }
        if (AddonVersion is null && ConfigurationValues is null && ServiceAccountRoleArn is null)
            ThrowTerminatingError(ToErrorRecord(new Engine.Clusters.InvalidClusterInputException("NothingToUpdate",
                "Nothing to update: give -AddonVersion, -ConfigurationValues or -ServiceAccountRoleArn.", nameof(AddonVersion)), target));
        var configuration = AddonCmdletHelpers.ConfigurationJson(Name, ConfigurationValues);

        var session = Session;
        var service = new UpgradeService(session);
        var timeout = TimeSpan.FromSeconds(Timeout);
        try
        {
            var cluster = Run(ct => service.GetClusterAsync(ClusterName, ct));
            var addon = Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct))
                ?? throw new ModuleOperationException("AddonNotFound", "ObjectNotFound", $"No add-on named '{Name}' on cluster {ClusterName}; install it with Add-EksAddon.");
            var version = AddonVersion is null ? null : Run(ct => service.ResolveAddonVersionAsync(Name, cluster.Version!, AddonVersion, ct));
            var request = new UpdateAddonRequest
            {
                AddonVersion = version is not null && version != addon.AddonVersion ? version : null,
                ConfigurationValues = configuration is not null && configuration != addon.ConfigurationValues ? configuration : null,
                ServiceAccountRoleArn = ServiceAccountRoleArn is not null && ServiceAccountRoleArn != (addon.ServiceAccountRoleArn ?? string.Empty) ? ServiceAccountRoleArn : null,
                ResolveConflicts = ResolveConflicts,
            };
            if (request.AddonVersion is null && request.ConfigurationValues is null && request.ServiceAccountRoleArn is null)
            {
                WriteVerbose($"Add-on {target} is already as asked ({addon.AddonVersion}); nothing sent.");
                WriteObject(new EksAddon(addon, session.Region));
                return;
            }
            var what = string.Join(", ", new[]
            {
                request.AddonVersion is null ? null : $"version {addon.AddonVersion} -> {request.AddonVersion}",
                request.ConfigurationValues is null ? null : $"configuration {request.ConfigurationValues}",
                request.ServiceAccountRoleArn is null ? null : $"service account role {request.ServiceAccountRoleArn}",
            }.Where(s => s is not null));
            if (!ShouldProcess(target, $"Update EKS add-on: {what}")) return;
            request.ClientRequestToken = Guid.NewGuid().ToString();
            var update = Run(ct => service.Api.UpdateAddonAsync(ClusterName, Name, request, ct));
            if (!NoWait)
                Run(ct => service.WaitForUpdateAsync(ClusterName, update, null, Name, $"Updating EKS add-on {target}", timeout, WaitProgressSink, ct));
            var after = Run(ct => service.Api.TryDescribeAddonAsync(ClusterName, Name, ct));
            if (after is not null) WriteObject(new EksAddon(after, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
