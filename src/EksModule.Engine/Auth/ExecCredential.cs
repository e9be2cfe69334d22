using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EksModule.Engine.Auth;

/// <summary>
/// The client-go ExecCredential that kubectl reads from an exec plugin. Written with Utf8JsonWriter
/// (no reflection), so the NativeAOT token helper shares this file with the engine.
/// </summary>
public static class ExecCredential
{
    public const string V1Beta1 = "client.authentication.k8s.io/v1beta1";
    public const string V1 = "client.authentication.k8s.io/v1";
    public const string V1Alpha1 = "client.authentication.k8s.io/v1alpha1";

    /// <summary>
    /// The apiVersion to answer with: the one kubectl announces in KUBERNETES_EXEC_INFO when it is one
    /// we speak, v1beta1 otherwise (as awscli does). A note for stderr comes back when the input was odd.
    /// </summary>
    public static string DiscoverApiVersion(string? execInfo, out string? warning)
    {
        warning = null;
        if (string.IsNullOrWhiteSpace(execInfo)) return V1Beta1;
        try
        {
            using var doc = JsonDocument.Parse(execInfo);
            var version = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("apiVersion", out var v)
                ? v.GetString() : null;
            if (version is V1 or V1Beta1) return version;
            if (version is V1Alpha1)
            {
                warning = $"The kubeconfig user entry uses the deprecated {V1Alpha1}; run Update-EksKubeconfig to update it.";
                return version;
            }
            warning = $"Unrecognised apiVersion '{version}' in KUBERNETES_EXEC_INFO; answering with {V1Beta1}.";
            return V1Beta1;
        }
        catch (JsonException)
        {
            warning = $"KUBERNETES_EXEC_INFO is not valid JSON; answering with {V1Beta1}.";
            return V1Beta1;
        }
    }

    /// <summary>RFC 3339 UTC to the second, the form client-go and awscli use.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string ToJson(string apiVersion, string token, DateTime expirationUtc)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("kind", "ExecCredential");
            json.WriteString("apiVersion", apiVersion);
            json.WriteStartObject("spec");
            json.WriteEndObject();
            json.WriteStartObject("status");
            json.WriteString("expirationTimestamp", FormatTimestamp(expirationUtc));
            json.WriteString("token", token);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
