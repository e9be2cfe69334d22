using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EksEmulator.Kube;

public sealed partial class KubeApiHandler
{
    private async Task ServeResourceAsync(HttpContext context, ClusterView cluster, KubeUser user, string[] segments)
    {
        var (group, version, rest) = segments[0] == "api" ? ("", "v1", segments[2..]) : (segments[1], segments[2], segments[3..]);
        string ns = "", plural;
        string? name;
        switch (rest)
        {
            case ["namespaces", var n, var p, ..] when rest.Length <= 4 && p != "status" && p != "finalize":
                (ns, plural, name) = (n, p, rest.Length == 4 ? rest[3] : null);
                break;
            case [var p]:
                (plural, name) = (p, null);
                break;
            case [var p, var n]:
                (plural, name) = (p, n);
                break;
            default:
                throw KubeStatusException.NotFoundPath();
        }

        var resource = KubeResources.Find(group, version, plural) ?? throw KubeStatusException.NotFoundPath();
        if (!resource.Namespaced && ns.Length > 0) throw KubeStatusException.NotFoundPath();
        if (resource.Namespaced && name is not null && ns.Length == 0) throw KubeStatusException.NotFoundPath();

        var method = context.Request.Method;
        var query = context.Request.Query;
        var verb = (method, name) switch
        {
            ("GET" or "HEAD", null) => IsTrue(query["watch"]) ? "watch" : "list",
            ("GET" or "HEAD", _) => "get",
            ("POST", null) => "create",
            ("PUT", not null) => "update",
            ("PATCH", not null) => "patch",
            ("DELETE", not null) => "delete",
            ("DELETE", null) => "deletecollection",
            _ => throw new KubeStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
        };

        // The authorizer sees a create under the body's name only after parsing; RBAC authorizes creates without a name.
        if (!KubeAuthorizer.Allows(user, verb, resource, ns))
            throw KubeStatusException.Forbidden(user.Name, verb, resource, ns, verb == "create" ? null : name);

        var now = clock.GetUtcNow();
        switch (verb)
        {
            case "get":
            {
                var obj = cluster.Objects.Run(view => view.Get(resource, ns, name!)) ?? throw KubeStatusException.NotFound(resource, name!);
                await WriteObjectOrTableAsync(context, resource, [obj], obj, cluster.Objects, now);
                return;
            }
            case "list":
            {
                var (items, resourceVersion) = cluster.Objects.Run(view => (view.List(resource, resource.Namespaced && ns.Length > 0 ? ns : null), view.CurrentResourceVersion));
                items = Select(items, query["labelSelector"].ToString(), query["fieldSelector"].ToString());
                var list = new JsonObject
                {
                    ["kind"] = resource.Kind + "List",
                    ["apiVersion"] = resource.GroupVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
                    ["items"] = new JsonArray(items.Select(i => { i.Remove("kind"); i.Remove("apiVersion"); return (JsonNode)i; }).ToArray()),
                };
                await WriteObjectOrTableAsync(context, resource, items, list, cluster.Objects, now, resourceVersion);
                return;
            }
            case "create":
            {
                var created = Create(cluster.Objects, resource, ns, await ReadObjectAsync(context, resource), now, IsDryRun(query));
                if (!IsDryRun(query)) NotifyControllers(cluster, resource, ns, null, created);
                await WriteJsonAsync(context, 201, created);
                return;
            }
            case "update":
            {
                var updated = Update(cluster.Objects, resource, ns, name!, await ReadObjectAsync(context, resource), IsDryRun(query));
                if (!IsDryRun(query)) NotifyControllers(cluster, resource, ns, name, updated);
                await WriteJsonAsync(context, 200, updated);
                return;
            }
            case "patch":
            {
                var patched = Patch(cluster.Objects, resource, ns, name!, context.Request.ContentType ?? "", await ReadBodyAsync(context), IsDryRun(query));
                if (!IsDryRun(query)) NotifyControllers(cluster, resource, ns, name, patched);
                await WriteJsonAsync(context, 200, patched);
                return;
            }
            case "delete":
            {
                var (code, body) = Delete(cluster.Objects, resource, ns, name!, now, IsDryRun(query));
                if (!IsDryRun(query)) NotifyControllers(cluster, resource, ns, name, body);
                await WriteJsonAsync(context, code, body);
                return;
            }
            default:
                throw new KubeStatusException(405, "MethodNotAllowed", $"{verb} is not supported by this emulator");
        }
    }

