using System.Collections;
using System.Management.Automation;
using EksModule.Engine.LoadBalancing;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Exposes a workload through an AWS load balancer the way EKS does it: a Service of type LoadBalancer for a Network
/// (AWS Load Balancer Controller) or Classic (in-tree provider) load balancer, an Ingress of class alb for an
/// Application load balancer. Waits for the controller to make it and returns it, ready to pipe into Set-EksDnsRecord.
/// </summary>
[Cmdlet(VerbsCommon.New, "EksLoadBalancer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NewServiceSet)]
[OutputType(typeof(EksLoadBalancer))]
public sealed class NewEksLoadBalancerCommand : AwsCmdletBase
{
    private const string NewServiceSet = "NewService";
    private const string ExistingServiceSet = "ExistingService";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>An existing Service to expose; its type and annotations are patched.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExistingServiceSet)]
    public string ServiceName { get; set; } = string.Empty;

    /// <summary>The Service (and for -Type Application, Ingress) to create.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = NewServiceSet)]
    [ValidatePattern("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    public string Name { get; set; } = string.Empty;

    /// <summary>Pod labels the new Service selects, e.g. @{ app = 'web' }.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NewServiceSet)]
    public Hashtable Selector { get; set; } = new();

    /// <summary>The port(s) the load balancer listens on (and the Service exposes).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NewServiceSet)]
    [ValidateRange(1, 65535)]
    public int[] Port { get; set; } = Array.Empty<int>();

    /// <summary>The container port traffic goes to (default: the same as -Port).</summary>
    [Parameter(ParameterSetName = NewServiceSet)]
    [ValidateRange(1, 65535)]
    public int? TargetPort { get; set; }

    [Parameter(ParameterSetName = NewServiceSet)]
    [ValidateSet("TCP", "UDP")]
    public string Protocol { get; set; } = "TCP";

    [Parameter]
    [ValidateSet("Network", "Application", "Classic")]
    public string Type { get; set; } = "Network";

    [Parameter]
    [ValidateSet("InternetFacing", "Internal")]
    public string Scheme { get; set; } = "InternetFacing";

    /// <summary>Instance (node ports) or Ip (pod IPs); Network and Application only.</summary>
    [Parameter]
    [ValidateSet("Instance", "Ip")]
    public string TargetType { get; set; } = "Instance";

    /// <summary>An ACM certificate ARN: the listener(s) terminate TLS with it.</summary>
    [Parameter]
    public string? CertificateArn { get; set; }

    /// <summary>More annotations for the Service (Network, Classic) or Ingress (Application), applied last.</summary>
    [Parameter]
    public Hashtable? Annotation { get; set; }

    /// <summary>Seconds to wait for the load balancer (default 600).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 600;

    protected override void ProcessRecord()
    {
        var type = Enum.Parse<LoadBalancerType>(Type, ignoreCase: true);
        if (type == LoadBalancerType.Classic && TargetType == "Ip")
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("A Classic load balancer registers nodes only; -TargetType Ip needs -Type Network or Application."),
                "TargetTypeNotSupported", ErrorCategory.InvalidArgument, TargetType));
        if (type == LoadBalancerType.Network && Protocol == "UDP" && CertificateArn is not null)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("TLS listeners carry TCP; drop -CertificateArn or use -Protocol TCP."),
                "TlsWithUdp", ErrorCategory.InvalidArgument, CertificateArn));

        var request = new LoadBalancerRequest(
            ClusterName, Namespace,
            ParameterSetName == ExistingServiceSet ? ServiceName : null,
            ParameterSetName == NewServiceSet ? Name : null,
            ParameterSetName == NewServiceSet ? ToDictionary(Selector) : null,
            ParameterSetName == NewServiceSet ? Port : null,
            TargetPort, Protocol, type,
            Scheme == "Internal" ? "internal" : "internet-facing",
            TargetType.ToLowerInvariant(), CertificateArn,
            Annotation is null ? null : ToDictionary(Annotation));
        var target = $"{ClusterName}/{Namespace}/{request.ServiceName}";
        try
        {
            var session = Session;
            var service = new LoadBalancerService(session);
            var plan = Run(ct => service.PlanAsync(request, ct));
            var applied = true;
            foreach (var step in plan.Steps)
            {
                if (!ShouldProcess(step.Description, step.Description + "?", "New-EksLoadBalancer")) { applied = false; continue; }
                Run(ct => step.Apply(ct));
            }
            if (plan.Steps.Count == 0) WriteVerbose($"{target} already asks for this {type} load balancer; nothing to change.");
            if (!applied) return;
            var lb = Run(ct => service.WaitForLoadBalancerAsync(plan, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            WriteObject(new EksLoadBalancer(lb, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }

    private static Dictionary<string, string> ToDictionary(Hashtable table)
        => table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => LanguagePrimitives.ConvertTo<string>(e.Value), StringComparer.Ordinal);
}
