using System.Management.Automation;
using EksModule.Engine.Auth;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Mints an EKS bearer token for a cluster, as 'aws eks get-token' does: no call to EKS, only
/// (with -RoleArn) an STS AssumeRole; the token is a presigned STS GetCallerIdentity URL.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksToken", DefaultParameterSetName = NameSet)]
[OutputType(typeof(EksToken))]
[OutputType(typeof(string))]
public sealed class GetEksTokenCommand : AwsCmdletBase
{
    private const string NameSet = "ClusterName";
    private const string IdSet = "ClusterId";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>The cluster id of an EKS local cluster on AWS Outposts, which signs the token instead of the name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    public string ClusterId { get; set; } = string.Empty;

    /// <summary>Assume this IAM role first and sign the token with its credentials.</summary>
    [Parameter]
    public string? RoleArn { get; set; }

    /// <summary>Write the ExecCredential JSON a kubeconfig exec plugin prints, instead of an object.</summary>
    [Parameter]
    public SwitchParameter AsExecCredential { get; set; }

    protected override void ProcessRecord()
    {
        var clusterId = ParameterSetName == IdSet ? ClusterId : ClusterName;
        if (string.IsNullOrWhiteSpace(clusterId))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give the cluster's name (-ClusterName), or its id (-ClusterId) for an Outposts local cluster."),
                "ClusterNameRequired", ErrorCategory.InvalidArgument, null));
        var session = Session;
        try
        {
            var service = new TokenService(session);
            var minted = Run(ct => service.MintAsync(clusterId, RoleArn, ct));
            WriteVerbose($"Minted a token for cluster '{clusterId}' in {minted.Region}{(RoleArn is null ? "" : $" as {RoleArn}")}; it expires {ExecCredential.FormatTimestamp(minted.ExpirationUtc)}.");
            if (AsExecCredential)
            {
                var apiVersion = ExecCredential.DiscoverApiVersion(Environment.GetEnvironmentVariable("KUBERNETES_EXEC_INFO"), out var warning);
                if (warning is not null) WriteWarning(warning);
                WriteObject(ExecCredential.ToJson(apiVersion, minted.Token, minted.ExpirationUtc));
            }
            else
            {
                WriteObject(new EksToken(minted.Token, minted.ExpirationUtc, clusterId, minted.Region));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, clusterId);
        }
    }
}
