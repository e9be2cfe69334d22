namespace EksModule.Types;

/// <summary>The kubeconfig context Update-EksKubeconfig wrote (or, under -WhatIf, would write).</summary>
public sealed class EksKubeconfigEntry
{
    internal EksKubeconfigEntry(string contextName, string clusterName, string clusterEntryName, string userName, string path, string server, string region, bool isCurrentContext, string yaml)
    {
        ContextName = contextName;
        ClusterName = clusterName;
        ClusterEntryName = clusterEntryName;
        UserName = userName;
        Path = path;
        Server = server;
        Region = region;
        IsCurrentContext = isCurrentContext;
        Yaml = yaml;
    }

    /// <summary>The context name; pass it to kubectl --context.</summary>
    public string ContextName { get; }

    /// <summary>The EKS cluster's name (binds to -ClusterName of the next cmdlet).</summary>
    public string ClusterName { get; }

    /// <summary>The name of the kubeconfig cluster entry (the cluster ARN).</summary>
    public string ClusterEntryName { get; }

    public string UserName { get; }

    /// <summary>The kubeconfig file.</summary>
    public string Path { get; }

    /// <summary>The cluster's API server endpoint.</summary>
    public string Server { get; }

    public string Region { get; }

    public bool IsCurrentContext { get; }

    /// <summary>The whole kubeconfig as written (or as it would be written).</summary>
    public string Yaml { get; }

    public override string ToString() => ContextName;
}
