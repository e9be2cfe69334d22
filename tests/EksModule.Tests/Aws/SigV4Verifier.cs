using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksModule.Tests.Infrastructure;

namespace EksModule.Tests.Aws;

/// <summary>What botocore made of one recorded request.</summary>
public sealed record SignatureVerdict(bool Ok, string? Ours, string? Botocore, IReadOnlyList<string> Problems);

/// <summary>One recorded request and the service/region botocore should sign it for.</summary>
public sealed record SigningCase(string Label, RecordedRequest Request, string Service, string Region);

/// <summary>
/// Runs tools/verify_sigv4.py (botocore's SigV4Auth, an implementation independent of the SDK's)
/// over recorded requests, all in one python process to keep the tests fast.
/// </summary>
public static class SigV4Verifier
{
    public static IReadOnlyList<SignatureVerdict> Verify(string baseUrl, string accessKey, string secretKey, string? sessionToken, IReadOnlyList<SigningCase> cases)
    {
        var job = new JsonObject
        {
            ["accessKey"] = accessKey,
            ["secretKey"] = secretKey,
            ["sessionToken"] = sessionToken,
            ["requests"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["service"] = c.Service,
                ["region"] = c.Region,
                ["method"] = c.Request.Method,
                ["url"] = baseUrl + c.Request.Target,
                ["headers"] = new JsonArray(c.Request.Headers.Select(h => (JsonNode)new JsonArray(h.Key, h.Value)).ToArray()),
                ["body"] = Convert.ToBase64String(c.Request.Body),
            }).ToArray()),
        };
        var jobFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(jobFile, job.ToJsonString());
            var script = Path.Combine(AppContext.BaseDirectory, "tools", "verify_sigv4.py");
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(jobFile);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                throw new TimeoutException("verify_sigv4.py did not finish in 30 s");
            }
            if (process.ExitCode != 0) throw new InvalidOperationException($"verify_sigv4.py failed: {stderr.Result}");
            return JsonSerializer.Deserialize<List<SignatureVerdict>>(stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        }
        finally { File.Delete(jobFile); }
    }
}
