using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Kubernetes;
using EksModule.Engine.Waiting;
using k8s;
using k8s.Models;

namespace EksModule.Engine.NodeGroups;

/// <summary>What the wait saw of a node group's Kubernetes nodes.</summary>
public sealed record NodeCount(int Registered, int Ready, int Desired)
{
    /// <summary>Done when exactly the desired number of nodes is registered and all are Ready (so a scale-in waits for nodes to leave).</summary>
    public bool Done => Registered == Desired && Ready == Desired;

    public override string ToString() => Registered == Ready ? $"{Ready}/{Desired} Ready" : $"{Ready}/{Desired} Ready ({Registered - Ready} NotReady)";
}

/// <summary>
/// Waits, through the cluster's Kubernetes API, until a node group's nodes (label eks.amazonaws.com/nodegroup) are Ready.
/// Kubernetes access is only made when asked for, so node group cmdlets without -WaitForNodes need none.
/// </summary>
public sealed class NodeReadiness
{
    public const string NodegroupLabel = "eks.amazonaws.com/nodegroup";

    private readonly AwsSession _session;
    private readonly Waiter _waiter;

    public NodeReadiness(AwsSession session, Waiter? waiter = null)
    {
        _session = session;
        _waiter = waiter ?? new Waiter();
    }

    public async Task<NodeCount> WaitAsync(string clusterName, string nodegroupName, int desired, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var kube = await new KubernetesAccess(_session).ConnectAsync(clusterName, null, ct).ConfigureAwait(false);
        NodeCount? last = null;
        // Nodes register within a minute or two of their instances starting: poll every few seconds, not like EKS's 30 s waiters.
        var options = new WaitOptions(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        await _waiter.WaitAsync("Waiting for node group nodes to be Ready", $"Node group {clusterName}/{nodegroupName}", async token =>
        {
            var nodes = await kube.CoreV1.ListNodeAsync(labelSelector: $"{NodegroupLabel}={nodegroupName}", cancellationToken: token).ConfigureAwait(false);
            last = Count(nodes.Items, desired);
            return last.Done ? PollResult.Finished(last.ToString()) : PollResult.Pending(last.ToString());
        }, options, progress, ct).ConfigureAwait(false);
        return last!;
    }

    public static NodeCount Count(IEnumerable<V1Node> nodes, int desired)
    {
        var list = nodes.ToList();
        var ready = list.Count(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        return new NodeCount(list.Count, ready, desired);
    }
}
