namespace EksEmulator.Eks;

/// <summary>An EKS error as the service reports it: HTTP status, error type and the model's extra members.</summary>
public sealed class EksException(int statusCode, string errorType, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string ErrorType { get; } = errorType;
    public string? ClusterName { get; init; }
    public string? NodegroupName { get; init; }
    public string? AddonName { get; private set; }

    /// <summary>Names the add-on in the error's addonName member, as EKS does for add-on operations.</summary>
    public EksException WithAddon(string addonName)
    {
        AddonName = addonName;
        return this;
    }

    public IReadOnlyDictionary<string, string?> Members => new Dictionary<string, string?>
    {
        ["clusterName"] = ClusterName,
        ["nodegroupName"] = NodegroupName,
        ["addonName"] = AddonName,
    };

    public static EksException InvalidParameter(string message, string? clusterName = null, string? nodegroupName = null) =>
        new(400, "InvalidParameterException", message) { ClusterName = clusterName, NodegroupName = nodegroupName };

    public static EksException InvalidRequest(string message, string? clusterName = null, string? nodegroupName = null) =>
        new(400, "InvalidRequestException", message) { ClusterName = clusterName, NodegroupName = nodegroupName };

    public static EksException ResourceInUse(string message, string? clusterName = null, string? nodegroupName = null) =>
        new(409, "ResourceInUseException", message) { ClusterName = clusterName, NodegroupName = nodegroupName };

    public static EksException ClusterNotFound(string clusterName) =>
        new(404, "ResourceNotFoundException", $"No cluster found for name: {clusterName}.") { ClusterName = clusterName };

    public static EksException NodegroupNotFound(string clusterName, string nodegroupName) =>
        new(404, "ResourceNotFoundException", $"No node group found for name: {nodegroupName}.") { ClusterName = clusterName, NodegroupName = nodegroupName };

    public static EksException UpdateNotFound(string clusterName, string updateId) =>
        new(404, "ResourceNotFoundException", $"No update found for ID: {updateId}.") { ClusterName = clusterName };

    // The tagging operations use the model's simpler BadRequest/NotFound shapes (message only).
    public static EksException BadRequest(string message) => new(400, "BadRequestException", message);

    public static EksException NotFound(string message) => new(404, "NotFoundException", message);
}
