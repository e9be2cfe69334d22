using Amazon.EC2.Model;
using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Iam;
using EksModule.Tests.Infrastructure;

namespace EksModule.Tests.Aws;

/// <summary>
/// Every protocol the engine speaks, sent through a custom endpoint to a recorder, then re-signed by
/// botocore: the signature must match, the scope must name the session's region, and every signed
/// header must have been sent.
/// </summary>
[Collection("environment")]
public sealed class SignatureVerificationTests : IDisposable
{
    private const string AccessKey = "AKIDSIGV4EXAMPLE";
    private const string SecretKey = "sigv4/Secret+Key/EXAMPLEKEY0123456789abcd";
    private const string SessionToken = "FwoGZXIvYXdzEXAMPLE//token+with/odd=chars";

    private readonly RequestRecorder _recorder = new();
    private readonly EnvironmentScope _environment = new();

    public static TheoryData<string, bool> RegionsAndTokens => new()
    {
        { "us-east-1", false },
        { "us-east-1", true },
        { "eu-west-1", false },
        { "eu-west-1", true },
    };

    private AwsSession Session(string region, bool withToken) => AwsSession.Resolve(new AwsConnectionOptions
    {
        Region = region,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        SessionToken = withToken ? SessionToken : null,
        EndpointUrl = _recorder.Url,
    });

    private async Task<List<SigningCase>> SendEveryKindOfRequestAsync(AwsSession session)
    {
        var eks = new EksApi(session);
        var cases = new List<SigningCase>();

        async Task Record(string label, string service, Func<Task> call)
        {
            _recorder.Clear();
            await call();
            var requests = _recorder.Requests;
            Assert.NotEmpty(requests);
            for (var i = 0; i < requests.Count; i++)
                cases.Add(new SigningCase(requests.Count == 1 ? label : $"{label} #{i + 1}", requests[i], service, session.Region));
        }

        await Record("EKS DescribeCluster (GET)", "eks", async () =>
            Assert.Equal("ACTIVE", (await eks.DescribeClusterAsync("prod-1", default)).Status));
        await Record("EKS ListClusters (GET with query)", "eks", async () =>
            Assert.Empty(await eks.ListClustersAsync(default)));
        // nextToken values are opaque and full of characters that need encoding in the canonical query.
        _recorder.ListClustersNextToken = "eyJ2IjoxfQ==/+ &x~";
        await Record("EKS ListClusters (maxResults + nextToken)", "eks", async () =>
            Assert.Equal(new[] { "first" }, await eks.ListClustersAsync(default)));
        _recorder.ListClustersNextToken = null;
        await Record("EKS CreateCluster (POST JSON)", "eks", async () =>
        {
            var created = await eks.CreateClusterAsync(new CreateClusterRequest
            {
                Name = "prod-1",
                Version = "1.32",
                RoleArn = "arn:aws:iam::123456789012:role/eks",
                ResourcesVpcConfig = new VpcConfigRequest { SubnetIds = new() { "subnet-1", "subnet-2" } },
                ClientRequestToken = "token-1",
                Tags = new() { ["team"] = "ops & dev" },
            }, default);
            Assert.Equal("CREATING", created.Status);
        });
        await Record("EKS DeleteCluster (DELETE)", "eks", async () =>
            Assert.Equal("DELETING", (await eks.DeleteClusterAsync("prod-1", default)).Status));
        await Record("IAM GetRole (awsQuery POST)", "iam", async () =>
            Assert.Equal("eks-role", (await new IamApi(session).TryGetRoleAsync("eks-role", default))!.RoleName));
        await Record("EC2 DescribeVpcs (AWSSDK.EC2)", "ec2", async () =>
            Assert.Empty((await session.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest
            {
                Filters = new() { new Filter("tag:eks-cluster", new() { "prod 1" }) },
            })).Vpcs ?? new()));
        return cases;
    }

    [Theory]
    [MemberData(nameof(RegionsAndTokens))]
    public async Task EveryProtocolVerifiesWithBotocore(string region, bool withToken)
    {
        using var session = Session(region, withToken);
        var cases = await SendEveryKindOfRequestAsync(session);

        var verdicts = SigV4Verifier.Verify(_recorder.Url, AccessKey, SecretKey, withToken ? SessionToken : null, cases);

        var failures = cases.Zip(verdicts)
            .Where(pair => !pair.Second.Ok)
            .Select(pair => $"{pair.First.Label}: {string.Join("; ", pair.Second.Problems)} (ours {pair.Second.Ours}, botocore {pair.Second.Botocore})")
            .ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(cases.Count, verdicts.Count);
    }

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("eu-west-1")]
    [InlineData("ap-southeast-2")]
    public async Task CustomEndpointsAreSignedForTheSessionRegion(string region)
    {
        using var session = Session(region, withToken: false);
        var cases = await SendEveryKindOfRequestAsync(session);
        foreach (var c in cases)
        {
            var authorization = c.Request.Header("Authorization") ?? "";
            Assert.Contains($"/{region}/{c.Service}/aws4_request", authorization);
        }
    }

    [Fact]
    public async Task ABodylessGetCarriesNoContentType()
    {
        using var session = Session("eu-west-1", withToken: true);
        var cases = await SendEveryKindOfRequestAsync(session);
        var gets = cases.Where(c => c.Request.Method == "GET").ToList();
        Assert.NotEmpty(gets);
        foreach (var get in gets)
        {
            Assert.Empty(get.Request.Body);
            Assert.Null(get.Request.Header("Content-Type"));
            Assert.DoesNotContain("content-type", get.Request.Header("Authorization"));
        }
        var post = cases.Single(c => c.Label.StartsWith("EKS CreateCluster", StringComparison.Ordinal));
        Assert.Equal("application/json", post.Request.Header("Content-Type"));
    }

    [Fact]
    public async Task ATamperedRequestFailsVerification()
    {
        // The verifier itself must be able to say no, or every test above proves nothing.
        using var session = Session("us-east-1", withToken: false);
        var good = (await SendEveryKindOfRequestAsync(session)).First(c => c.Request.Method == "POST" && c.Service == "eks");
        var tampered = good with { Request = good.Request with { Body = System.Text.Encoding.UTF8.GetBytes(good.Request.BodyText.Replace("prod-1", "prod-2")) } };
        var wrongRegion = good with { Region = "eu-west-1" };
        var wrongSecret = SigV4Verifier.Verify(_recorder.Url, AccessKey, SecretKey + "x", null, new[] { good });

        var verdicts = SigV4Verifier.Verify(_recorder.Url, AccessKey, SecretKey, null, new[] { good, tampered, wrongRegion });

        Assert.True(verdicts[0].Ok, string.Join("; ", verdicts[0].Problems));
        Assert.False(verdicts[1].Ok);
        Assert.False(verdicts[2].Ok);
        Assert.Contains(verdicts[2].Problems, p => p.Contains("credential scope", StringComparison.Ordinal));
        Assert.False(wrongSecret.Single().Ok);
    }

    public void Dispose()
    {
        _environment.Dispose();
        _recorder.Dispose();
    }
}
