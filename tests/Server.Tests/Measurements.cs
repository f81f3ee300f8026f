using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Tests that read process-wide counters (allocated bytes, heap size): they run alone, after the parallel ones, so
/// no other test's work shows in their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Measurements
{
    public const string Name = "Measurements";
}
