using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public class ContextNamesTests
{
    [Theory]
    [InlineData("master", ContextType.Server, "server_master")]
    [InlineData("@server_master", ContextType.Server, "server_master")]
    [InlineData("server_master", ContextType.Server, "server_master")]
    [InlineData("Web-1.Example", ContextType.Server, "server_web1example")]
    [InlineData("drupal-10.2", ContextType.Platform, "platform_drupal102")]
    [InlineData("@platform_wp", ContextType.Platform, "platform_wp")]
    [InlineData("ACME", ContextType.Client, "client_acme")]
    [InlineData("@WWW.Example.com", ContextType.Site, "www.example.com")]
    public void Canonical_names(string input, ContextType type, string expected)
        => Assert.Equal(expected, ContextNames.Canonical("Name", input, type));

    [Theory]
    [InlineData("server_master", ContextType.Server)]
    [InlineData("platform_x", ContextType.Platform)]
    [InlineData("client_x", ContextType.Client)]
    [InlineData("www.example.com", ContextType.Site)]
    public void Type_is_told_by_name(string name, ContextType type) => Assert.Equal(type, ContextNames.TypeOf(name));

    [Theory]
    [InlineData("server_")]
    [InlineData("odd_name")]
    [InlineData("")]
    public void Names_no_context_can_have(string name) => Assert.Null(ContextNames.TypeOf(name));

    [Theory]
    [InlineData("a;b", ContextType.Platform)]
    [InlineData("../x", ContextType.Client)]
    [InlineData("a b", ContextType.Server)]
    [InlineData("", ContextType.Server)]
    public void Bad_names_are_refused(string input, ContextType type)
        => Assert.Throws<AegirException>(() => ContextNames.Canonical("Name", input, type));

    [Fact]
    public void Server_names_derive_from_hosts() => Assert.Equal("server_web1examplecom", ContextNames.ServerFromHost("web1.example.com"));

    [Fact]
    public void Loose_names_list_every_reading()
    {
        var candidates = ContextNames.Candidates("master").ToList();
        Assert.Contains("master", candidates);          // a site named master
        Assert.Contains("server_master", candidates);
        Assert.Contains("platform_master", candidates);
    }
}
