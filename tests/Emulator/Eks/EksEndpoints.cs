using System.Text.Json;
using EksEmulator.FrontDoor;

namespace EksEmulator.Eks;

/// <summary>Names the EKS operation a route serves; the front door logs and faults requests by it.</summary>
public sealed record EksOperation(string Name);

/// <summary>The EKS restJson1 routes (URIs of botocore's eks 2017-11-01 model), thin over <see cref="EksService"/>.</summary>
public static class EksEndpoints
{
    public static void MapEks(this IEndpointRouteBuilder app)
    {
        Map(app, "POST", "/clusters", "CreateCluster", async (ctx, eks) =>
            new { cluster = await eks.CreateClusterAsync(Region(ctx), AwsRequestClassifier.ReadAccessKeyId(ctx.Request), await BodyAsync<CreateClusterRequest>(ctx), ctx.RequestAborted) });
        Map(app, "GET", "/clusters", "ListClusters", async (ctx, eks) =>
        {
            var (names, next) = await eks.ListClustersAsync(Region(ctx), MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { clusters = names, nextToken = next };
        });
        Map(app, "GET", "/clusters/{name}", "DescribeCluster", async (ctx, eks) =>
            new { cluster = await eks.DescribeClusterAsync(Region(ctx), Route(ctx, "name"), ctx.RequestAborted) });
        Map(app, "DELETE", "/clusters/{name}", "DeleteCluster", async (ctx, eks) =>
            new { cluster = await eks.DeleteClusterAsync(Region(ctx), Route(ctx, "name"), ctx.RequestAborted) });

        Map(app, "POST", "/clusters/{name}/update-config", "UpdateClusterConfig", async (ctx, eks) =>
            new { update = await eks.UpdateClusterConfigAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<UpdateClusterConfigRequest>(ctx), ctx.RequestAborted) });
        Map(app, "GET", "/clusters/{name}/updates", "ListUpdates", async (ctx, eks) =>
        {
            var (ids, next) = await eks.ListUpdatesAsync(Region(ctx), Route(ctx, "name"), Query(ctx, "nodegroupName"), MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { updateIds = ids, nextToken = next };
        });
        Map(app, "GET", "/clusters/{name}/updates/{updateId}", "DescribeUpdate", async (ctx, eks) =>
            new
            {
                update = Query(ctx, "addonName") is { } addon
                    ? await eks.DescribeAddonUpdateAsync(Region(ctx), Route(ctx, "name"), addon, Route(ctx, "updateId"), ctx.RequestAborted)
                    : await eks.DescribeUpdateAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "updateId"), Query(ctx, "nodegroupName"), ctx.RequestAborted),
            });
        Map(app, "POST", "/clusters/{name}/updates", "UpdateClusterVersion", async (ctx, eks) =>
            new { update = await eks.UpdateClusterVersionAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<UpdateClusterVersionRequest>(ctx), ctx.RequestAborted) });
        Map(app, "POST", "/clusters/{name}/node-groups/{nodegroupName}/update-version", "UpdateNodegroupVersion", async (ctx, eks) =>
            new { update = await eks.UpdateNodegroupVersionAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "nodegroupName"), await BodyAsync<UpdateNodegroupVersionRequest>(ctx), ctx.RequestAborted) });
        Map(app, "POST", "/clusters/{name}/insights", "ListInsights", async (ctx, eks) =>
        {
            var (insights, next) = await eks.ListInsightsAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<ListInsightsRequest>(ctx), ctx.RequestAborted);
            return new { insights, nextToken = next };
        });

        Map(app, "GET", "/addons/supported-versions", "DescribeAddonVersions", async (ctx, eks) =>
        {
            var (addons, next) = await eks.DescribeAddonVersionsAsync(Query(ctx, "kubernetesVersion"), Query(ctx, "addonName"), MaxResults(ctx), Query(ctx, "nextToken"));
            return new { addons, nextToken = next };
        });
        Map(app, "POST", "/clusters/{name}/addons", "CreateAddon", async (ctx, eks) =>
            new { addon = await eks.CreateAddonAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<CreateAddonRequest>(ctx), ctx.RequestAborted) });
        Map(app, "GET", "/clusters/{name}/addons", "ListAddons", async (ctx, eks) =>
        {
            var (names, next) = await eks.ListAddonsAsync(Region(ctx), Route(ctx, "name"), MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { addons = names, nextToken = next };
        });
        Map(app, "GET", "/clusters/{name}/addons/{addonName}", "DescribeAddon", async (ctx, eks) =>
            new { addon = await eks.DescribeAddonAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "addonName"), ctx.RequestAborted) });
        Map(app, "POST", "/clusters/{name}/addons/{addonName}/update", "UpdateAddon", async (ctx, eks) =>
            new { update = await eks.UpdateAddonAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "addonName"), await BodyAsync<UpdateAddonRequest>(ctx), ctx.RequestAborted) });
        Map(app, "DELETE", "/clusters/{name}/addons/{addonName}", "DeleteAddon", async (ctx, eks) =>
            new { addon = await eks.DeleteAddonAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "addonName"), ctx.RequestAborted) });

        Map(app, "POST", "/clusters/{name}/node-groups", "CreateNodegroup", async (ctx, eks) =>
            new { nodegroup = await eks.CreateNodegroupAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<CreateNodegroupRequest>(ctx), ctx.RequestAborted) });
        Map(app, "GET", "/clusters/{name}/node-groups", "ListNodegroups", async (ctx, eks) =>
        {
            var (names, next) = await eks.ListNodegroupsAsync(Region(ctx), Route(ctx, "name"), MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { nodegroups = names, nextToken = next };
        });
        Map(app, "GET", "/clusters/{name}/node-groups/{nodegroupName}", "DescribeNodegroup", async (ctx, eks) =>
            new { nodegroup = await eks.DescribeNodegroupAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "nodegroupName"), ctx.RequestAborted) });
        Map(app, "POST", "/clusters/{name}/node-groups/{nodegroupName}/update-config", "UpdateNodegroupConfig", async (ctx, eks) =>
            new { update = await eks.UpdateNodegroupConfigAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "nodegroupName"), await BodyAsync<UpdateNodegroupConfigRequest>(ctx), ctx.RequestAborted) });
        Map(app, "DELETE", "/clusters/{name}/node-groups/{nodegroupName}", "DeleteNodegroup", async (ctx, eks) =>
            new { nodegroup = await eks.DeleteNodegroupAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "nodegroupName"), ctx.RequestAborted) });

        const string entry = "/clusters/{name}/access-entries/{principalArn}";
        Map(app, "POST", "/clusters/{name}/access-entries", "CreateAccessEntry", async (ctx, eks) =>
            new { accessEntry = await eks.CreateAccessEntryAsync(Region(ctx), Route(ctx, "name"), await BodyAsync<CreateAccessEntryRequest>(ctx), ctx.RequestAborted) });
        Map(app, "GET", "/clusters/{name}/access-entries", "ListAccessEntries", async (ctx, eks) =>
        {
            var (arns, next) = await eks.ListAccessEntriesAsync(Region(ctx), Route(ctx, "name"), Query(ctx, "associatedPolicyArn"), MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { accessEntries = arns, nextToken = next };
        });
        Map(app, "GET", entry, "DescribeAccessEntry", async (ctx, eks) =>
            new { accessEntry = await eks.DescribeAccessEntryAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "principalArn"), ctx.RequestAborted) });
        Map(app, "POST", entry, "UpdateAccessEntry", async (ctx, eks) =>
            new { accessEntry = await eks.UpdateAccessEntryAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "principalArn"), await BodyAsync<UpdateAccessEntryRequest>(ctx), ctx.RequestAborted) });
        Map(app, "DELETE", entry, "DeleteAccessEntry", async (ctx, eks) =>
        {
            await eks.DeleteAccessEntryAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "principalArn"), ctx.RequestAborted);
            return new { };
        });
        Map(app, "POST", entry + "/access-policies", "AssociateAccessPolicy", async (ctx, eks) =>
        {
            var (cluster, principal) = (Route(ctx, "name"), Route(ctx, "principalArn"));
            var associated = await eks.AssociateAccessPolicyAsync(Region(ctx), cluster, principal, await BodyAsync<AssociateAccessPolicyRequest>(ctx), ctx.RequestAborted);
            return new { clusterName = cluster, principalArn = principal, associatedAccessPolicy = associated };
        });
        Map(app, "GET", entry + "/access-policies", "ListAssociatedAccessPolicies", async (ctx, eks) =>
        {
            var (cluster, principal) = (Route(ctx, "name"), Route(ctx, "principalArn"));
            var (policies, next) = await eks.ListAssociatedAccessPoliciesAsync(Region(ctx), cluster, principal, MaxResults(ctx), Query(ctx, "nextToken"), ctx.RequestAborted);
            return new { clusterName = cluster, principalArn = principal, nextToken = next, associatedAccessPolicies = policies };
        });
        Map(app, "DELETE", entry + "/access-policies/{policyArn}", "DisassociateAccessPolicy", async (ctx, eks) =>
        {
            await eks.DisassociateAccessPolicyAsync(Region(ctx), Route(ctx, "name"), Route(ctx, "principalArn"), Route(ctx, "policyArn"), ctx.RequestAborted);
            return new { };
        });
        Map(app, "GET", "/access-policies", "ListAccessPolicies", (ctx, _) =>
        {
            var (policies, next) = EksService.ListAccessPolicies(MaxResults(ctx), Query(ctx, "nextToken"));
            return Task.FromResult<object>(new { accessPolicies = policies, nextToken = next });
        });

        // The ARN is one URI label; SDKs percent-encode its '/' but a catch-all also accepts it unencoded.
        Map(app, "GET", "/tags/{**resourceArn}", "ListTagsForResource", async (ctx, eks) =>
            new { tags = await eks.ListTagsAsync(Region(ctx), Route(ctx, "resourceArn"), ctx.RequestAborted) });
        Map(app, "POST", "/tags/{**resourceArn}", "TagResource", async (ctx, eks) =>
        {
            await eks.TagResourceAsync(Region(ctx), Route(ctx, "resourceArn"), (await BodyAsync<TagResourceRequest>(ctx)).Tags, ctx.RequestAborted);
            return new { };
        });
        Map(app, "DELETE", "/tags/{**resourceArn}", "UntagResource", async (ctx, eks) =>
        {
            await eks.UntagResourceAsync(Region(ctx), Route(ctx, "resourceArn"), ctx.Request.Query["tagKeys"].OfType<string>(), ctx.RequestAborted);
            return new { };
        });
    }

    private static void Map(IEndpointRouteBuilder app, string method, string pattern, string operation, Func<HttpContext, EksService, Task<object>> handler) =>
        app.MapMethods(pattern, [method], async (HttpContext ctx, EksService eks) => Results.Json(await handler(ctx, eks), EksJson.Options))
            .WithMetadata(new EksOperation(operation));

    private static string Region(HttpContext ctx) => ctx.GetAwsRequest().Region;

    private static string Route(HttpContext ctx, string name) => Uri.UnescapeDataString((string)ctx.Request.RouteValues[name]!);

    private static string? Query(HttpContext ctx, string name) => ctx.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    private static int? MaxResults(HttpContext ctx)
    {
        var text = Query(ctx, "maxResults");
        if (text is null) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw EksException.InvalidParameter("maxResults must be an integer between 1 and 100.");
    }

    private static async Task<T> BodyAsync<T>(HttpContext ctx)
    {
        try
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var text = await reader.ReadToEndAsync(ctx.RequestAborted);
            return JsonSerializer.Deserialize<T>(string.IsNullOrWhiteSpace(text) ? "{}" : text, EksJson.Options)!;
        }
        catch (JsonException e)
        {
            throw EksException.BadRequest($"The request body is not valid JSON for this operation: {e.Message}");
        }
    }
}
