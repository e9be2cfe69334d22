namespace EksModule.Engine;

/// <summary>Identifies the engine assembly; the module's load context checks it is the one it loaded.</summary>
public static class EngineInfo
{
    public static string AssemblyLocation => typeof(EngineInfo).Assembly.Location;
}
