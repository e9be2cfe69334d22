namespace EksModule.Engine.Errors;

/// <summary>
/// A failure the module itself detects (a cluster being deleted, a role it does not own, a VPC still
/// in use), with the ErrorId and PowerShell ErrorCategory name it should be reported under.
/// </summary>
public sealed class ModuleOperationException : InvalidOperationException
{
    public ModuleOperationException(string errorId, string category, string message) : base(message)
    {
        ErrorId = errorId;
        Category = category;
    }

    public string ErrorId { get; }
    public string Category { get; }
}
