using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchboard.Benchmarks.Load;

/// <summary>
/// Turns a results file (JSON lines, one per measurement) into markdown: one table per scenario, one row per case and
/// server with the median over rounds, ratios against the baseline server of the same case, and the issue's targets
/// checked for the subject server. The cluster scenario has a baseline of its own (no single-node server takes part).
/// </summary>
internal static class Report
{
    /// <summary>A load process this busy may itself be what limits the rate.</summary>
    private const double LoadBoundPercent = 90;

    private sealed record Column(string Header, Func<Row, string> Cell);

    private sealed record Row(string Case, string Server, List<Result> Rounds, Row? Baseline)
    {
        public double Median(string metric)
        {
            var values = Rounds.Select(r => r[metric]).Where(double.IsFinite).Order().ToList();
            if (values.Count == 0) return double.NaN;
            return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        }

        /// <summary>Max minus min over rounds, as a percentage of the median: how much to trust the row.</summary>
        public double Spread(string metric)
        {
            var values = Rounds.Select(r => r[metric]).Where(double.IsFinite).ToList();
            return values.Count < 2 ? double.NaN : 100 * (values.Max() - values.Min()) / Median(metric);
        }

        public double Ratio(string metric) => Baseline is null ? double.NaN : Median(metric) / Baseline.Median(metric);
    }

    public static int Run(Options options)
    {
        var file = options.Required("in");
        var baseline = options.Get("baseline", "kestrel");
        var clusterBaseline = options.Get("cluster-baseline", "signalr-redis");
        var subject = options.Get("subject", "switchboard");
        options.EnsureAllUsed();

        var results = File.ReadLines(file).Where(l => l.Trim().Length > 0)
            .Select(l => Result.FromJson(JsonDocument.Parse(l).RootElement)).ToList();
        Console.Write(Render(results, baseline, clusterBaseline, subject));
        return 0;
    }

