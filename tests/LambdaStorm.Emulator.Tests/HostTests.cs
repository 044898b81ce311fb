using System.Net;
using System.Net.Sockets;
using LambdaStorm.Lambda;
using LambdaStorm.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

public sealed class HostTests
{
    [Fact]
    public async Task Binds_loopback_on_a_free_port_and_reports_it()
    {
        await using var emulator = await TestEmulator.StartAsync();

        Assert.Equal("127.0.0.1", emulator.Host.BaseAddress.Host);
        Assert.NotEqual(0, emulator.Host.BaseAddress.Port);
        Assert.Equal("/", emulator.Host.BaseAddress.AbsolutePath);
    }

    [Fact]
    public async Task A_port_in_use_fails_to_start_with_an_IOException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        await Assert.ThrowsAnyAsync<IOException>(() => EmulatorHost.StartAsync(new EmulatorOptions { Port = port }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Options_report_every_problem()
    {
        var problems = new EmulatorOptions { Host = "example.com", Port = 70_000, MaxRequestBodyBytes = 1 }.Validate();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Host:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Port:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxRequestBodyBytes:", StringComparison.Ordinal));
        Assert.Empty(new EmulatorOptions { Host = "localhost" }.Validate());
    }

    [Fact]
    public async Task Invalid_model_options_fail_to_start()
    {
        var options = new EmulatorOptions { Model = new LambdaModelOptions { Functions = { new FunctionOptions { Name = "x", MemoryMb = 1 } } } };

        await Assert.ThrowsAsync<LambdaOptionsException>(() => EmulatorHost.StartAsync(options, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Stopping_ends_in_flight_invocations_with_a_ServiceException()
    {
        var time = new FakeTimeProvider();
        var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(new FunctionOptions { Name = "slow", DurationMs = 60_000, TimeoutSeconds = 900 }), time);
        var client = new HttpClient { BaseAddress = emulator.Host.BaseAddress };
        var pending = client.PostAsync("2015-03-31/functions/slow/invocations", new StringContent("{}"), TestContext.Current.CancellationToken);
        await emulator.WaitForAdmittedAsync(1);

        await emulator.Host.DisposeAsync();

        using var response = await pending;
        await response.ShouldBeAwsErrorAsync(500, "ServiceException");
        client.Dispose();
        await emulator.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Functions_and_account_come_from_an_emulator_config_file()
    {
        var config = EmulatorConfigFile.Parse(
            """
            account:
              concurrency: 300
              scaling: legacy-burst
            functions:
              orders:
                memory: 512
                duration: 0ms
                initDuration: 0ms
                reservedConcurrency: 20
                publishedVersions: 1
                aliases: { live: "1" }
            """, "emulator.yaml", seed: 3);
        Assert.True(config.Success, string.Join("\n", config.Errors));

        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Model = config.Options! }, TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var settings = await client.GetAsync("2016-08-19/account-settings/", TestContext.Current.CancellationToken);
        using var invoke = await client.PostAsync("2015-03-31/functions/orders/invocations?Qualifier=live", new StringContent("{}"), TestContext.Current.CancellationToken);

        var limits = (await settings.JsonAsync()).GetProperty("AccountLimit");
        Assert.Equal(300, limits.GetProperty("ConcurrentExecutions").GetInt32());
        Assert.Equal(280, limits.GetProperty("UnreservedConcurrentExecutions").GetInt32());
        Assert.Equal("1", invoke.Header("X-Amz-Executed-Version"));
        Assert.Equal(ScalingModel.LegacyBurst, host.Model.Account.ScalingModel);
        Assert.Equal(3, host.Model.Seed);
    }

    [Fact]
    public void A_config_file_may_declare_only_the_account_or_be_empty()
    {
        var accountOnly = EmulatorConfigFile.Parse("account:\n  concurrency: 50\n  unreservedMinimum: 10\n", "e.yaml", 1);
        var empty = EmulatorConfigFile.Parse("# nothing yet\n", "e.yaml", 1);

        Assert.True(accountOnly.Success, string.Join("\n", accountOnly.Errors));
        Assert.Equal(50, accountOnly.Options!.Account.ConcurrencyLimit);
        Assert.Empty(accountOnly.Options.Functions);
        Assert.True(empty.Success);
    }

    [Fact]
    public void Config_errors_name_file_line_and_column()
    {
        var result = EmulatorConfigFile.Parse(
            """
            account:
              concurency: 10
            functions:
              hello:
                memory: 64
            """, "emulator.yaml", 1);

        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith("emulator.yaml:2:3: error:", StringComparison.Ordinal) && e.Message.Contains("did you mean 'concurrency'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Line == 5 && e.Message.Contains("'memory'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("functions:\n  worker: { duration: 20ms\n  x: 1\n", 3, 3)]      // YamlDotNet throws InvalidOperationException here
    [InlineData("functions:\n  worker: [1, 2\n", 3, 1)]                          // and a YamlException here
    public void Yaml_syntax_errors_in_a_config_file_are_positioned(string text, int line, int column)
    {
        var result = EmulatorConfigFile.Parse(text, "emulator.yaml", 1);

        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith("YAML syntax:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Account_errors_are_reported_without_functions()
    {
        var result = EmulatorConfigFile.Parse("account:\n  concurrency: 50\n", "e.yaml", 1);

        Assert.False(result.Success); // the unreserved minimum (100) exceeds the limit
        Assert.Contains(result.Errors, e => e.Message.Contains("UnreservedMinimum", StringComparison.Ordinal));
    }

    [Fact]
    public void A_scenario_file_configures_the_emulator_with_its_target()
    {
        var scenario = EmulatorConfigFile.Load(Path.Combine(RepoRoot(), "scenarios", "quickstart.yaml"), 1);
        var aws = EmulatorConfigFile.Parse("name: x\ntarget:\n  type: noop\n", "x.yaml", 1);

        Assert.True(scenario.Success, string.Join("\n", scenario.Errors));
        Assert.Contains("hello", scenario.Options!.Functions.Select(f => f.Name));
        Assert.Contains("failed-events", scenario.Options.Queues.Select(q => q.Name));
        Assert.False(aws.Success);
        Assert.Contains(aws.Errors, e => e.ToString().StartsWith("x.yaml:3:9: error:", StringComparison.Ordinal) && e.Message.Contains("target.type: emulator", StringComparison.Ordinal));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LambdaStorm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
