using System.Net;
using Amazon.Runtime;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Clusters;
using EksModule.Engine.Network;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Errors;

/// <summary>How the module reports a failure: a stable ErrorId (the AWS error code where there is one),
/// the name of a PowerShell ErrorCategory, and a message that says what to do next.</summary>
public sealed record ClassifiedError(string ErrorId, string Category, string Message, bool IsInvocationError);

/// <summary>The module's one error mapper; the cmdlet layer turns its answer into an ErrorRecord.</summary>
public static class ErrorClassifier
{
    public static ClassifiedError Classify(Exception error)
    {
        switch (error)
        {
            case AwsServiceError aws:
                return new ClassifiedError(aws.ErrorCode, CategoryFor(aws), AwsMessage(aws), false);
            case AwsConfigurationException config:
                return new ClassifiedError(config.ErrorId,
                    config.ErrorId is "NoCredentials" or SsoProfileCredentials.ErrorId ? "AuthenticationError" : "InvalidArgument", config.Message, true);
            case InvalidClusterInputException input:
                return new ClassifiedError(input.ErrorId, "InvalidArgument", StripParamSuffix(input), true);
            case Dns.InvalidRecordInputException record:
                return new ClassifiedError(record.ErrorId, "InvalidArgument", record.Message, true);
            case InvalidNetworkPlanException plan:
                return new ClassifiedError("InvalidNetworkPlan", "InvalidArgument", string.Join(" ", plan.Problems), true);
            case Kubernetes.InvalidKubeconfigException kubeconfig:
                return new ClassifiedError("InvalidKubeconfig", "InvalidData", kubeconfig.Message, false);
            case ModuleOperationException module:
                return new ClassifiedError(module.ErrorId, module.Category, module.Message, false);
            case ForeignResourcesInVpcException foreign:
                return new ClassifiedError(ForeignResourcesInVpcException.ErrorId, "ResourceBusy", foreign.Message, false);
            case NetworkStateException state:
                return new ClassifiedError(state.ErrorId, state.ErrorId == "DependencyViolation" ? "ResourceBusy" : "InvalidOperation", state.Message, false);
            case k8s.Autorest.HttpOperationException kube:
                return KubernetesError(kube);
            case WaitTimeoutException timeout:
                return new ClassifiedError("WaitTimeout", "OperationTimeout", timeout.Message, false);
            case TimeoutException other:
                return new ClassifiedError("WaitTimeout", "OperationTimeout", other.Message, false);
            case WaitFailedException failed:
                return new ClassifiedError("ResourceFailed", "InvalidResult", failed.Message, false);
            case AmazonServiceException sdk:
                return new ClassifiedError(sdk.ErrorCode ?? "AwsServiceError", "NotSpecified", sdk.Message, false);
            case HttpRequestException or AmazonClientException when Unreachable(error) is { } endpoint:
                return new ClassifiedError("EndpointUnreachable", "ConnectionError",
                    $"Could not reach the AWS endpoint{endpoint}: {Innermost(error).Message}. Check -EndpointUrl / AWS_ENDPOINT_URL, your network or proxy, and the region.", false);
            case AmazonClientException client:
                return new ClassifiedError("AwsClientError", "NotSpecified", client.Message, false);
            default:
                return new ClassifiedError(error.GetType().Name, "NotSpecified", error.Message, false);
        }
    }

    private static ClassifiedError KubernetesError(k8s.Autorest.HttpOperationException e)
    {
        var status = (int)e.Response.StatusCode;
        var detail = string.IsNullOrWhiteSpace(e.Response.Content) ? e.Message : e.Response.Content;
        try { detail = System.Text.Json.Nodes.JsonNode.Parse(e.Response.Content)?["message"]?.GetValue<string>() ?? detail; }
        catch (System.Text.Json.JsonException) { }
        return status switch
        {
            401 => new ClassifiedError("KubernetesUnauthorized", "AuthenticationError",
                $"The cluster's Kubernetes API does not know your IAM identity (401 Unauthorized): ask an administrator to run Grant-EksClusterAccess for your IAM principal, or use other credentials. {detail}", false),
            403 => new ClassifiedError("KubernetesForbidden", "PermissionDenied",
                $"The cluster's Kubernetes API refused the request (403 Forbidden): {detail} Grant a broader access policy (Grant-EksClusterAccess -AccessPolicy) or use another identity.", false),
            404 => new ClassifiedError("KubernetesNotFound", "ObjectNotFound", $"Kubernetes API: {detail}", false),
            409 => new ClassifiedError("KubernetesConflict", "ResourceBusy", $"Kubernetes API (409 Conflict): {detail} Run the command again.", false),
            _ => new ClassifiedError($"Kubernetes{status}", status >= 500 ? "ConnectionError" : "NotSpecified", $"Kubernetes API ({status}): {detail}", false),
        };
    }

    private static string StripParamSuffix(ArgumentException e)
        => e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty);

    private static string? Unreachable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is HttpRequestException or System.Net.Sockets.SocketException) return string.Empty;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string CategoryFor(AwsServiceError e) => e.ErrorCode switch
    {
        _ when e.IsNotFound => "ObjectNotFound",
        "ResourceInUseException" or "EntityAlreadyExists" => "ResourceExists",
        "ResourceLimitExceededException" or "LimitExceeded" or "LimitExceededException" or "ThrottlingException" or "Throttling" or "RequestLimitExceeded" => "LimitsExceeded",
        "InvalidParameterException" or "InvalidRequestException" or "ValidationError" or "ValidationException" or "InvalidInput" or "MalformedPolicyDocument" => "InvalidArgument",
        "AccessDeniedException" or "AccessDenied" or "UnauthorizedOperation" or "UnrecognizedClientException" or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken" or "ExpiredTokenException" => "PermissionDenied",
        _ when (int)e.StatusCode >= 500 => "ConnectionError",
        _ => "NotSpecified",
    };

    private static string AwsMessage(AwsServiceError e)
    {
        var message = $"{e.Service} {e.Operation}: {e.Message}";
        var hint = e.ErrorCode switch
        {
            "AccessDeniedException" or "AccessDenied" or "UnauthorizedOperation" =>
                " The credentials in use are not allowed to do this: grant the IAM permission named above, or use another profile (-ProfileName).",
            "UnrecognizedClientException" or "InvalidClientTokenId" or "SignatureDoesNotMatch" =>
                " AWS does not accept these credentials: check the access key and secret, or sign in again for an SSO profile.",
            "ExpiredToken" or "ExpiredTokenException" => " The session token has expired: refresh your credentials (for SSO, 'aws sso login').",
            _ => string.Empty,
        };
        return message + hint + (e.RequestId is null ? string.Empty : $" (request id {e.RequestId})");
    }
}
