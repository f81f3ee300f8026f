namespace Switchboard.Redis;

/// <summary>
/// The Lua scripts that change shared state: each runs atomically in Redis, so a claim, a removal or a publish with
/// its offset is seen by every node whole or not at all. Every script gets the endpoint's key prefix as ARGV[1]
/// (<c>PREFIX:{ENDPOINT}:</c>; the braces keep an endpoint's keys in one hash slot) and builds its keys from it;
/// docs/scale-out.md lists the keys.
/// </summary>
internal static class Scripts
{
    // Shared functions: a connection's hash (conn:ID) holds n (its node), k (its user as the comparer sees it),
    // u (its user as spelled) and one field g:GROUP per group.
    private const string Functions = """
        local function leaveUser(p, ukey, id)
          local uk = p .. 'user:' .. ukey
          redis.call('SREM', uk, id)
          if redis.call('SCARD', uk) == 0 then redis.call('HDEL', p .. 'users', ukey) end
        end
        local function removeConn(p, id)
          local ck = p .. 'conn:' .. id
          local f = redis.call('HGETALL', ck)
          local out = {id, '', ''}
          for i = 1, #f, 2 do
            local k = f[i]
            if k == 'k' then leaveUser(p, f[i + 1], id)
            elseif k == 'u' then out[2] = '1'; out[3] = f[i + 1]
            elseif string.sub(k, 1, 2) == 'g:' then
              local g = string.sub(k, 3)
              out[#out + 1] = g
              redis.call('HDEL', p .. 'members:' .. g, id)
            end
          end
          redis.call('DEL', ck)
          return out
        end
        """;

    /// <summary>ARGV: prefix, node, connection id.</summary>
    public const string AddConnection = """
        local p = ARGV[1]
        redis.call('SADD', p .. 'node:' .. ARGV[2] .. ':conns', ARGV[3])
        redis.call('HSET', p .. 'conn:' .. ARGV[3], 'n', ARGV[2])
        return 1
        """;

    /// <summary>ARGV: prefix, node, connection id. Returns 1 when the connection was there, 0 when it was gone (reaped).</summary>
    public const string RemoveConnection = Functions + "\n" + """
        local p = ARGV[1]
        redis.call('SREM', p .. 'node:' .. ARGV[2] .. ':conns', ARGV[3])
        local there = redis.call('EXISTS', p .. 'conn:' .. ARGV[3])
        removeConn(p, ARGV[3])
        return there
        """;

    /// <summary>
    /// ARGV: prefix, node, connection id, user key, user as spelled, unique (1 or 0). Returns 1, 0 when the unique claim
    /// failed, or -1 when the connection has no presence (removed, reaped, or lost with Redis's data): nothing changes then.
    /// </summary>
    public const string SetUser = Functions + "\n" + """
        local p, node, id, ukey, user = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local ck = p .. 'conn:' .. id
        if redis.call('EXISTS', ck) == 0 then return -1 end
        local uk = p .. 'user:' .. ukey
        if ARGV[6] == '1' then
          local n = redis.call('SCARD', uk)
          if n > 1 or (n == 1 and redis.call('SISMEMBER', uk, id) == 0) then return 0 end
        end
        local prev = redis.call('HGET', ck, 'k')
        if prev and prev ~= ukey then leaveUser(p, prev, id) end
        redis.call('SADD', uk, id)
        redis.call('HSETNX', p .. 'users', ukey, user)
        redis.call('SADD', p .. 'node:' .. node .. ':conns', id)
        redis.call('HSET', ck, 'n', node, 'k', ukey, 'u', user)
        for _, k in ipairs(redis.call('HKEYS', ck)) do
          if string.sub(k, 1, 2) == 'g:' then redis.call('HSET', p .. 'members:' .. string.sub(k, 3), id, '=' .. user) end
        end
        return 1
        """;

    /// <summary>
    /// ARGV: prefix, node, connection id, group. A member's value is <c>=USER</c>, or empty for no user. Returns 1, or -1
    /// when the connection has no presence (removed, reaped, or lost with Redis's data): nothing changes then.
    /// </summary>
    public const string Join = """
        local p, node, id, g = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local ck = p .. 'conn:' .. id
        if redis.call('EXISTS', ck) == 0 then return -1 end
        local u = redis.call('HGET', ck, 'u')
        redis.call('SADD', p .. 'node:' .. node .. ':conns', id)
        redis.call('HSET', ck, 'n', node, 'g:' .. g, '1')
        redis.call('HSET', p .. 'members:' .. g, id, u and ('=' .. u) or '')
        return 1
        """;

