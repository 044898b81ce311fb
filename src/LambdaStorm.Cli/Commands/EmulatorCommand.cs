using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using LambdaStorm.Emulator;
using LambdaStorm.Lambda;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary>
/// <c>lambdastorm emulator</c>: the Lambda model in real time behind AWS's Lambda REST-JSON API and <c>/metrics</c>, on
/// one loopback port, until Ctrl-C or SIGTERM. Any AWS SDK pointed at it works (docs/emulator.md).
/// </summary>
internal sealed class EmulatorCommand : AsyncCommand<EmulatorCommand.Settings>
{
    /// <summary>The port when none is given.</summary>
    public const int DefaultPort = 9001;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("TCP port; 0 picks a free one (the listening line shows which). Default: 9001")]
        [DefaultValue(DefaultPort)]
        public int Port { get; set; } = DefaultPort;

        [CommandOption("--host <ADDRESS>")]
        [Description("Address to bind: 127.0.0.1, localhost, ::1, or 0.0.0.0 to accept other machines. Default: 127.0.0.1")]
        [DefaultValue(EmulatorOptions.DefaultHost)]
        public string Host { get; set; } = EmulatorOptions.DefaultHost;

        [CommandOption("--config <FILE>")]
        [Description("YAML with 'account:' and 'functions:', the keys of a scenario's emulator target. Default: AWS's account defaults and no functions")]
        public string? Config { get; set; }

        [CommandOption("--require-auth <KEY:SECRET>")]
        [Description("Verify SigV4 signatures against this access key and reject others as AWS does. Default: accept any request, signed or not")]
        public string? RequireAuth { get; set; }

        [CommandOption("--api-gateway")]
        [Description("Also serve an API Gateway front on /apigw/{FunctionName}: proxy events, 29 s integration timeout, 10,000 rps account throttle (burst 5,000), API Gateway's 429/500/502/504")]
        public bool ApiGateway { get; set; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the model's random draws (durations, init times, errors). Default: random, printed at start")]
        public int? Seed { get; set; }

        public override ValidationResult Validate()
        {
            if (Port is < 0 or > 65535)
            {
                return ValidationResult.Error($"--port must be between 0 and 65535, not {Port}");
            }

            if (!Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(Host, out _))
            {
                return ValidationResult.Error($"--host must be an IP address or 'localhost', not '{Host}'");
            }

            // The value is a credential: never echo it back.
            return RequireAuth is not null && !EmulatorCredentials.TryParse(RequireAuth, out _)
                ? ValidationResult.Error("--require-auth must be KEY:SECRET (an access key id, a colon, and the secret)")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var seed = settings.Seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue);
        LambdaModelOptions model;
        if (settings.Config is { } path)
        {
            var loaded = EmulatorConfigFile.Load(path, seed);
            if (!loaded.Success)
            {
                foreach (var e in loaded.Errors)
                {
                    Console.Error.WriteLine(e.ToString());
                }

                Console.Error.WriteLine($"{loaded.Errors.Length} error{(loaded.Errors.Length == 1 ? string.Empty : "s")} in {path}");
                return ExitCodes.BadInput;
            }

            model = loaded.Options!;
        }
        else
        {
            model = new LambdaModelOptions { Seed = seed };
        }

        _ = EmulatorCredentials.TryParse(settings.RequireAuth, out var credentials);
        var options = new EmulatorOptions { Host = settings.Host, Port = settings.Port, Model = model, RequiredCredentials = credentials, ApiGateway = settings.ApiGateway };
        EmulatorHost host;
        try
        {
            host = await EmulatorHost.StartAsync(options, cancellationToken);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"error: cannot listen on {settings.Host}:{settings.Port}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (LambdaOptionsException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        await using (host)
        {
            var url = host.BaseAddress.GetLeftPart(UriPartial.Authority);
            var account = host.Model.Account;
            var functions = host.Model.ListFunctions().Select(f => f.FunctionName).ToList();
            Console.Out.WriteLine($"emulator listening on {url}");
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  account {account.AccountId} in {account.Region}: concurrency {account.ConcurrencyLimit:N0}, {account.ScalingModel.ToWireName()} scaling; seed {seed}"));
            Console.Out.WriteLine(functions.Count == 0
                ? "  functions: none yet (create them with CreateFunction; LAMBDASTORM_* variables set their behaviour)"
                : $"  functions: {string.Join(", ", functions)}");
            Console.Out.WriteLine(host.RequiresAuthentication
                ? "  auth: SigV4 signatures required (the --require-auth access key)"
                : "  auth: any request accepted, signed or not");
            Console.Out.WriteLine($"  metrics: {url}/metrics");
            Console.Out.WriteLine("  Ctrl-C to stop");
            Console.Out.Flush();

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM
            }
        }

        AnsiConsole.MarkupLine("emulator stopped");
        return ExitCodes.Ok;
    }
}
