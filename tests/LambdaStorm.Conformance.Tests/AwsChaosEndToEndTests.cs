using System.Diagnostics;
using System.Text.Json;

namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// Function faults on an aws target (issue 8): a function marked <c>probe: true</c> gets its <c>LAMBDASTORM_FAULT_*</c>
/// variables through a SigV4-signed <c>UpdateFunctionConfiguration</c>, checked by <c>lambdastorm emulator
/// --require-auth</c>'s own verifier, and its environment is restored at the end. The environment is read before and
/// after with AWS's own JavaScript client (@aws-sdk/client-lambda), signed with the same credentials.
/// </summary>
public sealed class AwsChaosEndToEndTests : IDisposable
{
    private const string AccessKey = "AKIDLAMBDASTORMCHAOS";
    private const string Secret = "chaos-s3cret-Never-Written-Anywhere";
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-aws-chaos-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A <c>lambdastorm</c> child whose only AWS credentials are the test's.</summary>
    private ProcessStartInfo Lambdastorm(params string[] args) => ChildProcess.Lambdastorm(_dir, AccessKey, Secret, args);

    /// <summary>The function's environment variables, read by @aws-sdk/client-lambda's signed GetFunctionConfiguration.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(string endpoint, string function)
    {
        NodeScript.RequireInstalledPackages();
        var psi = new ProcessStartInfo("node") { WorkingDirectory = Path.Combine(NodeScript.RepoRoot(), "tests", "conformance") };
        psi.ArgumentList.Add("--input-type=module");
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add("""
            import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
            const client = new LambdaClient({ region: 'us-east-1', endpoint: process.env.EP, maxAttempts: 1,
              credentials: { accessKeyId: process.env.AK, secretAccessKey: process.env.SK } });
            const out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: process.env.FN }));
            console.log('ENV=' + JSON.stringify(out.Environment?.Variables ?? {}));
            """);
        psi.Environment["EP"] = endpoint;
        psi.Environment["AK"] = AccessKey;
        psi.Environment["SK"] = Secret;
        psi.Environment["FN"] = function;
        var (exit, output) = await ChildProcess.RunAsync(psi, TimeSpan.FromSeconds(60), "node GetFunctionConfiguration");
        Assert.True(exit == 0, output);
        var line = output.Split('\n').Single(l => l.StartsWith("ENV=", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<Dictionary<string, string>>(line["ENV=".Length..])!;
    }

    [Fact]
    public async Task Function_errors_on_a_probe_function_go_through_signed_UpdateFunctionConfiguration_show_and_are_rolled_back()
    {
        var config = Path.Combine(_dir, "emulator.yaml");
        await File.WriteAllTextAsync(config, "functions:\n  probe:\n    duration: 20ms\n    memory: 512\n", TestContext.Current.CancellationToken);
        using var emulator = await EmulatorProcess.StartAsync(TimeSpan.FromSeconds(30), ["--require-auth", $"{AccessKey}:{Secret}", "--config", config]);
        var before = await EnvironmentAsync(emulator.Endpoint, "probe");
        Assert.DoesNotContain(before.Keys, k => k.StartsWith("LAMBDASTORM_FAULT_", StringComparison.Ordinal));

        var scenario = Path.Combine(_dir, "probe-errors.yaml");
        await File.WriteAllTextAsync(scenario, $$"""
            name: probe-errors
            target:
              type: aws
              region: us-east-1
              endpoint: {{emulator.Endpoint}}
              functions:
                probe: { probe: true }
              maxInvocations: 1000
              maxCostUsd: 1
            function: probe
            path: sync
            load:
              - inject: { rate: 10, during: 10s }
            chaos:
              - { at: 2s, for: 4s, function-errors: { function: probe, rate: 100% } }
            """, TestContext.Current.CancellationToken);

        // validate accepts a function fault on a 'probe: true' aws function (it refuses it on any other).
        var (validated, validateOutput) = await ChildProcess.RunAsync(Lambdastorm("validate", scenario), TimeSpan.FromMinutes(1), "lambdastorm validate");
        Assert.True(validated == 0, validateOutput);

        var results = Path.Combine(_dir, "results");
        var (exit, output) = await ChildProcess.RunAsync(Lambdastorm("run", scenario, "--plain", "--metrics-port", "0", "--results", results, "--allow-aws"), TimeSpan.FromMinutes(3), "lambdastorm run");
        Assert.True(exit == 0, output);
        var folder = Path.GetDirectoryName(Directory.GetFiles(results, "summary.json", SearchOption.AllDirectories).Single())!;
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"), TestContext.Current.CancellationToken)).RootElement;

        // The errors showed: every call in the 4 s window failed with the injected fault, none outside it.
        var errors = summary.GetProperty("outcomes").EnumerateArray()
            .Where(o => o.GetProperty("outcome").GetString() == "function_error")
            .Sum(o => o.GetProperty("count").GetInt64());
        Assert.InRange(errors, 30, 50);
        var chaos = summary.GetProperty("chaos");
        var finding = chaos.GetProperty("findings")[0];
        Assert.Equal("invocation", finding.GetProperty("effectiveBy").GetString());
        Assert.InRange(finding.GetProperty("errors").GetInt64(), 20, errors); // counted over whole merged intervals while it was active
        Assert.True(chaos.GetProperty("rolledBack").GetBoolean(), output);

        // Applied through the signed Lambda API, journaled with its undo, undone, complete.
        var journal = await File.ReadAllTextAsync(Path.Combine(folder, "journal.jsonl"), TestContext.Current.CancellationToken);
        Assert.Contains($"through the Lambda and SQS APIs at {emulator.Endpoint}", journal, StringComparison.Ordinal);
        var rollback = (await File.ReadAllLinesAsync(Path.Combine(folder, "rollback.jsonl"), TestContext.Current.CancellationToken)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["plane", "applied", "undone", "complete"], rollback.Select(l => l.GetProperty("type").GetString()));
        Assert.True(rollback[0].GetProperty("plane").GetProperty("aws").GetBoolean());
        Assert.Equal(["LAMBDASTORM_FAULT_ERROR_RATE", "LAMBDASTORM_FAULT_PREVENT_EXECUTION"], rollback[1].GetProperty("undo").GetProperty("variables").EnumerateArray().Select(v => v.GetString()));

        // The environment is what it was before the run, and the credentials went nowhere.
        Assert.Equal(before, await EnvironmentAsync(emulator.Endpoint, "probe"));
        Assert.DoesNotContain(Secret, output + journal, StringComparison.Ordinal);
        Assert.DoesNotContain("SignatureDoesNotMatch", emulator.Output, StringComparison.Ordinal);
    }
}