    /// <summary>ARGV: prefix, connection id, group.</summary>
    public const string Leave = """
        local p, id, g = ARGV[1], ARGV[2], ARGV[3]
        redis.call('HDEL', p .. 'conn:' .. id, 'g:' .. g)
        redis.call('HDEL', p .. 'members:' .. g, id)
        return 1
        """;

    /// <summary>
    /// Puts a live connection's presence back as this node knows it (after Redis lost it, or another node reaped it).
    /// ARGV: prefix, node, connection id, user key or empty, user as spelled, reaped (1 or 0), then its groups. With
    /// reaped 1, a connection whose presence is gone was handed to another node as lost: it stays gone and 0 is returned.
    /// </summary>
    public const string Restore = """
        local p, node, id, ukey, user = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local ck = p .. 'conn:' .. id
        if ARGV[6] == '1' and redis.call('EXISTS', ck) == 0 then return 0 end
        redis.call('SADD', p .. 'node:' .. node .. ':conns', id)
        redis.call('HSET', ck, 'n', node)
        if ukey ~= '' then
          redis.call('SADD', p .. 'user:' .. ukey, id)
          redis.call('HSETNX', p .. 'users', ukey, user)
          redis.call('HSET', ck, 'k', ukey, 'u', user)
        end
        for i = 7, #ARGV do
          redis.call('HSET', ck, 'g:' .. ARGV[i], '1')
          redis.call('HSET', p .. 'members:' .. ARGV[i], id, ukey ~= '' and ('=' .. user) or '')
        end
        return 1
        """;

    /// <summary>
    /// Takes a node number: succeeds when no live node holds its lease. ARGV: prefix, node, instance id, lease ms.
    /// </summary>
    public const string Register = """
        local p, node = ARGV[1], ARGV[2]
        if not redis.call('SET', p .. 'node:' .. node, ARGV[3], 'PX', ARGV[4], 'NX') then return 0 end
        redis.call('SADD', p .. 'nodes', node)
        return 1
        """;

    /// <summary>
    /// Renews this node's lease. ARGV: prefix, node, instance id, lease ms. Returns 1 when renewed; 2 when it had run out
    /// but no node had reaped it yet (taken back as it was); 0 when it was gone and the node no longer registered
    /// (reaped, or Redis lost its data: the caller puts its presence back); -1 when another instance holds the number.
    /// </summary>
    public const string Renew = """
        local p, node, me = ARGV[1], ARGV[2], ARGV[3]
        local lk = p .. 'node:' .. node
        local v = redis.call('GET', lk)
        if v == me then redis.call('PEXPIRE', lk, ARGV[4]); return 1 end
        if v then return -1 end
        redis.call('SET', lk, me, 'PX', ARGV[4])
        if redis.call('SADD', p .. 'nodes', node) == 0 then return 2 end
        return 0
        """;

    /// <summary>
    /// Reaps every registered node whose lease ran out, but <c>ARGV[2]</c> (the caller): removes its connections from
    /// presence and returns them, one array each (id, has user, user, groups…). Taking the node out of the set is the
    /// lock: the script is atomic, so exactly one caller gets a dead node's connections.
    /// </summary>
    public const string Reap = Functions + "\n" + """
        local p, me = ARGV[1], ARGV[2]
        local lost = {}
        for _, node in ipairs(redis.call('SMEMBERS', p .. 'nodes')) do
          if node ~= me and redis.call('EXISTS', p .. 'node:' .. node) == 0 then
            redis.call('SREM', p .. 'nodes', node)
            local ck = p .. 'node:' .. node .. ':conns'
            for _, id in ipairs(redis.call('SMEMBERS', ck)) do lost[#lost + 1] = removeConn(p, id) end
            redis.call('DEL', ck)
          end
        end
        return lost
        """;

    /// <summary>A node leaves on purpose: its lease and its connections' presence go. ARGV: prefix, node, instance id.</summary>
    public const string Unregister = Functions + "\n" + """
        local p, node = ARGV[1], ARGV[2]
        local lk = p .. 'node:' .. node
        if redis.call('GET', lk) ~= ARGV[3] then return 0 end
        redis.call('DEL', lk)
        redis.call('SREM', p .. 'nodes', node)
        local ck = p .. 'node:' .. node .. ':conns'
        for _, id in ipairs(redis.call('SMEMBERS', ck)) do removeConn(p, id) end
        redis.call('DEL', ck)
        return 1
        """;

