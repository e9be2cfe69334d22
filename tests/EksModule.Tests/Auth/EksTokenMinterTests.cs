using System.Diagnostics;
using System.Text;
using EksModule.Engine.Auth;

namespace EksModule.Tests.Auth;

[Collection("environment")]
public sealed class EksTokenMinterTests
{
    private static readonly DateTime Fixed = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Theory]
    [InlineData("us-west-2", "my-cluster", null)]
    [InlineData("us-east-1", "prod", "FQoGZXIvYXdzEJr//////////wEaDM+token/with=odd&chars")]
    [InlineData("eu-central-1", "8f4c2b1a-0d3e-4f5a-9b6c-7d8e9f0a1b2c", "IQoJb3JpZ2luX2VjEOz")]
    [InlineData("cn-north-1", "china", null)]
    public void Token_equals_awscli_TokenGenerator_byte_for_byte(string region, string clusterId, string? sessionToken)
    {
        var ours = EksTokenMinter.Mint(new SigningKeys(AccessKey, SecretKey, sessionToken), region, clusterId, Fixed).Token;
        var theirs = AwscliToken(region, clusterId, sessionToken, Fixed);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void Token_is_unpadded_base64url_of_the_regional_presigned_url()
    {
        var token = EksTokenMinter.Mint(new SigningKeys(AccessKey, SecretKey, "tok"), "ap-south-1", "c1", Fixed);
        Assert.StartsWith("k8s-aws-v1.", token.Token);
        var body = token.Token["k8s-aws-v1.".Length..];
        Assert.DoesNotContain('=', body);
        Assert.DoesNotContain('+', body);
        Assert.DoesNotContain('/', body);
        var padded = body.Replace('-', '+').Replace('_', '/') + new string('=', (4 - body.Length % 4) % 4);
        var url = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        Assert.StartsWith("https://sts.ap-south-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&", url);
        Assert.Contains("&X-Amz-Expires=60&", url);
        Assert.Contains("&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&", url);
        Assert.Contains("&X-Amz-Date=20240506T070809Z&", url);
        Assert.Equal(Fixed.AddMinutes(14), token.ExpirationUtc);
    }

    [Fact]
    public void Signing_the_cluster_id_makes_tokens_differ_per_cluster()
    {
        var keys = new SigningKeys(AccessKey, SecretKey, null);
        Assert.NotEqual(EksTokenMinter.Mint(keys, "us-east-1", "a", Fixed).Token, EksTokenMinter.Mint(keys, "us-east-1", "b", Fixed).Token);
    }

    [Fact]
    public void Keys_do_not_print_the_secret()
        => Assert.DoesNotContain(SecretKey, new SigningKeys(AccessKey, SecretKey, "t").ToString());

    [Theory]
    [InlineData(null, ExecCredential.V1Beta1, false)]
    [InlineData("", ExecCredential.V1Beta1, false)]
    [InlineData("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}", ExecCredential.V1, false)]
    [InlineData("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\"}", ExecCredential.V1Beta1, false)]
    [InlineData("{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\"}", ExecCredential.V1Alpha1, true)]
    [InlineData("{\"apiVersion\":\"client.authentication.k8s.io/v9\"}", ExecCredential.V1Beta1, true)]
    [InlineData("not json", ExecCredential.V1Beta1, true)]
    public void ApiVersion_follows_KUBERNETES_EXEC_INFO(string? execInfo, string expected, bool warns)
    {
        Assert.Equal(expected, ExecCredential.DiscoverApiVersion(execInfo, out var warning));
        Assert.Equal(warns, warning is not null);
    }

    [Fact]
    public void ExecCredential_json_has_the_shape_kubectl_reads()
    {
        var json = ExecCredential.ToJson(ExecCredential.V1Beta1, "k8s-aws-v1.abc", new DateTime(2024, 5, 6, 7, 22, 9, 500, DateTimeKind.Utc));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("ExecCredential", root.GetProperty("kind").GetString());
        Assert.Equal(ExecCredential.V1Beta1, root.GetProperty("apiVersion").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, root.GetProperty("spec").ValueKind);
        Assert.Equal("2024-05-06T07:22:09Z", root.GetProperty("status").GetProperty("expirationTimestamp").GetString());
        Assert.Equal("k8s-aws-v1.abc", root.GetProperty("status").GetProperty("token").GetString());
    }

    internal static string AwscliToken(string region, string clusterId, string? sessionToken, DateTime at)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "tools", "awscli_token.py");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, region, clusterId, AccessKey, SecretKey, sessionToken ?? "-", at.ToString("yyyyMMdd'T'HHmmss") })
            start.ArgumentList.Add(arg);
        // awscli would otherwise read a custom STS endpoint or profile from the test environment.
        foreach (var name in new[] { "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE", "AWS_STS_REGIONAL_ENDPOINTS" })
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"awscli_token.py failed: {stderr}");
        return stdout.Trim();
    }
}
