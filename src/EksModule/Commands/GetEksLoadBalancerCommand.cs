using System.Management.Automation;
using EksModule.Engine.LoadBalancing;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Gets the load balancers a cluster's Services of type LoadBalancer and alb Ingresses own.</summary>
[Cmdlet(VerbsCommon.Get, "EksLoadBalancer")]
[OutputType(typeof(EksLoadBalancer))]
public sealed class GetEksLoadBalancerCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Only this namespace (default: all).</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>Service, Ingress or load balancer names; wildcards allowed.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var session = Session;
            var all = Run(ct => new LoadBalancerService(session).ListAsync(ClusterName, Namespace, ct));
            var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var lb in all)
            {
                if (patterns is not null && !patterns.Any(p => new[] { lb.ServiceName, lb.IngressName, lb.LoadBalancer?.Name }.Any(n => n is not null && p.IsMatch(n))))
                    continue;
                WriteObject(new EksLoadBalancer(lb, session.Region));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
