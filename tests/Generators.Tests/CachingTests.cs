using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Switchboard.Generators.Tests;

/// <summary>An edit that does not touch the messages leaves every step's output cached.</summary>
public sealed class CachingTests
{
    private const string Messages = """
        using System.Collections.Generic;
        using Switchboard;
        namespace Chat;
        public enum Mood { Calm, Happy }
        public sealed record Author(string Name, Mood Mood);
        [Message("chat.send")]
        public partial record SendChat(string Text, List<Author> Authors);
        [Message("chat.ping")]
        public partial class Ping { public long Sent { get; set; } }
        """;

    private static readonly string[] TrackingNames =
        typeof(TrackingNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToArray();

    [Fact]
    public void Unrelated_edit_leaves_every_output_cached()
    {
        var compilation = GeneratorRunner.Compile(Messages, "namespace Chat; public static class Util { public static int Twice(int x) => 2 * x; }");
        var driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult();

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Chat; public static class Util { public static int Thrice(int x) => 3 * x; }", GeneratorRunner.ParseOptions, path: "Input1.cs"));
        var second = driver.RunGenerators(edited).GetRunResult();

        AssertNoRoslynObjects(first);
        Assert.Equal(GeneratorRunner.Sources(first), GeneratorRunner.Sources(second));

        var steps = second.Results[0].TrackedSteps;
        foreach (string name in TrackingNames)
        {
            Assert.True(steps.ContainsKey(name), $"step {name} did not run");
            foreach (var output in steps[name].SelectMany(step => step.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {name} was {output.Reason}");
            }
        }

        foreach (var output in second.Results[0].TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs))
        {
            Assert.Equal(IncrementalStepRunReason.Cached, output.Reason);
        }
    }

    [Fact]
    public void Editing_one_message_regenerates_only_that_message()
    {
        var compilation = GeneratorRunner.Compile(Messages, """
            using Switchboard;
            namespace Chat;
            [Message("chat.typing")]
            public partial record Typing(string User);
            """);
        var driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("""
                using Switchboard;
                namespace Chat;
                [Message("chat.typing")]
                public partial record Typing(string User, bool Stopped);
                """, GeneratorRunner.ParseOptions, path: "Input1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult();

        var reasons = result.Results[0].TrackedSteps[global::Switchboard.Generators.TrackingNames.Messages]
            .SelectMany(step => step.Outputs)
            .Select(output => (Name: ((Model.MessageSpec)output.Value).Name, output.Reason))
            .ToDictionary(x => x.Name, x => x.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["Typing"]);
        Assert.Equal(IncrementalStepRunReason.Cached, reasons["SendChat"]);
        Assert.Equal(IncrementalStepRunReason.Cached, reasons["Ping"]);
    }

    /// <summary>No step may hold a symbol, a compilation, a syntax node or anything else that keeps a compilation alive.</summary>
    private static void AssertNoRoslynObjects(GeneratorDriverRunResult result)
    {
        foreach (var (name, steps) in result.Results[0].TrackedSteps)
        {
            if (name == global::Switchboard.Generators.TrackingNames.AssemblyNamespace || !TrackingNames.Contains(name))
            {
                continue;
            }

            foreach (var output in steps.SelectMany(step => step.Outputs))
            {
                Visit(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static void Visit(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel or Location, $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                Visit(item, $"{path}[{i++}]", seen);
            }
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Visit(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
