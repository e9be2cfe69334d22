namespace EksModule.Tests;

public class SmokeTests
{
    [Fact]
    public void EngineAssemblyLoads() => Assert.EndsWith("EksModule.Engine.dll", EksModule.Engine.EngineInfo.AssemblyLocation);
}
