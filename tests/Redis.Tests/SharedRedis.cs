using Xunit;
using Switchboard.Testing;

namespace Switchboard.Redis.Tests;

/// <summary>One redis-server (tests/Shared/RedisServer.cs) for the test classes that share it.</summary>
[CollectionDefinition(Name)]
public sealed class SharedRedis : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
