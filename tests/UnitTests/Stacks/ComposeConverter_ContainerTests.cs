using EventSwarm.Domain.Services;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_ContainerTests
{
    [Fact]
    public void A_command_string_is_split_as_a_shell_would()
    {
        Assert.Equal<string>(["sh", "-c", "echo \"hi there\" && sleep 1", "it's"],
            Container("""{"image": "busybox", "command": "sh -c 'echo \"hi there\" && sleep 1' \"it's\""}""").Args);
    }

    [Fact]
    public void A_command_list_is_taken_as_is_and_the_entrypoint_is_the_command()
    {
        var container = Container("""{"image": "busybox", "entrypoint": ["/bin/sh", "-c"], "command": ["echo a b"]}""");

        Assert.Equal<string>(["/bin/sh", "-c"], container.Command);
        Assert.Equal<string>(["echo a b"], container.Args);
    }

    [Fact]
    public void An_unclosed_quote_is_refused()
    {
        Assert.Contains("EOF found when expecting closing quote", Refused("""{"image": "busybox", "command": "echo 'oops"}"""));
    }

    [Fact]
    public void Environment_in_list_form_is_sorted_and_a_key_without_value_stays_alone()
    {
        Assert.Equal<string>(["A=1", "B=", "HOME"], Container("""{"image": "busybox", "environment": ["HOME", "B=", "A=1"]}""").Env);
    }

    [Fact]
    public void Environment_in_map_form_writes_null_as_the_key_alone_and_numbers_as_text()
    {
        Assert.Equal<string>(["DEBUG=true", "PORT=8080", "TOKEN"], Container("""{"image": "busybox", "environment": {"TOKEN": null, "PORT": 8080, "DEBUG": true}}""").Env);
    }

    [Fact]
    public void Plain_fields_are_copied()
    {
        var container = Container("""
            {"image": "busybox", "hostname": "box", "user": "1000:1000", "working_dir": "/app", "stop_signal": "SIGINT",
             "stop_grace_period": "1m30s", "init": true, "read_only": true, "tty": true, "stdin_open": true, "isolation": "process"}
            """);

        Assert.Equal("box", container.Hostname);
        Assert.Equal("1000:1000", container.User);
        Assert.Equal("/app", container.Dir);
        Assert.Equal("SIGINT", container.StopSignal);
        Assert.Equal(Duration.FromSeconds(90), container.StopGracePeriod);
        Assert.True(container.Init);
        Assert.True(container.ReadOnly);
        Assert.True(container.Tty);
        Assert.True(container.OpenStdin);
        Assert.Equal("process", container.Isolation);
    }

    [Fact]
    public void What_the_file_does_not_give_stays_unset()
    {
        var container = Container("""{"image": "busybox"}""");

        Assert.Null(container.Hostname);
        Assert.Null(container.StopGracePeriod);
        Assert.Null(container.Init);
        Assert.Null(container.Healthcheck);
        Assert.Null(container.DnsConfig);
        Assert.Null(container.Isolation);
        Assert.Equal(new Privileges(null, null), container.Privileges);
        Assert.Empty(container.Env);
        Assert.Empty(container.Mounts);
    }

    [Fact]
    public void A_healthcheck_test_string_runs_in_a_shell()
    {
        Assert.Equal(new Healthcheck
        {
            Test = ["CMD-SHELL", "curl -f http://localhost/"],
            Interval = Duration.FromSeconds(30),
            Timeout = Duration.FromSeconds(5),
            StartPeriod = Duration.FromSeconds(60),
            Retries = 3,
        }, Container("""{"image": "nginx", "healthcheck": {"test": "curl -f http://localhost/", "interval": "30s", "timeout": "5s", "start_period": "1m", "retries": 3}}""").Healthcheck);
    }

    [Fact]
    public void A_healthcheck_test_list_is_taken_as_is()
    {
        Assert.Equal<string>(["CMD", "pg_isready"], Container("""{"image": "db", "healthcheck": {"test": ["CMD", "pg_isready"]}}""").Healthcheck!.Test);
    }

    [Fact]
    public void A_disabled_healthcheck_is_none_and_cannot_have_a_test()
    {
        Assert.Equal(new Healthcheck { Test = ["NONE"] }, Container("""{"image": "db", "healthcheck": {"disable": true}}""").Healthcheck);
        Assert.Equal("service web: test and disable can't be set at the same time", Refused("""{"image": "db", "healthcheck": {"disable": true, "test": "true"}}"""));
    }

    [Fact]
    public void Extra_hosts_are_written_ip_first_from_a_list_or_a_map()
    {
        Assert.Equal<string>(["10.0.0.5 db", "::1 v6"], Container("""{"image": "db", "extra_hosts": ["db:10.0.0.5", "v6=[::1]"]}""").Hosts);
        Assert.Equal<string>(["10.0.0.6 a", "10.0.0.5 b"], Container("""{"image": "db", "extra_hosts": {"b": "10.0.0.5", "a": "10.0.0.6"}}""").Hosts);
    }

    [Fact]
    public void Dns_and_dns_search_as_a_string_or_a_list()
    {
        var dns = Container("""{"image": "db", "dns": "8.8.8.8", "dns_search": ["example.com"]}""").DnsConfig!;

        Assert.Equal<string>(["8.8.8.8"], dns.Nameservers);
        Assert.Equal<string>(["example.com"], dns.Search);
    }

    [Fact]
    public void A_nameserver_that_is_not_an_address_is_dropped_as_docker_does()
    {
        Assert.Equal<string>(["1.1.1.1"], Container("""{"image": "db", "dns": ["dns.example.com", "1.1.1.1"]}""").DnsConfig!.Nameservers);
    }

    [Fact]
    public void Capabilities_are_normalised_and_adding_wins_over_dropping()
    {
        var container = Container("""{"image": "db", "cap_add": ["net_admin", "CAP_SYS_TIME"], "cap_drop": ["NET_ADMIN", "mknod"]}""");

        Assert.Equal<string>(["CAP_NET_ADMIN", "CAP_SYS_TIME"], container.CapabilityAdd);
        Assert.Equal<string>(["CAP_MKNOD"], container.CapabilityDrop);
    }

    [Fact]
    public void Ulimits_as_a_number_or_soft_and_hard_sorted_by_name()
    {
        Assert.Equal<Ulimit>([new Ulimit("nofile", 1024, 2048), new Ulimit("nproc", 65535, 65535)],
            Container("""{"image": "db", "ulimits": {"nproc": 65535, "nofile": {"soft": 1024, "hard": 2048}}}""").Ulimits);
    }

    [Fact]
    public void Sysctls_from_a_list()
    {
        Assert.Equal(new Dictionary<string, string> { ["net.core.somaxconn"] = "1024" },
            Container("""{"image": "db", "sysctls": ["net.core.somaxconn=1024"]}""").Sysctls);
    }

    [Fact]
    public void Logging_becomes_the_log_driver()
    {
        var driver = Service("""{"image": "db", "logging": {"driver": "json-file", "options": {"max-size": "10m"}}}""").TaskTemplate.LogDriver!;

        Assert.Equal("json-file", driver.Name);
        Assert.Equal("10m", driver.Options["max-size"]);
    }

    [Fact]
    public void Keys_eventswarm_cannot_hold_are_warned_about_not_lost_silently()
    {
        var warnings = ConvertService("""{"image": "db", "oom_score_adj": 500, "healthcheck": {"test": "true", "start_interval": "1s"}}""").Warnings;

        Assert.Equal<string>(
            ["services.web.healthcheck: start_interval is not supported by EventSwarm and is ignored", "service web: oom_score_adj is not supported by EventSwarm and is ignored"],
            warnings);
    }
}