    /// <summary>After a write that took effect, the cloud controllers get to see the Service or Ingress.</summary>
    private void NotifyControllers(ClusterView cluster, KubeResource resource, string ns, string? name, JsonObject written)
    {
        if (resource == KubeResources.Namespaces && written["status"]?["phase"]?.GetValue<string>() == "Terminating")
            loadBalancers.NotifyNamespaceDeleted(cluster.Region, cluster.Name, cluster.Objects, name!);
        else
            loadBalancers.Notify(cluster.Region, cluster.Name, cluster.Objects, resource, ns, name ?? written["metadata"]?["name"]?.GetValue<string>() ?? "");
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is "true" or "1";

    private static bool IsDryRun(IQueryCollection query) => query["dryRun"].ToString() == "All";

    private static JsonObject Create(KubeObjectStore objects, KubeResource resource, string ns, JsonObject obj, DateTimeOffset now, bool dryRun)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        var name = metadata["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name) && metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
            metadata["name"] = name = prefix + Guid.NewGuid().ToString("N")[..5];
        if (string.IsNullOrEmpty(name)) throw KubeStatusException.Invalid(resource, "", "metadata.name", "Required value: name or generateName is required");
        ValidateName(resource, name);
        if (resource.Namespaced && metadata["namespace"]?.GetValue<string>() is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
            throw KubeStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        if (resource == KubeResources.Namespaces)
        {
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["kubernetes.io/metadata.name"] = name;
            metadata["labels"] = labels;
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (resource == KubeResources.Pods)
        {
            PodDefaults.PrepareForCreate(obj, name);
        }

        resource.Admit?.Invoke(null, obj);
        return objects.Run(view =>
        {
            if (resource.Namespaced && !view.Exists(KubeResources.Namespaces, "", ns)) throw KubeStatusException.NotFound(KubeResources.Namespaces, ns);
            if (view.Exists(resource, ns, name)) throw KubeStatusException.AlreadyExists(resource, name);
            if (resource.Namespaced && view.Get(KubeResources.Namespaces, "", ns)?["status"]?["phase"]?.GetValue<string>() == "Terminating")
                throw new KubeStatusException(403, "Forbidden", $"{resource.Key} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
            if (dryRun) return obj;
            return view.Create(resource, ns, obj, now);
        });
    }

    private static JsonObject Update(KubeObjectStore objects, KubeResource resource, string ns, string name, JsonObject obj, bool dryRun)
    {
        var metadata = obj["metadata"] as JsonObject ?? throw KubeStatusException.BadRequest("metadata is required");
        var bodyName = metadata["name"]?.GetValue<string>();
        if (bodyName != name) throw KubeStatusException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        if (resource.Namespaced && metadata["namespace"]?.GetValue<string>() is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
            throw KubeStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        return objects.Run(view =>
        {
            var current = view.Get(resource, ns, name) ?? throw KubeStatusException.NotFound(resource, name);
            // An update naming a resourceVersion is conditional on it: optimistic concurrency as etcd enforces it.
            if (metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } expected
                && expected != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                throw KubeStatusException.Conflict(resource, name);
            if (resource == KubeResources.Pods) PodDefaults.KeepStatus(current, obj);
            resource.Admit?.Invoke(current, obj);
            return dryRun ? obj : view.Replace(resource, ns, current, obj);
        });
    }

    private static JsonObject Patch(KubeObjectStore objects, KubeResource resource, string ns, string name, string contentType, string body, bool dryRun)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        JsonNode? patch;
        try { patch = JsonNode.Parse(body); }
        catch (JsonException e) { throw KubeStatusException.BadRequest($"error decoding patch: {e.Message}"); }

        return objects.Run(view =>
        {
            var current = view.Get(resource, ns, name) ?? throw KubeStatusException.NotFound(resource, name);
            var patched = mediaType switch
            {
                "application/merge-patch+json" or "application/strategic-merge-patch+json" when patch is JsonObject merge =>
                    (JsonObject)MergePatch(current.DeepClone(), merge)!,
                "application/json-patch+json" when patch is JsonArray operations => JsonPatch(current, operations),
                "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/json-patch+json" =>
                    throw KubeStatusException.BadRequest("the patch document has the wrong shape for its content type"),
                _ => throw new KubeStatusException(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
            };
            if (patched["metadata"] is not JsonObject metadata) throw KubeStatusException.BadRequest("metadata is required");
            if (metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } expected
                && expected != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                throw KubeStatusException.Conflict(resource, name);
            metadata["name"] = name;
            if (resource == KubeResources.Pods) PodDefaults.KeepStatus(current, patched);
            resource.Admit?.Invoke(current, patched);
            return dryRun ? patched : view.Replace(resource, ns, current, patched);
        });
    }

    private static (int Code, JsonObject Body) Delete(KubeObjectStore objects, KubeResource resource, string ns, string name, DateTimeOffset now, bool dryRun) =>
        objects.Run(view =>
        {
            var current = view.Get(resource, ns, name) ?? throw KubeStatusException.NotFound(resource, name);
            if (resource == KubeResources.Namespaces)
            {
                if (KubeObjectStore.SystemNamespaces.Contains(name))
                    throw new KubeStatusException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted", KubeStatus.Details(resource, name));
                // The namespace controller finishes at once here: the answer shows the Terminating namespace, then it is gone.
                current["metadata"]!["deletionTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                current["status"] = new JsonObject { ["phase"] = "Terminating" };
                if (!dryRun)
                {
                    view.DeleteNamespaceContents(name);
                    view.Delete(resource, ns, name);
                }

                return (200, current);
            }

            if (!dryRun) view.Delete(resource, ns, name);
            // Like the real registries (ReturnDeletedObject), deleting a Service or StorageClass answers with the deleted object.
            if (resource == KubeResources.Services || resource == KubeStorageClasses.Resource) return (200, current);
            var details = KubeStatus.Details(resource, name);
            details["uid"] = current["metadata"]!["uid"]?.DeepClone();
            return (200, KubeStatus.Create("Success", 200, null, null, details));
        });

    /// <summary>RFC 7386 JSON merge patch; strategic-merge directives ($patch, $retainKeys, ...) are dropped, which is exact for maps.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith('$')) continue;
            if (value is null) result.Remove(key);
            else result[key] = MergePatch(result[key]?.DeepClone(), value);
        }

        return result;
    }

    /// <summary>RFC 6902 JSON patch (add, remove, replace, test, copy, move) over object members and array indexes.</summary>
    private static JsonObject JsonPatch(JsonObject current, JsonArray operations)
    {
        JsonNode document = current.DeepClone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.GetValue<string>();
            var path = operation["path"]?.GetValue<string>() ?? throw KubeStatusException.BadRequest("json patch operation without path");
            switch (op)
            {
                case "add": Set(document, path, operation["value"]?.DeepClone(), insert: true); break;
                case "replace": Remove(document, path); Set(document, path, operation["value"]?.DeepClone(), insert: true); break;
                case "remove": Remove(document, path); break;
                case "test":
                    if (!JsonNode.DeepEquals(Find(document, path), operation["value"])) throw new KubeStatusException(422, "Invalid", $"the test of path {path} failed");
                    break;
                case "copy": Set(document, path, Find(document, operation["from"]?.GetValue<string>() ?? "")?.DeepClone(), insert: true); break;
                case "move":
                {
                    var from = operation["from"]?.GetValue<string>() ?? "";
                    var value = Find(document, from)?.DeepClone();
                    Remove(document, from);
                    Set(document, path, value, insert: true);
                    break;
                }
                default: throw KubeStatusException.BadRequest($"unknown json patch operation \"{op}\"");
            }
        }

        return document as JsonObject ?? throw KubeStatusException.BadRequest("the patch replaced the object with a non-object");
    }

    private static string[] Pointer(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static JsonNode? Find(JsonNode document, string path)
    {
        JsonNode? node = document;
        foreach (var token in Pointer(path))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new KubeStatusException(422, "Invalid", $"the json patch path {path} does not exist"),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode document, string path)
    {
        var tokens = Pointer(path);
        if (tokens.Length == 0) throw KubeStatusException.BadRequest("json patch on the whole document is not supported");
        var parentPath = tokens.Length == 1 ? "" : path[..path.LastIndexOf('/')];
        return (Find(document, parentPath) ?? throw new KubeStatusException(422, "Invalid", $"the json patch path {path} does not exist"), tokens[^1]);
    }

    private static void Set(JsonNode document, string path, JsonNode? value, bool insert)
    {
        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                if (insert) a.Insert(i, value); else a[i] = value;
                break;
            default: throw new KubeStatusException(422, "Invalid", $"the json patch path {path} does not exist");
        }
    }

    private static void Remove(JsonNode document, string path)
    {
        var (parent, last) = Parent(document, path);
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count => Do(() => a.RemoveAt(i)),
            _ => false,
        };
        if (!removed) throw new KubeStatusException(422, "Invalid", $"the json patch path {path} does not exist");
    }

    private static bool Do(Action action)
    {
        action();
        return true;
    }

    private static void ValidateName(KubeResource resource, string name)
    {
        // Namespaces are RFC 1123 labels; most other objects RFC 1123 subdomains.
        if (resource == KubeResources.Namespaces)
        {
            if (name.Length > 63 || !LabelPattern().IsMatch(name))
                throw KubeStatusException.Invalid(resource, name, "metadata.name",
                    $"Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        }
        else if (name.Length > 253 || !SubdomainPattern().IsMatch(name))
        {
            throw KubeStatusException.Invalid(resource, name, "metadata.name",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, KubeResource resource)
    {
        var mediaType = (context.Request.ContentType ?? "application/json").Split(';')[0].Trim();
        JsonObject obj;
        if (mediaType == KubeProtobuf.MediaType)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            obj = KubeProtobuf.Decode(buffer.ToArray(), resource);
        }
        else if (mediaType is "application/json" or "*/*")
        {
            JsonNode? node;
            try { node = JsonNode.Parse(await ReadBodyAsync(context)); }
            catch (JsonException e) { throw KubeStatusException.BadRequest($"the object provided is unrecognized: {e.Message}"); }
            obj = node as JsonObject ?? throw KubeStatusException.BadRequest("the object provided is not a JSON object");
        }
        else
        {
            throw new KubeStatusException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, {KubeProtobuf.MediaType}");
        }

        var kind = obj["kind"]?.GetValue<string>();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if (kind is not null && kind != resource.Kind || apiVersion is not null && apiVersion != resource.GroupVersion)
            throw KubeStatusException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        return obj;
    }

    /// <summary>Equality-based label selectors (a=b, a==b, a!=b, a, !a, a in (x,y)) and metadata.name/namespace field selectors.</summary>
    private static List<JsonObject> Select(List<JsonObject> items, string labelSelector, string fieldSelector)
    {
        IEnumerable<JsonObject> selected = items;
        foreach (var requirement in SplitSelector(labelSelector))
        {
            var r = requirement.Trim();
            Func<JsonObject?, bool> test;
            var setMatch = SetRequirement().Match(r);
            if (setMatch.Success)
            {
                var key = setMatch.Groups["key"].Value;
                var values = setMatch.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries);
                var negate = setMatch.Groups["op"].Value == "notin";
                test = labels => labels?[key] is { } v ? values.Contains(v.GetValue<string>()) != negate : negate;
            }
            else if (r.Contains("!="))
            {
                var (key, value) = (r[..r.IndexOf("!=", StringComparison.Ordinal)].Trim(), r[(r.IndexOf("!=", StringComparison.Ordinal) + 2)..].Trim());
                test = labels => labels?[key]?.GetValue<string>() != value;
            }
            else if (r.Contains('='))
            {
                var parts = r.Split('=', 2);
                var (key, value) = (parts[0].Trim(), parts[1].TrimStart('=').Trim());
                test = labels => labels?[key]?.GetValue<string>() == value;
            }
            else if (r.StartsWith('!'))
            {
                var key = r[1..].Trim();
                test = labels => labels?[key] is null;
            }
            else
            {
                test = labels => labels?[r] is not null;
            }

            selected = selected.Where(o => test(o["metadata"]?["labels"] as JsonObject)).ToList();
        }

        foreach (var requirement in fieldSelector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = requirement.Contains("!=");
            var parts = requirement.Split(negate ? "!=" : "=", 2);
            var field = parts[0].Trim();
            var value = parts.Length > 1 ? parts[1].TrimStart('=').Trim() : "";
            if (field is not ("metadata.name" or "metadata.namespace"))
                throw KubeStatusException.BadRequest($"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            var member = field["metadata.".Length..];
            selected = selected.Where(o => (o["metadata"]?[member]?.GetValue<string>() == value) != negate).ToList();
        }

        return selected.ToList();
    }

    private static IEnumerable<string> SplitSelector(string selector)
    {
        // Commas inside "in (a,b)" do not separate requirements.
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '(') depth++;
            else if (selector[i] == ')') depth--;
            else if (selector[i] == ',' && depth == 0)
            {
                if (i > start) yield return selector[start..i];
                start = i + 1;
            }
        }

        if (start < selector.Length) yield return selector[start..];
    }

    /// <summary>Answers a Table (meta.k8s.io/v1) when the client asks for one, as kubectl get does; else the object or list.</summary>
    private static async Task WriteObjectOrTableAsync(
        HttpContext context, KubeResource resource, List<JsonObject> rows, JsonObject plain, KubeObjectStore objects, DateTimeOffset now, string? resourceVersion = null)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (!accept.Contains("as=Table", StringComparison.Ordinal) || resource.Columns is null || resource.Cells is null)
        {
            await WriteJsonAsync(context, 200, plain);
            return;
        }

        var includeObject = context.Request.Query["includeObject"].ToString();
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion ?? objects.Run(v => v.CurrentResourceVersion) },
            ["columnDefinitions"] = new JsonArray(resource.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = c.Description, ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = new JsonArray(rows.Select(row =>
            {
                var cells = new JsonArray(resource.Cells(row, resource.Columns, now).Select(v => v switch
                {
                    null => null,
                    bool b => JsonValue.Create(b),
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    _ => (JsonNode)JsonValue.Create(v.ToString()!),
                }).ToArray());
                var entry = new JsonObject { ["cells"] = cells };
                if (includeObject == "Object")
                {
                    var full = (JsonObject)row.DeepClone();
                    full["kind"] = resource.Kind;
                    full["apiVersion"] = resource.GroupVersion;
                    entry["object"] = full;
                }
                else if (includeObject != "None")
                {
                    entry["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = row["metadata"]?.DeepClone(),
                    };
                }

                return (JsonNode)entry;
            }).ToArray()),
        };
        await WriteJsonAsync(context, 200, table);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^(?<key>[^\s!=]+)\s+(?<op>in|notin)\s+\((?<values>[^)]*)\)$")]
    private static partial Regex SetRequirement();
}
