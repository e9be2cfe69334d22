using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksEmulator.Eks;

namespace EksEmulator.Kube;

/// <summary>
/// The kube-apiserver of every emulated cluster: authenticates EKS bearer tokens, maps and authorizes the caller,
/// then serves discovery and the resources of <see cref="KubeResources"/> from the cluster's object store.
/// </summary>
public sealed partial class KubeApiHandler(EksStore store, EksTokenVerifier verifier, TimeProvider clock, CloudLoadBalancerController loadBalancers, ILogger<KubeApiHandler> logger)
{
    // Paths system:public-info-viewer opens to everyone, and the discovery paths system:discovery opens to every authenticated user.
    private static readonly string[] PublicPaths = ["/version", "/healthz", "/livez", "/readyz"];

    private sealed record ClusterView(string Name, string Version, string Status, KubeObjectStore Objects, string Region, bool PublicAccess = true);

    public async Task HandleAsync(HttpContext context, string region, string clusterName)
    {
        try
        {
            var cluster = await store.RunAsync(view => Task.FromResult(
                view.Find(region, clusterName) is { } c ? new ClusterView(c.Name, c.Version, c.StatusAt(view.Now), c.Objects, c.Region, c.EndpointPublicAccess) : null), context.RequestAborted);
            if (cluster is null || cluster.Status is ClusterStatus.Creating or ClusterStatus.Deleting)
                throw new KubeStatusException(503, "ServiceUnavailable", "the server is currently unable to handle the request");
            // A private-only endpoint answers inside the cluster's VPC alone; every caller here is outside it, so the connection fails.
            if (!cluster.PublicAccess)
            {
                context.Abort();
                return;
            }

            var user = await AuthenticateAsync(context, region, clusterName);
            await RouteAsync(context, cluster, user);
        }
        catch (KubeStatusException e)
        {
            await WriteJsonAsync(context, e.Code, e.ToStatus());
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    private async Task<KubeUser> AuthenticateAsync(HttpContext context, string region, string clusterName)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.Length == 0) return KubeUser.Anonymous;
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) throw KubeStatusException.Unauthorized();
        var token = authorization["Bearer ".Length..].Trim();
        try
        {
            var principal = await verifier.VerifyAsync(token, clusterName, region, context.RequestAborted);
            var user = await store.RunAsync(view => Task.FromResult(
                view.Find(region, clusterName) is { } c ? KubeAuthorizer.MapIdentity(c, principal) : null), context.RequestAborted);
            if (user is null)
            {
                logger.LogInformation("{Cluster}: {Arn} is not mapped by an access entry or aws-auth", clusterName, principal.Arn);
                throw KubeStatusException.Unauthorized();
            }

            return user;
        }
        catch (TokenRejectedException e)
        {
            logger.LogInformation("{Cluster}: token rejected: {Reason}", clusterName, e.Message);
            throw KubeStatusException.Unauthorized();
        }
    }

    private async Task RouteAsync(HttpContext context, ClusterView cluster, KubeUser user)
    {
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;

        if (segments is ["api", "v1", ..] && segments.Length > 2 || segments is ["apis", _, _, ..] && segments.Length > 3)
        {
            await ServeResourceAsync(context, cluster, user, segments);
            return;
        }

        // Non-resource paths: anonymous callers only reach the public ones, authenticated callers all of them.
        var trimmed = "/" + string.Join('/', segments);
        if (user.IsAnonymous && !PublicPaths.Contains(trimmed))
            throw KubeStatusException.ForbiddenPath(user.Name, method.ToLowerInvariant(), path);
        if (method != "GET" && method != "HEAD")
            throw new KubeStatusException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");

        switch (segments)
        {
            case ["version"]:
                await WriteJsonAsync(context, 200, VersionInfo(cluster.Version));
                return;
            case ["healthz" or "livez" or "readyz", ..]:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok");
                return;
            case ["api"]:
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                    {
                        ["clientCIDR"] = "0.0.0.0/0",
                        ["serverAddress"] = context.Request.Host.Value,
                    }),
                });
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(context, 200, ResourceList("v1", KubeResources.All.Where(r => r.Group.Length == 0)));
                return;
            case ["apis"]:
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = "APIGroupList",
                    ["apiVersion"] = "v1",
                    ["groups"] = new JsonArray(KubeResources.NamedGroups().Select(g => (JsonNode)GroupInfo(g.Key, g)).ToArray()),
                });
                return;
            case ["apis", var group] when KubeResources.NamedGroups().FirstOrDefault(g => g.Key == group) is { } found:
                await WriteJsonAsync(context, 200, GroupInfo(group, found).Also(o => { o["kind"] = "APIGroup"; o["apiVersion"] = "v1"; }));
                return;
            case ["apis", var group, var version] when KubeResources.All.Any(r => r.Group == group && r.Version == version):
                await WriteJsonAsync(context, 200, ResourceList($"{group}/{version}", KubeResources.All.Where(r => r.Group == group && r.Version == version)));
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(context, 200, OpenApiV3Root());
                return;
            case ["openapi", "v3", ..] when OpenApiV3Document(string.Join('/', segments[2..])) is { } document:
                await WriteJsonAsync(context, 200, document);
                return;
            default:
                // /openapi/v2 included: kubectl uses v3 when the server offers it.
                throw KubeStatusException.NotFoundPath();
        }
    }

    private static IEnumerable<string> GroupVersionPaths() =>
        KubeResources.All.Select(r => r.Group.Length == 0 ? "api/v1" : $"apis/{r.Group}/{r.Version}").Distinct();

    /// <summary>The OpenAPI v3 index: one document per group version, as the apiserver publishes them.</summary>
    private static JsonObject OpenApiV3Root() => new()
    {
        ["paths"] = new JsonObject(GroupVersionPaths().Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject
        {
            ["serverRelativeURL"] = $"/openapi/v3/{p}?hash={Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(p)))[..16]}",
        }))),
    };

    /// <summary>
    /// A minimal OpenAPI v3 document: paths only, each PATCH marked with its group-version-kind and the fieldValidation
    /// parameter. That is what kubectl reads to choose server-side field validation; no schemas are published.
    /// </summary>
    private static JsonObject? OpenApiV3Document(string groupVersionPath)
    {
        var resources = KubeResources.All.Where(r => (r.Group.Length == 0 ? "api/v1" : $"apis/{r.Group}/{r.Version}") == groupVersionPath).ToList();
        if (resources.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var r in resources)
        {
            var itemPath = "/" + groupVersionPath + (r.Namespaced ? "/namespaces/{namespace}/" : "/") + r.Plural + "/{name}";
            JsonObject Operation(string action) => new()
            {
                ["operationId"] = $"{action}{r.Kind}",
                ["x-kubernetes-action"] = action,
                ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind },
                ["parameters"] = new JsonArray(
                    new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            };
            paths[itemPath] = new JsonObject { ["get"] = Operation("get"), ["put"] = Operation("put"), ["patch"] = Operation("patch") };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "unversioned" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject VersionInfo(string clusterVersion)
    {
        var minor = clusterVersion.Split('.')[1];
        return new JsonObject
        {
            ["major"] = "1",
            ["minor"] = minor + "+",
            ["gitVersion"] = $"v{clusterVersion}.0-eks-{Convert.ToHexStringLower(Encoding.ASCII.GetBytes(clusterVersion))[..7]}",
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2025-01-01T00:00:00Z",
            ["goVersion"] = "go1.24.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    private static JsonObject ResourceList(string groupVersion, IEnumerable<KubeResource> resources) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = groupVersion,
        ["resources"] = new JsonArray(resources.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Plural,
            ["singularName"] = r.Singular,
            ["namespaced"] = r.Namespaced,
            ["kind"] = r.Kind,
            ["verbs"] = new JsonArray(KubeResource.AllVerbs.Select(v => (JsonNode)v).ToArray()),
            ["shortNames"] = new JsonArray(r.ShortNames.Select(s => (JsonNode)s).ToArray()),
        }).ToArray()),
    };

    private static JsonObject GroupInfo(string group, IEnumerable<KubeResource> resources)
    {
        var versions = resources.Select(r => r.Version).Distinct().Select(v => (JsonNode)new JsonObject
        {
            ["groupVersion"] = $"{group}/{v}",
            ["version"] = v,
        }).ToArray();
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(versions),
            ["preferredVersion"] = versions[0]!.DeepClone(),
        };
    }

    // Plain JSON as the apiserver writes it ('+' and '"' unescaped), not the HTML-safe default.
    private static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(WireJson));
    }
}

internal static class JsonNodeExtensions
{
    public static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
