using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Services.Cluster;

namespace Aegir.Core.Tests;

/// <summary>A cluster of web servers as recorded: its members must be web servers that are there, and it is no machine itself.</summary>
public class ClusterRecordTests
{
    static AegirServer Web(string name, string host)
    {
        var server = new AegirServer(name) { RemoteHost = host };
        server.Http.ChangeType("nginx");
        return server;
    }

    static AegirServer Cluster(string name, string members)
    {
        var cluster = new AegirServer(name);
        cluster.Http.ChangeType(ServiceCatalog.Cluster);
        cluster.Http.Set(ClusterService.MembersSetting, members);
        return cluster;
    }

    static TestHome WithWebServers()
    {
        var home = new TestHome();
        home.Store.Create(Web("server_web1", "192.0.2.11"));
        home.Store.Create(Web("server_web2", "192.0.2.12"));
        return home;
    }

    [Fact]
    public void A_cluster_is_recorded_with_its_members_by_canonical_name_and_is_no_machine()
    {
        using var home = WithWebServers();
        home.Store.Create(Cluster("server_farm", "web1, @server_web2 web1"));
        var farm = home.Store.GetFresh<AegirServer>("server_farm", "Name");
        Assert.True(farm.IsCluster);
        Assert.Equal(["server_web1", "server_web2"], ClusterService.MemberNames(farm));
        Assert.False(Contexts.ThisMachine.Is(farm));
        var ex = Assert.Throws<AegirException>(() => Transport.TransportFactory.Default.Open(farm));
        Assert.Equal("ClusterNotMachine", ex.ErrorId);
    }

    [Fact]
    public void A_member_that_is_not_there_is_refused_by_name()
    {
        using var home = WithWebServers();
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(Cluster("server_farm", "web1,web3")));
        Assert.Equal("ClusterMemberInvalid", ex.ErrorId);
        Assert.Contains("'@server_web3' cannot be a member of the cluster '@server_farm': there is no server of that name", ex.Message);
        Assert.False(home.Store.Exists("server_farm"));
    }

    [Fact]
    public void A_member_without_a_web_service_is_refused()
    {
        using var home = WithWebServers();
        home.Store.Create(new AegirServer("server_db1") { RemoteHost = "192.0.2.20" });
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(Cluster("server_farm", "web1,db1")));
        Assert.Contains("'@server_db1' cannot be a member", ex.Message);
        Assert.Contains("it has no web service", ex.Message);
    }

    [Fact]
    public void A_cluster_is_no_member_of_a_cluster_nor_of_itself()
    {
        using var home = WithWebServers();
        home.Store.Create(Cluster("server_farm", "web1,web2"));
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(Cluster("server_big", "farm,web1")));
        Assert.Contains("'@server_farm' cannot be a member of the cluster '@server_big': it is a cluster itself", ex.Message);
        ex = Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>("server_farm", "Name", s => s.Http.Set(ClusterService.MembersSetting, "web1,farm")));
        Assert.Contains("it is the cluster itself", ex.Message);
        Assert.Equal(["server_web1", "server_web2"], ClusterService.MemberNames(home.Store.GetFresh<AegirServer>("server_farm", "Name")));
    }

    [Fact]
    public void A_member_cannot_become_a_cluster_nor_lose_its_web_service_nor_be_removed()
    {
        using var home = WithWebServers();
        home.Store.Create(Cluster("server_farm", "web1,web2"));
        var ex = Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>("server_web2", "Name", s =>
        {
            s.Http.ChangeType(ServiceCatalog.Cluster);
            s.Http.Set(ClusterService.MembersSetting, "web1");
        }));
        Assert.Contains("'@server_web2' cannot be a member of the cluster '@server_farm': it would be a cluster itself", ex.Message);
        ex = Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>("server_web1", "Name", s => s.Http.ChangeType(ServiceCatalog.None)));
        Assert.Contains("@server_farm", ex.Message);
        ex = Assert.Throws<AegirException>(() => home.Store.Remove("server_web1"));
        Assert.Equal("ContextInUse", ex.ErrorId);
    }

    [Fact]
    public void Set_changes_the_members()
    {
        using var home = WithWebServers();
        home.Store.Create(Web("server_web3", "192.0.2.13"));
        home.Store.Create(Cluster("server_farm", "web1,web2"));
        home.Store.Modify<AegirServer>("server_farm", "Name", s => s.Http.Set(ClusterService.MembersSetting, "web3, web1"));
        Assert.Equal(["server_web3", "server_web1"], ClusterService.MemberNames(home.Store.GetFresh<AegirServer>("server_farm", "Name")));
        home.Store.Remove("server_web2");
    }

    [Fact]
    public void A_cluster_has_no_database_nor_connection_of_its_own_and_names_at_least_one_member()
    {
        using var home = WithWebServers();
        var withDb = Cluster("server_farm", "web1");
        withDb.Db.ChangeType("mysql");
        Assert.Contains("a cluster is no machine of its own", Assert.Throws<AegirException>(() => home.Store.Create(withDb)).Message);
        var ex = Assert.Throws<AegirException>(() => Cluster("server_farm", " , "));
        Assert.Contains("it names no server", ex.Message);
        var empty = new AegirServer("server_farm");
        empty.Http.ChangeType(ServiceCatalog.Cluster);
        Assert.Contains("has no members", Assert.Throws<AegirException>(() => home.Store.Create(empty)).Message);
    }
}
