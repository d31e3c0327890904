using System.Security.Cryptography;
using System.Text;
using Aegir.Core.Services;
using Aegir.Core.Services.PostgreSql;

namespace Aegir.Core.Tests;

public class PostgreSqlTests
{
    const string Debian = """
        # PostgreSQL Client Authentication Configuration File
        # ===================================================

        # TYPE  DATABASE        USER            ADDRESS                 METHOD
        local   all             postgres                                peer
        local   all             all                                     peer
        host    all             all             127.0.0.1/32            scram-sha-256
        """;

    static SortedDictionary<string, (string Database, List<string> Hosts)> Sites(params (string Role, string[] Hosts)[] sites)
        => new(sites.ToDictionary(s => s.Role, s => (s.Role, s.Hosts.ToList())), StringComparer.Ordinal);

    [Fact]
    public void Site_lines_go_before_every_rule_and_end_with_a_reject_of_the_role()
    {
        var text = PgHba.Write(Debian, Sites(("blogexample", ["127.0.0.1", "localhost"]), ("web1", ["web1.example.com", "2001:db8::5"])));
        var lines = text.Split('\n');
        var firstRule = Array.FindIndex(lines, l => l.StartsWith("local") || l.StartsWith("host"));
        Assert.Equal("host\t\"blogexample\"\t\"blogexample\"\t127.0.0.1/32\tscram-sha-256", lines[firstRule]);
        Assert.Contains("local\t\"blogexample\"\t\"blogexample\"\tscram-sha-256", lines);
        Assert.Contains("host\tall\t\"blogexample\"\tall\treject", lines);
        Assert.Contains("host\t\"web1\"\t\"web1\"\tweb1.example.com\tscram-sha-256", lines);
        Assert.Contains("host\t\"web1\"\t\"web1\"\t2001:db8::5/128\tscram-sha-256", lines);
        Assert.True(Array.IndexOf(lines, "host\tall\t\"web1\"\tall\treject") < Array.FindIndex(lines, l => l.StartsWith("local   all             postgres")));
        Assert.StartsWith("# PostgreSQL Client Authentication", text);
    }

    [Fact]
    public void The_block_reads_back_as_written_and_a_rewrite_replaces_it()
    {
        var sites = Sites(("a", ["127.0.0.1", "localhost"]), ("b", ["10.0.0.7"]));
        var once = PgHba.Write(Debian, sites);
        var read = PgHba.Read(once);
        Assert.Equal(["127.0.0.1", "localhost"], read["a"].Hosts);
        Assert.Equal("b", read["b"].Database);
        Assert.Equal(["10.0.0.7"], read["b"].Hosts);
        read.Remove("a");
        var twice = PgHba.Write(once, read);
        Assert.DoesNotContain("\"a\"", twice);
        Assert.Single(twice.Split('\n'), l => l.StartsWith("# BEGIN Aegir"));
        Assert.Equal(Debian.TrimEnd() + "\n", PgHba.Write(twice, Sites()));
    }

    [Fact]
    public void A_password_is_set_as_a_scram_verifier_that_proves_that_password()
    {
        var verifier = ScramVerifier.For("Site-Secret-1");
        Assert.DoesNotContain("Site-Secret-1", verifier);
        var m = System.Text.RegularExpressions.Regex.Match(verifier, @"^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$");
        Assert.True(m.Success, verifier);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("Site-Secret-1"), Convert.FromBase64String(m.Groups[1].Value), 4096, HashAlgorithmName.SHA256, 32);
        Assert.Equal(m.Groups[2].Value, Convert.ToBase64String(SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8))));
        Assert.NotEqual(verifier, ScramVerifier.For("Site-Secret-1"));   // a new salt each time
    }

    [Fact]
    public void Names_quote_as_postgresql_reads_them()
    {
        Assert.Equal("\"we\"\"ird\"", PgQuoting.Identifier("we\"ird"));
        Assert.Equal("E'it''s \\\\ here'", PgQuoting.Literal("it's \\ here"));
    }

    [Fact]
    public void No_code_outside_its_folder_special_cases_postgresql()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Aegir.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Aegir.sln above the tests");
        var own = Path.Combine(root, "src", "Aegir.Core", "Services", "PostgreSql") + "/";
        var mentions = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(own) && !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => !x.line.TrimStart().StartsWith("//") && System.Text.RegularExpressions.Regex.IsMatch(x.line, "postgres|npgsql|pgsql", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}").ToList();
        Assert.Empty(mentions);
    }

    [Fact]
    public void Database_names_come_from_the_uri_alike_for_every_database()
    {
        Assert.Equal("blogexamplecom", DbNames.Propose("www.blog.example.com", new HashSet<string>()));
        Assert.Equal("site1example_2", DbNames.Propose("1example", new HashSet<string> { "site1example" }));
    }
}
