using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

public class LocalTransportTests
{
    [Fact]
    public void Arguments_reach_the_program_as_they_are_with_no_shell()
    {
        var result = new LocalTransport().Run(new CommandSpec("printf", ["%s|", "a b", "$(id)", "x;y", "'q'"]));
        Assert.True(result.Succeeded);
        Assert.Equal("a b|$(id)|x;y|'q'|", result.StandardOutput);
    }

    [Fact]
    public void Standard_input_and_environment_are_passed()
    {
        var result = new LocalTransport().Run(new CommandSpec("sh", ["-c", "cat; printf %s \"$SECRET_VALUE\""])
        { StandardInput = "from stdin\n"u8.ToArray(), Environment = new Dictionary<string, string> { ["SECRET_VALUE"] = "env" } });
        Assert.Equal("from stdin\nenv", result.StandardOutput);
    }

    [Fact]
    public void A_command_past_its_timeout_is_killed()
    {
        var result = new LocalTransport().Run(new CommandSpec("sleep", ["30"]) { Timeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(result.Duration < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_missing_program_is_a_failed_result_not_a_crash()
    {
        var result = new LocalTransport().Run(new CommandSpec("/no/such/program", []));
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("/no/such/program", result.StandardError);
    }
}
