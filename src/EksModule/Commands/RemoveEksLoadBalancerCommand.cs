using System.Management.Automation;
using EksModule.Engine.LoadBalancing;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>
/// Removes a load balancer the Kubernetes way: deletes the Ingress (ALB) or Service (NLB, Classic) that owns it, or with
/// -KeepService turns the Service back into ClusterIP; then waits until the ELB API no longer has it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "EksLoadBalancer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveEksLoadBalancerCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = "default";

    /// <summary>The Service (or for an ALB, the Ingress) that owns the load balancer.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The Ingress that owns an ALB (bound from Get-EksLoadBalancer output).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? IngressName { get; set; }

    /// <summary>Keep the Service, as type ClusterIP, instead of deleting it.</summary>
    [Parameter]
    public SwitchParameter KeepService { get; set; }

    /// <summary>Skips the confirmation prompt.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 600;

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Namespace}/{IngressName ?? Name}";
        try
        {
            var session = Session;
            var service = new LoadBalancerService(session);
            var owned = Run(ct => service.ListAsync(ClusterName, Namespace, ct))
                .Where(l => IngressName is { Length: > 0 } ingress ? l.IngressName == ingress : l.IngressName == Name || l.IngressName is null && l.ServiceName == Name)
                .OrderBy(l => l.IngressName == Name ? 0 : 1).FirstOrDefault();
            if (owned is null)
            {
                var message = $"No load balancer owned by a Service or Ingress '{Name}' in namespace '{Namespace}' of cluster '{ClusterName}'. " +
                    $"Run Get-EksLoadBalancer -ClusterName {ClusterName} to list them.";
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "LoadBalancerNotFound", ErrorCategory.ObjectNotFound, target) { ErrorDetails = new ErrorDetails(message) });
                return;
            }
            var lbText = owned.LoadBalancer is null ? $"its {owned.Type} load balancer (still provisioning)" : $"{owned.Type} load balancer {owned.LoadBalancer.Name} ({owned.LoadBalancer.DnsName})";
            var what = owned.IngressName is not null ? $"Delete Ingress {owned.Namespace}/{owned.IngressName} of cluster '{ClusterName}' and {lbText}"
                : KeepService ? $"Change Service {owned.Namespace}/{owned.ServiceName} of cluster '{ClusterName}' to ClusterIP, deleting {lbText}"
                : $"Delete Service {owned.Namespace}/{owned.ServiceName} of cluster '{ClusterName}' and {lbText}";
            if (!ShouldProcessUnlessForced(what, what + "?", "Remove-EksLoadBalancer", Force)) return;
            Run(ct => service.ReleaseAsync(owned, KeepService, ct));
            if (NoWait || owned.LoadBalancer is null) return;
            Run(ct => service.WaitForGoneAsync(new[] { owned.LoadBalancer }, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
