namespace EksModule.Tests.Infrastructure;

/// <summary>Tests that read or set process-wide AWS_* environment variables run one at a time.</summary>
[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection { }
