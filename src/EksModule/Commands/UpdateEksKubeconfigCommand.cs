using System.Management.Automation;
using System.Runtime.InteropServices;
using EksModule.Engine.Kubernetes;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Adds or updates a cluster's entries in a kubeconfig (as 'aws eks update-kubeconfig' does), with a
/// user whose exec runs the module's own token helper, so kubectl needs neither the AWS CLI nor pwsh.
/// Every other entry of the file is kept as it was; the write is atomic and the file owner-only.
/// </summary>
[Cmdlet(VerbsData.Update, "EksKubeconfig", SupportsShouldProcess = true)]
[OutputType(typeof(EksKubeconfigEntry))]
public sealed class UpdateEksKubeconfigCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>The kubeconfig to update; default: the first file in $env:KUBECONFIG, else ~/.kube/config.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Kubeconfig")]
    public string? Path { get; set; }

    /// <summary>The context name; default: the cluster ARN.</summary>
    [Parameter]
    public string? Alias { get; set; }

    /// <summary>The user entry's name; default: the cluster ARN.</summary>
    [Parameter]
    public string? UserAlias { get; set; }

    /// <summary>A role the token helper assumes before signing tokens.</summary>
    [Parameter]
    public string? RoleArn { get; set; }

    [Parameter]
    public SwitchParameter SetCurrentContext { get; set; }

    protected override void ProcessRecord()
    {
        var path = ResolvePath();
        var helper = TokenHelper.PathFor(this);
        var session = Session;
        try
        {
            var service = new KubeconfigService(session);
            var request = new KubeconfigRequest(ClusterName, path, helper, Alias, UserAlias, RoleArn, ProfileName, SetCurrentContext);
            var plan = Run(ct => service.PlanAsync(request, ct));
            var entry = new EksKubeconfigEntry(plan.Entry.ContextName, plan.ClusterName, plan.Entry.ClusterEntryName, plan.Entry.UserName,
                plan.Path, plan.Entry.Server, plan.Region, plan.IsCurrentContext, plan.Yaml);
            var action = $"{(plan.FileExists ? "Update" : "Create")} kubeconfig '{plan.Path}' with context '{plan.Entry.ContextName}' for cluster '{plan.ClusterName}' ({plan.Entry.Server})";
            if (IsWhatIf)
            {
                // Shows exactly what would be written; the file is not touched.
                Host.UI.WriteLine($"What if: {action}. The file would read:");
                Host.UI.WriteLine(plan.Yaml);
                return;
            }
            if (!ShouldProcess(action, action + "?", "Update-EksKubeconfig")) return;
            KubeconfigService.Write(plan);
            WriteVerbose($"Wrote {plan.Path}: cluster '{plan.Entry.ClusterEntryName}', user '{plan.Entry.UserName}' (exec {helper}), context '{plan.Entry.ContextName}'{(plan.IsCurrentContext ? " (current)" : "")}.");
            WriteObject(entry);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }

    private string ResolvePath()
    {
        if (!string.IsNullOrEmpty(Path)) return GetUnresolvedProviderPathFromPSPath(Path);
        return TokenHelper.DefaultKubeconfigPath();
    }
}

internal static class TokenHelper
{
    /// <summary>The helper for this OS and architecture, shipped under the module's bin/&lt;rid&gt;/. Terminates when there is none.</summary>
    internal static string PathFor(PSCmdlet cmdlet)
    {
        var rid = RuntimeIdentifier;
        var moduleBase = cmdlet.MyInvocation.MyCommand.Module?.ModuleBase
            ?? System.IO.Path.GetDirectoryName(typeof(TokenHelper).Assembly.Location)!;
        var helper = System.IO.Path.Combine(moduleBase, "bin", rid, OperatingSystem.IsWindows() ? "eks-token-helper.exe" : "eks-token-helper");
        if (!File.Exists(helper))
            cmdlet.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(
                $"The module has no token helper for {rid} (looked for {helper}). Use Get-EksToken -AsExecCredential in a kubeconfig exec entry instead, or a platform the module ships the helper for (linux-x64, win-x64).", helper),
                "TokenHelperNotFound", ErrorCategory.NotInstalled, helper));
        return helper;
    }

    /// <summary>The kubeconfig Update-EksKubeconfig writes to by default.</summary>
    internal static string DefaultKubeconfigPath() => KubeconfigDocument.DefaultPath(Environment.GetEnvironmentVariable("KUBECONFIG"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    internal static string RuntimeIdentifier
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            var arch = RuntimeInformation.OSArchitecture switch
            {
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                _ => "x64",
            };
            return $"{os}-{arch}";
        }
    }
}