    // A group history is two keys: history:GROUP (a stream) and history-meta:GROUP (a hash: e = epoch, o = the last
    // offset given). An entry's id is OFFSET-MS: the offset, then the store time in Unix milliseconds by the publishing
    // node's clock, so a range of offsets is a range of ids and an entry's age is in its id. Trimming by age drops
    // the entries at the head whose time is older than the cutoff; the head is the oldest, as offsets and time rise together.
    private const string HistoryFunctions = """
        local function openHistory(meta, stream, candidate, maxAgeMs)
          local e = redis.call('HGET', meta, 'e')
          if not e then
            e = candidate
            redis.call('DEL', stream)
            redis.call('HSET', meta, 'e', e, 'o', 0)
          end
          redis.call('PEXPIRE', meta, maxAgeMs)
          return e
        end
        local function trimAge(stream, cutoff)
          while true do
            local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 64)
            if #head == 0 then return end
            local keep = nil
            for _, entry in ipairs(head) do
              local dash = string.find(entry[1], '-', 1, true)
              if tonumber(string.sub(entry[1], dash + 1)) >= cutoff then keep = entry[1]; break end
            end
            if keep then
              redis.call('XTRIM', stream, 'MINID', keep)
              return
            end
            local last = head[#head][1]
            redis.call('XTRIM', stream, 'MINID', (tonumber(string.sub(last, 1, string.find(last, '-', 1, true) - 1)) + 1) .. '-0')
          end
        end
        """;

    /// <summary>
    /// Stores a group message and publishes it, atomically, so offsets and delivery order agree. ARGV: prefix, group,
    /// epoch candidate (used when the history starts), max length, max age ms, now ms, channel, frame without its
    /// offset. KEYS: none (built from the prefix). Returns the offset.
    /// </summary>
    public const string PublishToHistory = HistoryFunctions + "\n" + """
        local p, g = ARGV[1], ARGV[2]
        local meta, stream = p .. 'history-meta:' .. g, p .. 'history:' .. g
        local maxAge = tonumber(ARGV[5])
        local now = tonumber(ARGV[6])
        openHistory(meta, stream, ARGV[3], maxAge)
        local o = redis.call('HINCRBY', meta, 'o', 1)
        redis.call('XADD', stream, 'MAXLEN', ARGV[4], o .. '-' .. now, 'f', ARGV[8])
        trimAge(stream, now - maxAge)
        redis.call('PEXPIRE', stream, maxAge)
        local be = {}
        local n = o
        for i = 8, 1, -1 do be[i] = string.char(n % 256); n = math.floor(n / 256) end
        redis.call('PUBLISH', ARGV[7], table.concat(be) .. ARGV[8])
        return o
        """;

    /// <summary>
    /// Reads a history for a joiner. ARGV: prefix, group, epoch candidate, max age ms, now ms, since epoch (empty for
    /// none), since offset, last. Returns {epoch, top, recovered (1, 0 or -1 for none), id, frame, id, frame, …}.
    /// </summary>
    public const string ReadHistory = HistoryFunctions + "\n" + """
        local p, g = ARGV[1], ARGV[2]
        local meta, stream = p .. 'history-meta:' .. g, p .. 'history:' .. g
        local maxAge = tonumber(ARGV[4])
        local e = openHistory(meta, stream, ARGV[3], maxAge)
        local top = tonumber(redis.call('HGET', meta, 'o'))
        trimAge(stream, tonumber(ARGV[5]) - maxAge)
        local out = {e, top, -1}
        local entries = nil
        if ARGV[6] ~= '' then
          local since = tonumber(ARGV[7])
          out[3] = 0
          if ARGV[6] == e and since <= top then
            if since == top then
              entries = {}
              out[3] = 1
            else
              local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
              if #first == 1 then
                local dash = string.find(first[1][1], '-', 1, true)
                if tonumber(string.sub(first[1][1], 1, dash - 1)) <= since + 1 then
                  entries = redis.call('XRANGE', stream, (since + 1) .. '-0', '+')
                  out[3] = 1
                end
              end
            end
          end
        end
        if not entries then
          local last = tonumber(ARGV[8])
          entries = {}
          if last > 0 then
            local rev = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', last)
            for i = #rev, 1, -1 do entries[#entries + 1] = rev[i] end
          end
        end
        for _, entry in ipairs(entries) do
          out[#out + 1] = entry[1]
          out[#out + 1] = entry[2][2]
        end
        return out
        """;
}
