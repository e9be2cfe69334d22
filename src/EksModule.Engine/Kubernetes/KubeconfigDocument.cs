using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EksModule.Engine.Kubernetes;

/// <summary>The exec entry kubectl runs to get a token: the module's token helper and its arguments.</summary>
public sealed record ExecPlugin(string Command, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Env);

/// <summary>One cluster's kubeconfig entries: a cluster, a user whose exec mints tokens, and a context joining them.</summary>
public sealed record KubeconfigEntry(string ClusterEntryName, string Server, string? CertificateAuthorityData, string UserName, string ContextName, ExecPlugin Exec);

/// <summary>
/// Merges one entry into a kubeconfig at the YAML node level: the entries of the same names are
/// replaced, everything else (other clusters, users, contexts, extensions, preferences, fields we
/// do not know) is carried over node for node, never through a typed model that would drop it.
/// </summary>
public static class KubeconfigDocument
{
    public const string ExecApiVersion = "client.authentication.k8s.io/v1beta1";

    /// <summary>Returns the merged YAML and whether the entry's context is the current context afterwards.</summary>
    public static string Merge(string? existingYaml, KubeconfigEntry entry, bool setCurrentContext, out bool isCurrentContext)
    {
        var root = Load(existingYaml);

        SetString(root, "apiVersion", "v1", onlyIfMissing: true);
        SetString(root, "kind", "Config", onlyIfMissing: true);
        Upsert(root, "clusters", entry.ClusterEntryName, "cluster", ClusterNode(entry));
        Upsert(root, "users", entry.UserName, "user", UserNode(entry.Exec));
        Upsert(root, "contexts", entry.ContextName, "context", ContextNode(entry));

        // Like kubectl, a kubeconfig with no current context gets ours; an existing choice changes only when asked.
        var current = Get(root, "current-context") is YamlScalarNode { Value: { Length: > 0 } c } ? c : null;
        if (setCurrentContext || current is null)
        {
            SetString(root, "current-context", entry.ContextName, onlyIfMissing: false);
            current = entry.ContextName;
        }
        isCurrentContext = current == entry.ContextName;
        return Save(root);
    }

    private static YamlMappingNode Load(string? yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml)) return new YamlMappingNode();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidKubeconfigException($"The kubeconfig is not valid YAML ({e.Start}): {e.Message} Fix or move the file, then run the command again.", e);
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new InvalidKubeconfigException("The kubeconfig's top level is not a mapping (apiVersion, clusters, users, ...). Fix or move the file, then run the command again.");
    }

    private static string Save(YamlMappingNode root)
    {
        var writer = new StringWriter(new StringBuilder()) { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends the document with "...": valid YAML, but noise in a file people read.
        if (text.EndsWith("...\n", StringComparison.Ordinal)) text = text[..^4];
        return text;
    }

    private static YamlNode? Get(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static void SetString(YamlMappingNode map, string key, string value, bool onlyIfMissing)
    {
        if (onlyIfMissing && Get(map, key) is YamlScalarNode { Value: { Length: > 0 } }) return;
        map.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
    }

    /// <summary>Replaces the named entry's body in a list (clusters/users/contexts), or appends a new entry.</summary>
    private static void Upsert(YamlMappingNode root, string listKey, string name, string bodyKey, YamlNode body)
    {
        var list = Get(root, listKey) as YamlSequenceNode;
        if (list is null)
        {
            // A missing or null list ("clusters: null", "users: []" in flow style) becomes a block list.
            list = new YamlSequenceNode();
            root.Children[new YamlScalarNode(listKey)] = list;
        }
        list.Style = YamlDotNet.Core.Events.SequenceStyle.Block;
        foreach (var item in list.Children.OfType<YamlMappingNode>())
        {
            if (Get(item, "name") is YamlScalarNode { Value: var existing } && existing == name)
            {
                item.Children[new YamlScalarNode(bodyKey)] = body;
                return;
            }
        }
        list.Add(new YamlMappingNode(new YamlScalarNode(bodyKey), body, new YamlScalarNode("name"), Plain(name)));
    }

    private static YamlNode ClusterNode(KubeconfigEntry entry)
    {
        var cluster = new YamlMappingNode();
        if (!string.IsNullOrEmpty(entry.CertificateAuthorityData))
            cluster.Add("certificate-authority-data", entry.CertificateAuthorityData);
        cluster.Add("server", Plain(entry.Server));
        return cluster;
    }

    private static YamlNode UserNode(ExecPlugin exec)
    {
        var args = new YamlSequenceNode(exec.Args.Select(a => (YamlNode)Plain(a)));
        var execNode = new YamlMappingNode
        {
            { "apiVersion", ExecApiVersion },
            { "args", args },
            { "command", Plain(exec.Command) },
        };
        if (exec.Env.Count > 0)
        {
            var env = new YamlSequenceNode();
            foreach (var (name, value) in exec.Env)
                env.Add(new YamlMappingNode { { "name", Plain(name) }, { "value", Plain(value) } });
            execNode.Add("env", env);
        }
        // The helper never prompts; "Never" also lets kubectl run it when stdin is not a terminal.
        execNode.Add("interactiveMode", "Never");
        execNode.Add("provideClusterInfo", "false");
        return new YamlMappingNode { { "exec", execNode } };
    }

    private static YamlNode ContextNode(KubeconfigEntry entry) => new YamlMappingNode
    {
        { "cluster", Plain(entry.ClusterEntryName) },
        { "user", Plain(entry.UserName) },
    };

    /// <summary>A string scalar, quoted when plain YAML would read it as something else (a number, true, null, ...).</summary>
    private static YamlScalarNode Plain(string value)
    {
        var node = new YamlScalarNode(value);
        if (NeedsQuotes(value)) node.Style = ScalarStyle.DoubleQuoted;
        return node;
    }

    private static bool NeedsQuotes(string value) =>
        value.Length == 0
        || value is "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            or "yes" or "Yes" or "no" or "No" or "on" or "On" or "off" or "Off" or "y" or "n"
        || double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        || value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || value.StartsWith("0o", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The kubeconfig kubectl would write to: the first entry of KUBECONFIG (split by the OS path
    /// separator), else ~/.kube/config.
    /// </summary>
    public static string DefaultPath(string? kubeconfigVariable, string homeDirectory)
    {
        var first = (kubeconfigVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first ?? Path.Combine(homeDirectory, ".kube", "config");
    }

    /// <summary>
    /// Writes atomically: a temp file in the same directory, owner-only on Unix from creation, then a
    /// rename over the target (a symlinked kubeconfig is written through to its target).
    /// </summary>
    public static void WriteAtomic(string path, string content)
    {
        var target = Path.GetFullPath(path);
        var info = new FileInfo(target);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } linked) target = linked.FullName;
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            // The umask may have narrowed the create mode; an existing file may have been wider: say 0600 outright.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}

public sealed class InvalidKubeconfigException : Exception
{
    public InvalidKubeconfigException(string message, Exception? inner = null) : base(message, inner) { }
}
