using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace EksModule.Internal;

/// <summary>
/// The module's private AssemblyLoadContext. The engine and every third-party DLL (AWSSDK.*,
/// KubernetesClient, YamlDotNet) load from <c>dependencies/</c> into this context, so another module
/// that put its own AWSSDK.Core or YamlDotNet into the default context first cannot break us, nor we it.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string EngineAssemblyName = "EksModule.Engine";
    private readonly string _dependencyDirectory;

    private ModuleLoadContext(string dependencyDirectory) : base("EksModule", isCollectible: false)
        => _dependencyDirectory = dependencyDirectory;

    internal static ModuleLoadContext? Instance { get; private set; }

    internal static string DependencyDirectory =>
        Path.Combine(Path.GetDirectoryName(typeof(ModuleLoadContext).Assembly.Location)!, "dependencies");

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Framework and PowerShell assemblies come from the default context; only what we ship loads here.
        var candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    /// <summary>Registers the bridge: when the default context cannot find the engine, hand it ours.</summary>
    internal static void Register()
    {
        if (Instance is not null) return;
        Instance = new ModuleLoadContext(DependencyDirectory);
        Default.Resolving += ResolveEngine;
    }

    internal static void Unregister() => Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
        => name.Name == EngineAssemblyName && Instance is not null
            ? Instance.LoadFromAssemblyName(name)
            : null;
}

/// <summary>Hooks the load context in when the module is imported, and out when it is removed.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => ModuleLoadContext.Register();

    public void OnRemove(PSModuleInfo psModuleInfo) => ModuleLoadContext.Unregister();
}
