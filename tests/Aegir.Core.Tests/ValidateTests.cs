using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public class ValidateTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    [InlineData("intranet", "intranet")]
    [InlineData("localhost.example", "localhost.example")]
    [InlineData("notinvalid.test", "notinvalid.test")]
    public void Site_hosts_are_normalised(string input, string expected)
        => Assert.Equal(expected, Validate.SiteHost("Uri", input));

    [Theory]
    [InlineData("")]
    [InlineData("a b.example")]
    [InlineData("a;b.example")]
    [InlineData("a{b}.example")]
    [InlineData("-bad.example")]
    [InlineData("bad-.example")]
    [InlineData("a..b")]
    [InlineData("example.com.")]
    [InlineData("under_score.example")]
    [InlineData("http://example.com")]
    [InlineData("example.com/path")]
    [InlineData("example.com:8080")]
    [InlineData("10.0.0.1")]
    [InlineData("evil\u202Emoc.example")]
    [InlineData("zero\u200Bwidth.example")]
    [InlineData("new\nline.example")]
    [InlineData("../etc/passwd")]
    public void Bad_site_hosts_are_refused(string input)
    {
        var ex = Assert.Throws<AegirException>(() => Validate.SiteHost("Uri", input));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains("Uri", ex.Message);
    }

    [Theory]
    [InlineData("localhost", "this machine's own")]
    [InlineData("LocalHost", "this machine's own")]
    [InlineData("shop.localhost", "this machine's own")]
    [InlineData("invalid", "catch-all")]
    [InlineData("default.invalid", "catch-all")]
    [InlineData("1.0.0.127.in-addr.arpa", "not an IP address")]
    [InlineData("b.a.9.8.ip6.arpa", "not an IP address")]
    public void Special_use_names_are_no_site_s(string input, string why)
    {
        var ex = Assert.Throws<AegirException>(() => Validate.SiteHost("Alias", input));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains(why, ex.Message);
        Assert.Contains("such as example.com", ex.Message);
        Assert.Equal("localhost", Validate.RemoteHost("RemoteHost", "localhost"));   // a server may be this machine
    }

    [Fact]
    public void Over_long_hosts_are_refused()
    {
        var label = new string('a', 63);
        var host = string.Join('.', Enumerable.Repeat(label, 4));   // 255 characters
        Assert.Throws<AegirException>(() => Validate.SiteHost("Uri", host));
        Assert.Throws<AegirException>(() => Validate.SiteHost("Uri", new string('a', 64) + ".example"));
        var fits = string.Join('.', Enumerable.Repeat(new string('b', 58), 4));  // 235 characters
        Assert.Equal(fits, Validate.SiteHost("Uri", fits));
    }

    [Theory]
    [InlineData("/var/aegir/platforms/d10/", "/var/aegir/platforms/d10")]
    [InlineData("//var//aegir", "/var/aegir")]
    [InlineData("/srv/wp-6.1_x+y@z", "/srv/wp-6.1_x+y@z")]
    public void Paths_are_normalised(string input, string expected) => Assert.Equal(expected, Validate.AbsolutePath("Root", input));

    [Theory]
    [InlineData("relative/path")]
    [InlineData("/var/aegir/../etc")]
    [InlineData("/var/./aegir")]
    [InlineData("/var/a b")]
    [InlineData("/var/a;rm -rf")]
    [InlineData("/var/{x}")]
    [InlineData("/var/$HOME")]
    [InlineData("/var/'q'")]
    [InlineData("/var/a\nb")]
    [InlineData("")]
    public void Bad_paths_are_refused(string input) => Assert.Throws<AegirException>(() => Validate.AbsolutePath("Root", input));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Ports_out_of_range_are_refused(int port) => Assert.Throws<AegirException>(() => Validate.Port("HttpPort", port));

    [Theory]
    [InlineData("ops@acme.example", true)]
    [InlineData("first.last+tag@xn--bcher-kva.example", true)]
    [InlineData("no-at.example", false)]
    [InlineData("a@b@c.example", false)]
    [InlineData("a b@c.example", false)]
    [InlineData("a@c.example\nBcc: x@y.example", false)]
    [InlineData("'quote'@c.example", false)]
    public void Emails(string input, bool ok)
    {
        if (ok) Assert.Equal(input, Validate.Email("Email", input));
        else Assert.Throws<AegirException>(() => Validate.Email("Email", input));
    }

    [Theory]
    [InlineData("nginx -s reload", true)]
    [InlineData("nginx  -c /srv/x/nginx.conf -t", true)]
    [InlineData("nginx -s reload; rm -rf /", false)]
    [InlineData("nginx | tee", false)]
    [InlineData("echo $(id)", false)]
    [InlineData("nginx 'quoted'", false)]
    [InlineData("nginx\n-t", false)]
    public void Commands(string input, bool ok)
    {
        if (ok) Assert.DoesNotContain("  ", Validate.Command("restart_command", input));
        else Assert.Throws<AegirException>(() => Validate.Command("restart_command", input));
    }

    [Fact]
    public void Secrets_never_appear_in_errors()
    {
        var ex = Assert.Throws<AegirException>(() => Validate.Secret("admin_password", "pw-with-newline\nsecret"));
        Assert.DoesNotContain("secret", ex.Message.Replace("admin_password", ""));
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("PT-BR", "pt-br")]
    [InlineData("zh-hans", "zh-hans")]
    public void Languages(string input, string expected) => Assert.Equal(expected, Validate.Language("Language", input));

    [Theory]
    [InlineData("english")]
    [InlineData("e")]
    [InlineData("en_US")]
    public void Bad_languages(string input) => Assert.Throws<AegirException>(() => Validate.Language("Language", input));

    [Fact]
    public void A_trailing_newline_never_slips_through_a_pattern()
    {
        Assert.Throws<AegirException>(() => Validate.PosixName("ScriptUser", "root\n"));
        Assert.Throws<AegirException>(() => Validate.ShortName("Name", "wp\n"));
        Assert.Throws<AegirException>(() => Validate.AbsolutePath("Root", "/var/aegir/x\n"));
        Assert.Throws<AegirException>(() => Validate.Email("Email", "a@b.example\n"));
        Assert.Throws<AegirException>(() => Validate.Language("Language", "en\n"));
        Assert.Throws<AegirException>(() => Validate.Profile("Profile", "standard\n"));
        Assert.Throws<AegirException>(() => Validate.Command("restart_command", "nginx -s reload\n"));
        Assert.Throws<AegirException>(() => Validate.DbIdentifier("db_name", "site\n"));
        Assert.Throws<AegirException>(() => Validate.SiteHost("Uri", "a.example\n"));
    }
}
