using Microsoft.Extensions.Configuration;
using Switchboard.Redis.Configuration;

namespace Switchboard.Redis;

/// <summary>
/// How a <see cref="RedisEngine"/> reaches Redis and how it shares the cluster's state there (docs/scale-out.md).
/// </summary>
public sealed class RedisEngineOptions
{
    private string _configuration = "127.0.0.1:6379";
    private string _keyPrefix = "switchboard";
    private TimeSpan _leaseTime = TimeSpan.FromSeconds(10);
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where Redis is, as a StackExchange.Redis configuration string (<c>127.0.0.1:6379</c>, or
    /// <c>redis.internal:6379,password=…,ssl=true</c>). <c>127.0.0.1:6379</c> by default. The engine sets its own
    /// timeouts (<see cref="OperationTimeout"/>) and fails fast while disconnected, whatever the string says.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string Configuration
    {
        get => _configuration;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _configuration = value;
        }
    }

    /// <summary>
    /// The first part of every key and channel the engine uses (<c>PREFIX:{ENDPOINT}:…</c>), so that several
    /// applications can share one Redis. <c>switchboard</c> by default.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null, empty, or holds <c>{</c> or <c>}</c>.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            if (value.AsSpan().IndexOfAny('{', '}') >= 0) throw new ArgumentException("a key prefix cannot hold { or }: the engine puts the endpoint's name in braces after it", nameof(value));
            _keyPrefix = value;
        }
    }

    /// <summary>
    /// How long a node's registration lives in Redis without being renewed; each node renews its own every third of it,
    /// and checks for dead nodes as often. A node that dies is reaped (its connections leave presence, its users' names
    /// are free again, and another node runs their disconnected hooks) at most <c>LeaseTime + LeaseTime / 3</c> after
    /// it stopped renewing. 10 seconds by default; at least 300 milliseconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 300 milliseconds.</exception>
    public TimeSpan LeaseTime
    {
        get => _leaseTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(300), nameof(value));
            _leaseTime = value;
        }
    }

    /// <summary>
    /// The longest an operation (a send, a presence change, a history read) waits for Redis before it throws
    /// <see cref="Server.Engines.EngineUnavailableException"/>; also the bound on connecting. While the engine knows
    /// Redis is unreachable it throws at once instead. 2 seconds by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative, or above one hour.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(value));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromHours(1), nameof(value));
            _operationTimeout = value;
        }
    }

    /// <summary>
    /// Reads options from <paramref name="section"/> (for example the <c>Switchboard:Redis</c> section), keys
    /// <c>Configuration</c>, <c>KeyPrefix</c>, <c>LeaseTime</c> and <c>OperationTimeout</c> (time spans as
    /// <c>hh:mm:ss</c>); unset keys keep their defaults. No reflection: fit for trimmed and Native AOT apps.
    /// </summary>
    /// <exception cref="Server.Configuration.SwitchboardConfigurationException">
    /// A key names no option, or its value is not of the option's form or range; the message names the full key.
    /// </exception>
    public static RedisEngineOptions FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return RedisOptionsReader.Read(section);
    }
}
