using System.Net;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.Waiting;

namespace EksModule.Tests.Engine;

public sealed class ErrorClassifierTests
{
    [Theory]
    [InlineData("ResourceNotFoundException", HttpStatusCode.NotFound, "ObjectNotFound")]
    [InlineData("ResourceInUseException", HttpStatusCode.Conflict, "ResourceExists")]
    [InlineData("InvalidParameterException", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("AccessDeniedException", HttpStatusCode.Forbidden, "PermissionDenied")]
    [InlineData("ThrottlingException", HttpStatusCode.TooManyRequests, "LimitsExceeded")]
    [InlineData("ServerException", HttpStatusCode.InternalServerError, "ConnectionError")]
    public void AwsErrorsKeepTheirCodeAsErrorId(string code, HttpStatusCode status, string category)
    {
        var classified = ErrorClassifier.Classify(new AwsServiceError("EKS", "DescribeCluster", code, "boom", status, "req-1"));
        Assert.Equal(code, classified.ErrorId);
        Assert.Equal(category, classified.Category);
        Assert.StartsWith("EKS DescribeCluster: boom", classified.Message);
        Assert.Contains("req-1", classified.Message);
        Assert.False(classified.IsInvocationError);
    }

    [Fact]
    public void AccessDeniedSaysWhatToDo()
        => Assert.Contains("-ProfileName", ErrorClassifier.Classify(
            new AwsServiceError("IAM", "CreateRole", "AccessDenied", "not allowed", HttpStatusCode.Forbidden, null)).Message);

    [Fact]
    public void BadInvocationsTerminate()
    {
        Assert.True(ErrorClassifier.Classify(new AwsConfigurationException("NoRegion", "No region")).IsInvocationError);
        var input = ErrorClassifier.Classify(new InvalidClusterInputException("InvalidClusterName", "bad name", "Name"));
        Assert.True(input.IsInvocationError);
        Assert.Equal("bad name", input.Message); // no "(Parameter 'Name')" tail
    }

    [Fact]
    public void WaitsAndModuleFailuresHaveStableIds()
    {
        Assert.Equal("WaitTimeout", ErrorClassifier.Classify(new WaitTimeoutException("late", "CREATING")).ErrorId);
        Assert.Equal("ResourceFailed", ErrorClassifier.Classify(new WaitFailedException("failed", "FAILED")).ErrorId);
        var module = ErrorClassifier.Classify(new ModuleOperationException("VpcInUse", "ResourceBusy", "in use"));
        Assert.Equal(("VpcInUse", "ResourceBusy"), (module.ErrorId, module.Category));
    }

    [Fact]
    public void AnUnreachableEndpointSaysWhereToLook()
    {
        var classified = ErrorClassifier.Classify(new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException(111)));
        Assert.Equal("EndpointUnreachable", classified.ErrorId);
        Assert.Contains("AWS_ENDPOINT_URL", classified.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "KubernetesUnauthorized", "AuthenticationError", "Grant-EksClusterAccess")]
    [InlineData(HttpStatusCode.Forbidden, "KubernetesForbidden", "PermissionDenied", "nodes is forbidden")]
    public void Kubernetes_API_refusals_get_stable_ids_and_the_next_step(HttpStatusCode status, string errorId, string category, string hint)
    {
        var content = """{"kind":"Status","message":"nodes is forbidden: User \"x\" cannot list resource \"nodes\""}""";
        var error = new k8s.Autorest.HttpOperationException("Operation returned an invalid status code")
        {
            Response = new k8s.Autorest.HttpResponseMessageWrapper(new HttpResponseMessage(status), content),
        };
        var classified = ErrorClassifier.Classify(error);
        Assert.Equal(errorId, classified.ErrorId);
        Assert.Equal(category, classified.Category);
        Assert.Contains(hint, classified.Message);
    }
}
