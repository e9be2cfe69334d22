using System.Globalization;
using System.Text.Json.Nodes;

namespace EksEmulator.Kube;

/// <summary>
/// A cluster's Kubernetes objects in memory, keyed by resource, namespace and name, with one resourceVersion counter
/// as etcd has. Objects are stored and handed out as copies; callers work inside <see cref="Run{T}"/>.
/// </summary>
public sealed class KubeObjectStore
{
    private readonly object _gate = new();
    private readonly SortedDictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = new();
    private long _resourceVersion = 1;

    public static readonly string[] SystemNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];

    public static KubeObjectStore WithDefaultNamespaces()
    {
        var store = new KubeObjectStore();
        var created = DateTimeOffset.UtcNow;
        foreach (var name in SystemNamespaces)
        {
            var ns = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name } },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            };
            store.Run(view => view.Create(KubeResources.Namespaces, "", ns, created));
        }

        return store;
    }

    public T Run<T>(Func<View, T> work)
    {
        lock (_gate) return work(new View(this));
    }

    public sealed class View(KubeObjectStore store)
    {
        public string CurrentResourceVersion => store._resourceVersion.ToString(CultureInfo.InvariantCulture);

        public JsonObject? Get(KubeResource resource, string ns, string name) =>
            store._objects.TryGetValue((resource.Key, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;

        public List<JsonObject> List(KubeResource resource, string? ns) =>
            store._objects.Where(e => e.Key.Resource == resource.Key && (ns is null || e.Key.Namespace == ns))
                .Select(e => (JsonObject)e.Value.DeepClone()).ToList();

        public bool Exists(KubeResource resource, string ns, string name) => store._objects.ContainsKey((resource.Key, ns, name));

        /// <summary>Stores a new object, filling the server-owned metadata; the caller has checked it does not exist.</summary>
        public JsonObject Create(KubeResource resource, string ns, JsonObject obj, DateTimeOffset now)
        {
            var metadata = (JsonObject)obj["metadata"]!;
            obj["apiVersion"] = resource.GroupVersion;
            obj["kind"] = resource.Kind;
            if (resource.Namespaced) metadata["namespace"] = ns;
            else metadata.Remove("namespace");
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            metadata.Remove("deletionTimestamp");
            metadata.Remove("generation");
            return Put(resource, ns, obj);
        }

        /// <summary>Replaces an object, keeping what the server owns (uid, creationTimestamp) and bumping resourceVersion.</summary>
        public JsonObject Replace(KubeResource resource, string ns, JsonObject current, JsonObject obj)
        {
            var metadata = (JsonObject)obj["metadata"]!;
            var currentMetadata = (JsonObject)current["metadata"]!;
            obj["apiVersion"] = resource.GroupVersion;
            obj["kind"] = resource.Kind;
            foreach (var owned in new[] { "uid", "creationTimestamp", "namespace", "name" })
            {
                if (currentMetadata[owned] is { } value) metadata[owned] = value.DeepClone();
                else metadata.Remove(owned);
            }

            return Put(resource, ns, obj);
        }

        public void Delete(KubeResource resource, string ns, string name) => store._objects.Remove((resource.Key, ns, name));

        /// <summary>Removes every namespaced object of <paramref name="ns"/> (what the namespace controller does on deletion).</summary>
        public void DeleteNamespaceContents(string ns)
        {
            foreach (var key in store._objects.Keys.Where(k => k.Namespace == ns).ToList()) store._objects.Remove(key);
        }

        private JsonObject Put(KubeResource resource, string ns, JsonObject obj)
        {
            var metadata = (JsonObject)obj["metadata"]!;
            metadata["resourceVersion"] = (++store._resourceVersion).ToString(CultureInfo.InvariantCulture);
            var name = metadata["name"]!.GetValue<string>();
            store._objects[(resource.Key, resource.Namespaced ? ns : "", name)] = (JsonObject)obj.DeepClone();
            return obj;
        }
    }
}
