using System.Management.Automation;
using EksModule.Engine.LoadBalancing;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>
/// Removes a load balancer the Kubernetes way, undoing what New-EksLoadBalancer did: deletes the Ingress (ALB) or Service
/// (NLB, Classic) it created (with -KeepService turns that Service back into ClusterIP), puts one it patched back as it was,
/// and refuses one it never touched unless -Force; then waits until the ELB API no longer has the load balancer.
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

    /// <summary>Skips the confirmation prompt, and removes a Service or Ingress New-EksLoadBalancer did not create or patch.</summary>
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
            // Every check (who made it, whether it can be restored) is a read before the prompt; a refusal changes nothing.
            var release = Run(ct => service.PlanReleaseAsync(owned, KeepService, Force, ct));
            if (!ShouldProcessUnlessForced(release.Description, release.Description + "?", "Remove-EksLoadBalancer", Force)) return;
            Run(ct => release.Apply(ct));
            if (release.LoadBalancerStays)
            {
                WriteWarning($"{target} had its load balancer before New-EksLoadBalancer patched it, so it keeps it. Delete the {(owned.IngressName is null ? "Service" : "Ingress")} with kubectl if that load balancer should go too.");
                return;
            }
            if (NoWait || owned.LoadBalancer is null) return;
            Run(ct => service.WaitForGoneAsync(new[] { owned.LoadBalancer }, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
