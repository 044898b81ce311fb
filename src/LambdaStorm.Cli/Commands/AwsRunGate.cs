using LambdaStorm.Aws;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cli.Commands;

/// <summary>
/// What <c>run</c> does before an aws scenario sends anything: refuses without <c>--allow-aws</c>, resolves credentials
/// and reads the function's configuration (a wrong key or secret ends here as a configuration error, exit 1), and prints
/// the plan with its estimated invocations and cost.
/// </summary>
internal static class AwsRunGate
{
    /// <summary>The session to run with, or the exit code to end with.</summary>
    public static async Task<(AwsSession? Session, int ExitCode)> PrepareAsync(Scenario scenario, TargetSpec.Aws target, bool allowAws, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!allowAws)
        {
            await error.WriteLineAsync(
                $"error: scenario '{scenario.Name}' targets AWS ({target.Region}: {string.Join(", ", target.Functions.Select(f => f.Name))}). " +
                "Real invocations cost money and reach real systems, so LambdaStorm runs it only when asked to: review the scenario " +
                $"(caps: {target.MaxInvocations:#,0} invocations, ${target.MaxCostUsd:0.00}), then run again with --allow-aws.").ConfigureAwait(false);
            return (null, ExitCodes.BadInput);
        }

        var prepared = await AwsSession.PrepareAsync(scenario, target, ct).ConfigureAwait(false);
        if (prepared.Session is not { } session)
        {
            await error.WriteLineAsync($"error: {prepared.Error}").ConfigureAwait(false);
            return (null, ExitCodes.BadInput);
        }

        await output.WriteLineAsync(session.Plan.Render(scenario)).ConfigureAwait(false);
        foreach (var note in session.Notes)
        {
            await output.WriteLineAsync("  note          " + note).ConfigureAwait(false);
        }

        await output.FlushAsync(ct).ConfigureAwait(false);
        return (session, ExitCodes.Ok);
    }

    /// <summary>The configuration error for a run the guard stopped because AWS rejected the credentials.</summary>
    public static string AuthFailureMessage(AwsGuard guard, TargetSpec.Aws target) =>
        $"error: AWS rejected the credentials during the run ({guard.AuthError}) at {target.LambdaEndpoint}; the load was stopped after {guard.Sent:#,0} invocations. " +
        "This is a configuration problem (access key, secret, session token or clock), not a result of the test.";
}
