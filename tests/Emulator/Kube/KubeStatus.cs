using System.Text.Json.Nodes;

namespace EksEmulator.Kube;

/// <summary>A failed Kubernetes request: the metav1.Status the apiserver answers with.</summary>
public sealed class KubeStatusException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => KubeStatus.Create("Failure", Code, Reason, Message, Details);

    public static KubeStatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static KubeStatusException NotFound(KubeResource resource, string name) =>
        new(404, "NotFound", $"{resource.Key} \"{name}\" not found", KubeStatus.Details(resource, name));

    public static KubeStatusException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");

    public static KubeStatusException AlreadyExists(KubeResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource.Key} \"{name}\" already exists", KubeStatus.Details(resource, name));

    public static KubeStatusException Conflict(KubeResource resource, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource.Key} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            KubeStatus.Details(resource, name));

    public static KubeStatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubeStatusException Invalid(KubeResource resource, string name, string field, string message)
    {
        var details = KubeStatus.Details(resource, name);
        details["kind"] = resource.Kind;
        details["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = message, ["field"] = field });
        return new(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {field}: {message}", details);
    }

    /// <summary>
    /// A 422 with every failed field, worded as the apiserver does: <c>Kind.group "name" is invalid: field: message</c>,
    /// the causes in brackets when there are several.
    /// </summary>
    public static KubeStatusException Invalid(KubeResource resource, string name, IReadOnlyList<KubeStatusCause> causes)
    {
        var details = KubeStatus.Details(resource, name);
        details["kind"] = resource.Kind;
        details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field }).ToArray());
        var kind = resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";
        var list = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {(causes.Count > 1 ? $"[{list}]" : list)}", details);
    }

    /// <summary>The RBAC authorizer's wording: <c>configmaps "x" is forbidden: User "u" cannot get resource "configmaps" in API group "" in the namespace "ns"</c>.</summary>
    public static KubeStatusException Forbidden(string user, string verb, KubeResource resource, string ns, string? name)
    {
        var subject = name is null ? resource.Key : $"{resource.Key} \"{name}\"";
        var where = ns.Length == 0 ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        var message = $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource.Plural}\" in API group \"{resource.Group}\" {where}";
        return new(403, "Forbidden", message, KubeStatus.Details(resource, name));
    }

    public static KubeStatusException ForbiddenPath(string user, string verb, string path) =>
        new(403, "Forbidden", $"forbidden: User \"{user}\" cannot {verb} path \"{path}\"", new JsonObject());
}

/// <summary>One metav1.StatusCause of a 422: the reason (FieldValueInvalid, FieldValueForbidden, ...), message and field path.</summary>
public sealed record KubeStatusCause(string Reason, string Message, string Field);

public static class KubeStatus
{
    public static JsonObject Create(string status, int code, string? reason, string? message, JsonObject? details) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = status,
        ["message"] = message,
        ["reason"] = reason,
        ["details"] = details,
        ["code"] = code,
    }.WithoutNulls();

    public static JsonObject Details(KubeResource resource, string? name)
    {
        var details = new JsonObject();
        if (name is not null) details["name"] = name;
        if (resource.Group.Length > 0) details["group"] = resource.Group;
        details["kind"] = resource.Plural;
        return details;
    }

    public static JsonObject WithoutNulls(this JsonObject obj)
    {
        foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList()) obj.Remove(key);
        return obj;
    }
}