    public static string Render(List<Result> results, string baseline, string clusterBaseline, string subject)
    {
        var text = new StringBuilder();
        var rounds = results.Select(r => r.Round).Distinct().Count();
        var scenarios = results.Select(r => r.Scenario).Distinct().ToList();
        var baselines = string.Join(" or ", scenarios.Select(s => BaselineOf(s, baseline, clusterBaseline)).Distinct());
        text.AppendLine(Invariant($"Medians over {rounds} round(s); \"× {baselines}\" is the ratio to {baselines} in the same case; ± is the spread (max − min) of the rounds as % of the median."));
        var checks = new List<string>();

        foreach (var scenario in scenarios)
        {
            var scenarioBaseline = BaselineOf(scenario, baseline, clusterBaseline);
            var rows = Rows(results.Where(r => r.Scenario == scenario).ToList(), scenarioBaseline);
            var columns = ColumnsFor(scenario, scenarioBaseline);
            text.AppendLine().AppendLine(Invariant($"### {scenario}")).AppendLine();
            text.AppendLine("| case | server | " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
            text.AppendLine("|---|---|" + string.Concat(columns.Select(_ => "---:|")));
            foreach (var row in rows)
                text.AppendLine($"| {row.Case} | {row.Server} | " + string.Join(" | ", columns.Select(c => c.Cell(row))) + " |");
            checks.AddRange(Targets(scenario, rows, scenarioBaseline, subject));
        }

        var notes = results.Where(r => r.Notes.Count > 0).Select(r => Invariant($"- {r.Scenario} {r.Case} {r.Server} round {r.Round}: {string.Join("; ", r.Notes)}")).ToList();
        foreach (var late in results.Where(r => r["seconds"] > r["requestedSeconds"] * 1.05 + 0.05))
            notes.Add(Invariant($"- {late.Scenario} {late.Case} {late.Server} round {late.Round}: the {late["requestedSeconds"]:0.#} s window took {late["seconds"]:0.00} s, so the load process was held up (a busy machine): distrust this measurement"));
        foreach (var bound in results.Where(LoadBound))
            notes.Add(Invariant($"- {bound.Scenario} {bound.Case} {bound.Server} round {bound.Round}: the load used {bound["loadCpuPct"]:0} % of its core, so it may have been the limit; compare the CPU per message instead"));
        if (notes.Count > 0) text.AppendLine().AppendLine("Notes:").AppendLine().AppendLine(string.Join(Environment.NewLine, notes));
        if (checks.Count > 0) text.AppendLine().AppendLine(Invariant($"Targets ({subject} against {baselines}, one run):")).AppendLine().AppendLine(string.Join(Environment.NewLine, checks));
        return text.ToString();
    }

    private static string BaselineOf(string scenario, string baseline, string clusterBaseline) => scenario == "cluster" ? clusterBaseline : baseline;

    private static List<Row> Rows(List<Result> results, string baseline)
    {
        var rows = new List<Row>();
        foreach (var @case in results.Select(r => r.Case).Distinct())
        {
            var ofCase = results.Where(r => r.Case == @case).ToList();
            var servers = ofCase.Select(r => r.Server).Distinct().ToList();
            var baseRounds = ofCase.Where(r => r.Server == baseline).ToList();
            var baseRow = baseRounds.Count > 0 ? new Row(@case, baseline, baseRounds, null) : null;
            foreach (var server in servers)
                rows.Add(server == baseline && baseRow is not null ? baseRow with { Baseline = baseRow } : new Row(@case, server, ofCase.Where(r => r.Server == server).ToList(), baseRow));
        }
        return rows;
    }

    private static Column[] ColumnsFor(string scenario, string baseline) => scenario switch
    {
        "echo" =>
        [
            new("msgs/s", r => Number(r.Median("msgsPerSec")) + Spread(r.Spread("msgsPerSec"))),
            new($"× {baseline}", r => Ratio(r.Ratio("msgsPerSec"))),
            new("p50 µs", r => Number(r.Median("P50Us"))),
            new("p99 µs", r => Number(r.Median("P99Us"))),
            new($"p99 × {baseline}", r => Ratio(r.Ratio("P99Us"))),
            new("server CPU %", r => Number(r.Median("serverCpuPct"))),
            new("server CPU µs/msg", r => Number(r.Median("serverCpuUsPerMsg"), "0.00")),
            new($"CPU/msg × {baseline}", r => Ratio(r.Ratio("serverCpuUsPerMsg"))),
            new("load CPU %", r => Number(r.Median("loadCpuPct"))),
        ],
        "chat" =>
        [
            new("msgs/s", r => Number(r.Median("msgsPerSec")) + Spread(r.Spread("msgsPerSec"))),
            new("envelope B/msg", r => Number(r.Median("payloadBytesPerMsg"))),
            new("wire B/msg sent", r => Number(r.Median("writtenBytesPerMsg"))),
            new("wire B/msg received", r => Number(r.Median("readBytesPerMsg"))),
            new("wire / envelope", r => Number(r.Median("wireRatio"), "0.00")),
            new("echoes compressed %", r => Number(r.Median("compressedEchoPct"))),
            new("p50 µs", r => Number(r.Median("P50Us"))),
            new("p99 µs", r => Number(r.Median("P99Us"))),
            new("server CPU %", r => Number(r.Median("serverCpuPct"))),
            new("server CPU µs/msg", r => Number(r.Median("serverCpuUsPerMsg"), "0.00")),
            new("load CPU %", r => Number(r.Median("loadCpuPct"))),
        ],
        "broadcast" =>
        [
            new("deliveries/s", r => Number(r.Median("deliveriesPerSec")) + Spread(r.Spread("deliveriesPerSec"))),
            new($"× {baseline}", r => Ratio(r.Ratio("deliveriesPerSec"))),
            new("sends/s", r => Number(r.Median("msgsPerSec"))),
            new("message B", r => Number(r.Median("payloadBytesPerDelivery"))),
            new("wire B/delivery", r => Number(r.Median("readBytesPerDelivery"))),
            new("delivered compressed %", r => Number(r.Median("compressedDeliveryPct"))),
            new("fan-out p50 µs", r => Number(r.Median("P50Us"))),
            new("fan-out p99 µs", r => Number(r.Median("P99Us"))),
            new($"p99 × {baseline}", r => Ratio(r.Ratio("P99Us"))),
            new("server CPU %", r => Number(r.Median("serverCpuPct"))),
            new("server CPU µs/delivery", r => Number(r.Median("serverCpuUsPerDelivery"), "0.00")),
            new($"CPU/delivery × {baseline}", r => Ratio(r.Ratio("serverCpuUsPerDelivery"))),
            new("load CPU %", r => Number(r.Median("loadCpuPct"))),
        ],
        "cluster" =>
        [
            new("deliveries/s", r => Number(r.Median("deliveriesPerSec")) + Spread(r.Spread("deliveriesPerSec"))),
            new("cross-node deliveries/s", r => Number(r.Median("crossDeliveriesPerSec")) + Spread(r.Spread("crossDeliveriesPerSec"))),
            new($"× {baseline}", r => Ratio(r.Ratio("crossDeliveriesPerSec"))),
            new("sends/s", r => Number(r.Median("msgsPerSec"))),
            new("p50 µs", r => Number(r.Median("P50Us"))),
            new("p99 µs", r => Number(r.Median("P99Us")) + Spread(r.Spread("P99Us"))),
            new("cross-node p99 µs", r => Number(r.Median("crossP99Us"))),
            new($"p99 × {baseline}", r => Ratio(r.Ratio("P99Us"))),
            new("undelivered (worst round)", r => Number(r.Rounds.Select(x => x["undelivered"]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max())),
            new("server CPU % (nodes + Redis)", r => Number(r.Median("serverCpuPct"))),
            new("server CPU µs/delivery", r => Number(r.Median("serverCpuUsPerDelivery"), "0.00")),
            new("load CPU %", r => Number(r.Median("loadCpuPct"))),
        ],
        "idle" =>
        [
            new("held / attempted", r => Number(r.Median("held")) + " / " + Number(r.Median("attempted"))),
            new("KiB per connection", r => Number(r.Median("kibPerConn"), "0.0") + Spread(r.Spread("kibPerConn"))),
            new($"× {baseline}", r => Ratio(r.Ratio("kibPerConn"))),
            new("RSS before → after MiB", r => Number(r.Median("rssBeforeMiB"), "0.0") + " → " + Number(r.Median("rssAfterMiB"), "0.0")),
            new("opened/s", r => Number(r.Median("openPerSec"))),
        ],
        "handshakes" =>
        [
            new("handshakes/s", r => Number(r.Median("handshakesPerSec")) + Spread(r.Spread("handshakesPerSec"))),
            new($"× {baseline}", r => Ratio(r.Ratio("handshakesPerSec"))),
            new("p50 µs", r => Number(r.Median("P50Us"))),
            new("p99 µs", r => Number(r.Median("P99Us"))),
            new("server CPU %", r => Number(r.Median("serverCpuPct"))),
            new("server CPU µs/handshake", r => Number(r.Median("serverCpuUsPerHandshake"), "0.0")),
            new("load CPU %", r => Number(r.Median("loadCpuPct"))),
        ],
        _ => [],
    };

    /// <summary>The issue's targets, where the run has the rows to judge them.</summary>
    private static IEnumerable<string> Targets(string scenario, List<Row> rows, string baseline, string subject)
    {
        foreach (var row in rows.Where(r => r.Server.StartsWith(subject, StringComparison.Ordinal) && r.Baseline is not null))
        {
            var name = $"{scenario} {row.Case}, {row.Server}";
            if (row.Rounds.Concat(row.Baseline!.Rounds).Any(LoadBound)) name += " (load-bound in some round: see the notes)";
            switch (scenario)
            {
                case "echo" when row.Case.Contains("S=32", StringComparison.Ordinal) && (row.Case.Contains("P=8", StringComparison.Ordinal) || row.Case.Contains("P=1 ", StringComparison.Ordinal)):
                    var wanted = row.Case.Contains("P=8", StringComparison.Ordinal) ? 2.0 : 1.5;
                    yield return Check($"{name}: msgs/s", row.Ratio("msgsPerSec"), wanted, atLeast: true, baseline);
                    yield return Check($"{name}: p99", row.Ratio("P99Us"), 1.0, atLeast: false, baseline);
                    break;
                case "broadcast":
                    yield return Check($"{name}: deliveries/s", row.Ratio("deliveriesPerSec"), 2.0, atLeast: true, baseline);
                    yield return Check($"{name}: fan-out p99", row.Ratio("P99Us"), 1.0, atLeast: false, baseline);
                    break;
                case "cluster":
                    yield return Check($"{name}: cross-node deliveries/s", row.Ratio("crossDeliveriesPerSec"), 5.0, atLeast: true, baseline);
                    yield return Check($"{name}: p99", row.Ratio("P99Us"), 0.2, atLeast: false, baseline);
                    break;
                case "idle":
                    var kib = row.Median("kibPerConn");
                    yield return Invariant($"- {name}: {kib:0.0} KiB per idle connection (target <= 2 KiB): {(kib <= 2 ? "met" : "NOT met")}");
                    break;
            }
        }
    }

    private static bool LoadBound(Result result) => result["loadCpuPct"] >= LoadBoundPercent;

    private static string Check(string what, double ratio, double target, bool atLeast, string baseline)
    {
        var met = atLeast ? ratio >= target : ratio <= target;
        return Invariant($"- {what} {ratio:0.00}× {baseline} (target {(atLeast ? ">=" : "<=")} {target:0.0#}×): {(double.IsNaN(ratio) ? "not measured" : met ? "met" : "NOT met")}");
    }

    private static string Number(double value, string format = "#,0") => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Ratio(double value) => double.IsFinite(value) ? value.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Spread(double percent) => double.IsFinite(percent) ? Invariant($" ±{percent:0}%") : "";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
