namespace Switchboard.Conformance.Tests.Model;

/// <summary>A section's cases, looked up by id from a theory's data.</summary>
public sealed class CaseTable
{
    private readonly Dictionary<string, Func<ConformanceCase>> _cases = new(StringComparer.Ordinal);

    public CaseTable(IEnumerable<ConformanceCase> cases)
    {
        foreach (var c in cases) Add(c.Id, () => c);
    }

    /// <summary>Cases built only when run, for those whose payloads take megabytes.</summary>
    public CaseTable(IEnumerable<(string Id, Func<ConformanceCase> Make)> cases)
    {
        foreach (var (id, make) in cases) Add(id, make);
    }

    public ConformanceCase this[string id]
    {
        get
        {
            var c = _cases[id]();
            return c.Id == id ? c : throw new InvalidOperationException($"case {id} built as {c.Id}");
        }
    }

    private void Add(string id, Func<ConformanceCase> make)
    {
        if (!_cases.TryAdd(id, make)) throw new InvalidOperationException($"case {id} is defined twice");
    }

    public int Count => _cases.Count;

    public IEnumerable<string> Keys => _cases.Keys;

    public Xunit.TheoryData<string> Ids()
    {
        var data = new Xunit.TheoryData<string>();
        foreach (var id in _cases.Keys) data.Add(id);
        return data;
    }
}
