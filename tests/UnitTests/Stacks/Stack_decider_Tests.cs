using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Stacks;
using EventSwarm.Infrastructure.Log;
using static EventSwarm.UnitTests.Stacks.StackGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class Stack_decider_Tests
{
    [Fact]
    public void A_deploy_is_one_batch_its_services_on_the_network_created_before_them_and_the_version_last()
    {
        var state = SwarmWithIngress();

        var decision = StackDecider.Decide(Deploy(Wordpress(), state), state);

        Assert.True(decision.Succeeded, decision.Error?.Message);
        Assert.Collection(decision.Events,
            e => Assert.IsType<NetworkCreated>(e),
            e => Assert.IsType<SecretCreated>(e),
            e => Assert.Equal("wp_web", Assert.IsType<ServiceCreated>(e).Spec.Name),
            e => Assert.Equal("wp_mysql", Assert.IsType<ServiceCreated>(e).Spec.Name),
            e => Assert.Equal(1, Assert.IsType<StackDeployed>(e).Version));
        var network = (NetworkCreated)decision.Events[0];
        var web = (ServiceCreated)decision.Events[2];
        Assert.Equal(network.NetworkId, Assert.Single(web.Spec.TaskTemplate.Networks).Target);
        Assert.Equal("sid-wp_pw", Assert.Single(web.Spec.TaskTemplate.Container.Secrets).SecretId);
    }

    [Fact]
    public void A_deploy_whose_last_service_is_refused_appends_nothing_and_names_the_service()
    {
        var state = SwarmWithIngress().And(Service(Spec("x") with { Endpoint = new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, 8080)]) }));
        var spec = Wordpress() with { Services = [.. Wordpress().Services.Reverse()] };

        var decision = StackDecider.Decide(Deploy(spec, state), state);

        Assert.Empty(decision.Events);
        Assert.Equal(ErrorKind.Conflict, decision.Error!.Kind);
        Assert.StartsWith("service wp_web: port '8080' is already in use by service 'x'", decision.Error.Message);
    }

    [Fact]
    public void A_missing_external_network_is_refused_in_dockers_words()
    {
        var state = SwarmWithIngress();

        var decision = StackDecider.Decide(Deploy(Wordpress() with { ExternalNetworks = ["my-net"] }, state), state);

        Assert.Empty(decision.Events);
        Assert.Equal("network \"my-net\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed",
            decision.Error!.Message);
    }

    [Fact]
    public void A_missing_external_secret_is_refused_and_an_existing_one_is_used_untouched()
    {
        var state = SwarmWithIngress();
        var spec = Wordpress() with { Secrets = [], ExternalSecrets = ["my-pw2"] };
        spec = spec with { Services = [.. spec.Services.Select(s => StackService("wp", s.Name[3..], s.TaskTemplate.Container.Image, secret: "my-pw2"))] };

        var refused = StackDecider.Decide(Deploy(spec, state), state);
        var withSecret = state.And(new SecretCreated("ext", new SecretSpec { Name = "my-pw2" }, "sealed:x", T0));
        var accepted = StackDecider.Decide(Deploy(spec, withSecret), withSecret);

        Assert.Equal("secret \"my-pw2\" is declared as external, but could not be found", refused.Error!.Message);
        Assert.True(accepted.Succeeded, accepted.Error?.Message);
        Assert.DoesNotContain(accepted.Events, e => e is SecretEvent);
    }

    [Fact]
    public void A_redeploy_with_another_image_updates_that_service_only_and_records_version_2_with_what_changed()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);

        var decision = StackDecider.Decide(Deploy(Wordpress(webImage: "wordpress:6"), state, at: 2), state);

        Assert.Collection(decision.Events,
            e => Assert.Equal("wordpress:6", Assert.IsType<ServiceUpdated>(e).Spec.TaskTemplate.Container.Image),
            e => Assert.Equal(2, Assert.IsType<StackDeployed>(e).Version));
        var deployed = (StackDeployed)decision.Events[1];
        Assert.Contains("service wp_web: image wordpress:latest -> wordpress:6", deployed.Changes.Select(c => c.Line));
        Assert.Equal("unchanged", deployed.Changes.Single(c => c.Name == "wp_mysql").Action);
    }

    [Fact]
    public void The_image_label_of_dockers_converter_follows_the_image_and_is_not_a_change_of_its_own()
    {
        static StackSpec WithImageLabel(StackSpec spec) => spec with
        {
            Services = [.. spec.Services.Select(s => s with { Labels = s.Labels.SetItem("com.docker.stack.image", s.TaskTemplate.Container.Image) })],
        };
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(WithImageLabel(Wordpress()), state), state).Events);

        var decision = StackDecider.Decide(Deploy(WithImageLabel(Wordpress(webImage: "wordpress:6")), state, at: 2), state);

        var deployed = Assert.IsType<StackDeployed>(decision.Events[^1]);
        Assert.Equal("service wp_web: image wordpress:latest -> wordpress:6", deployed.Changes.Single(c => c.Name == "wp_web").Line);
    }

    [Fact]
    public void An_unchanged_redeploy_records_nothing()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);

        var decision = StackDecider.Decide(Deploy(Wordpress(), state, at: 2), state);

        Assert.True(decision.Succeeded, decision.Error?.Message);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Every_redeploy_applies_the_replicas_of_the_file_again_as_Docker_does()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);
        state = state.And(new ServiceScaled(state.ServiceNamed("wp_web").Id, 7, At(1.5)));

        var decision = StackDecider.Decide(Deploy(Wordpress(), state, at: 2), state);

        Assert.Equal(3, Assert.IsType<ServiceScaled>(decision.Events[0]).Replicas);
    }

    [Fact]
    public void A_changed_secret_is_rotated_in_place_instead_of_refused()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);

        var decision = StackDecider.Decide(Deploy(Wordpress(password: "new"), state, at: 2), state);

        var rotated = Assert.IsType<SecretRotated>(decision.Events[0]);
        Assert.Equal(("sid-wp_pw", 2L), (rotated.SecretId, rotated.DataVersion));
        Assert.Contains("secret wp_pw rotated", ((StackDeployed)decision.Events[^1]).Changes.Select(c => c.Line));
    }

    [Fact]
    public void Prune_removes_the_stacks_services_missing_from_the_file_and_nothing_else()
    {
        var state = SwarmWithIngress().And(Service(Spec("other")));
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);
        var webOnly = Wordpress() with { Services = [Wordpress().Services[0]] };

        var kept = StackDecider.Decide(Deploy(webOnly, state, at: 2), state);
        var pruned = StackDecider.Decide(Deploy(webOnly, state, prune: true, at: 2), state);

        Assert.Empty(kept.Events);
        Assert.Equal(state.ServiceNamed("wp_mysql").Id, Assert.IsType<ServiceRemoved>(pruned.Events[0]).ServiceId);
        Assert.Equal(2, pruned.Events.Count);
    }

    [Fact]
    public void The_history_keeps_digests_of_secret_data_and_the_log_never_sees_the_plaintext()
    {
        var state = SwarmWithIngress();
        var decision = StackDecider.Decide(Deploy(Wordpress(password: "s3cr3t-plaintext"), state), state);

        var json = string.Join("\n", decision.Events.Select(e => JsonSerializer.Serialize(e, EventJson.Options)));

        Assert.DoesNotContain("s3cr3t-plaintext", json);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cr3t-plaintext")), json);
        var deployed = (StackDeployed)decision.Events[^1];
        Assert.Equal(StackDigest.Of(Encoding.UTF8.GetBytes("s3cr3t-plaintext")), Assert.Single(deployed.Definition.Secrets).Digest);
    }

    [Fact]
    public void The_projection_keeps_each_version_with_who_deployed_it()
    {
        var state = SwarmWithIngress();
        var decision = StackDecider.Decide(Deploy(Wordpress(), state), state);
        foreach (var e in decision.Events)
            state = state.Apply(new RecordedEvent(state.LastSequence + 1, new EventMetadata(At(1), "uid:1000", "DeployStack", "c1"), e));

        var version = Assert.Single(state.Stacks["wp"].Versions);

        Assert.Equal((1, "uid:1000", "DeployStack"), (version.Number, version.Who, version.Command));
        Assert.Equal("docker-compose.yml", Assert.Single(version.Definition.Files).Path);
    }

    [Fact]
    public void Remove_takes_services_networks_and_secrets_of_the_stack_in_one_batch_while_their_tasks_still_run()
    {
        var state = SwarmWithIngress().And(new SecretCreated("ext", new SecretSpec { Name = "my-pw2" }, "sealed:x", T0));
        var spec = Wordpress() with { ExternalSecrets = ["my-pw2"] };
        state = state.And(StackDecider.Decide(Deploy(spec, state), state).Events);
        var web = state.ServiceNamed("wp_web");
        var network = state.Networks.Values.Single(n => n.Spec.Name == "wp_net");
        state = state.And(
            new TaskCreated("t1", web.Id, web.Spec.Name, 1, "n1", web.Spec.TaskTemplate, 1, TaskState.Running, At(2)),
            new TaskAddressesAllocated("t1", [new NetworkAttachment(network.Id, "10.0.1.5")], At(2)),
            Reported("t1", "n1", TaskState.Running, 3));

        var decision = StackDecider.Decide(new RemoveStack("wp", At(4)), state);

        Assert.True(decision.Succeeded, decision.Error?.Message);
        Assert.Equal(
            ["ServiceRemoved", "ServiceRemoved", "NetworkRemoved", "SecretRemoved", "StackRemoved"],
            decision.Events.Select(e => e.GetType().Name));
        var after = state.And(decision.Events);
        Assert.Empty(after.Stacks);
        Assert.Equal(["my-pw2"], after.Secrets.Values.Select(s => s.Spec.Name));
    }

    [Fact]
    public void Remove_of_an_unknown_stack_is_Nothing_found_in_stack()
    {
        var decision = StackDecider.Decide(new RemoveStack("nope", At(1)), SwarmWithIngress());

        Assert.Equal(new DomainError(ErrorKind.NotFound, "Nothing found in stack: nope"), decision.Error);
    }

    [Fact]
    public void Remove_finds_a_stack_the_stock_cli_deployed_by_its_label()
    {
        var state = SwarmWithIngress().And(Service(StackService("old", "web")));

        var decision = StackDecider.Decide(new RemoveStack("old", At(1)), state);

        Assert.Equal(["ServiceRemoved", "StackRemoved"], decision.Events.Select(e => e.GetType().Name));
    }

    [Fact]
    public void Rollback_deploys_the_previous_version_again_as_a_new_version()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);
        state = state.And(StackDecider.Decide(Deploy(Wordpress(webImage: "wordpress:6"), state, at: 2), state).Events);

        var decision = StackDecider.Decide(new RollbackStack("wp", null, At(3), ["r1", "r2", "r3"], Digests(state)), state);

        Assert.Collection(decision.Events,
            e => Assert.Equal("wordpress:latest", Assert.IsType<ServiceUpdated>(e).Spec.TaskTemplate.Container.Image),
            e => Assert.Equal(3, Assert.IsType<StackDeployed>(e).Version));
        Assert.Contains("service wp_web: image wordpress:6 -> wordpress:latest", ((StackDeployed)decision.Events[1]).Changes.Select(c => c.Line));
    }

    [Fact]
    public void Rollback_is_refused_naming_the_secret_whose_data_changed_since()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);
        state = state.And(StackDecider.Decide(Deploy(Wordpress(password: "new"), state, at: 2), state).Events);

        var decision = StackDecider.Decide(new RollbackStack("wp", 1, At(3), ["r1", "r2", "r3"], Digests(state)), state);

        Assert.Empty(decision.Events);
        Assert.StartsWith("secret wp_pw: its data is no longer that of version 1", decision.Error!.Message);
    }

    [Fact]
    public void Rollback_to_a_version_that_does_not_exist_says_which_exist()
    {
        var state = SwarmWithIngress();
        state = state.And(StackDecider.Decide(Deploy(Wordpress(), state), state).Events);

        Assert.Equal("stack wp has no previous version to roll back to",
            StackDecider.Decide(new RollbackStack("wp", null, At(3), ["r1", "r2", "r3"], Digests(state)), state).Error!.Message);
        Assert.Equal("stack wp has no version 5: its versions are 1 to 1",
            StackDecider.Decide(new RollbackStack("wp", 5, At(3), ["r1", "r2", "r3"], Digests(state)), state).Error!.Message);
    }

    [Fact]
    public void A_config_is_created_kept_while_its_data_is_the_same_and_rotated_when_it_changes()
    {
        var state = SwarmWithIngress();
        StackSpec WithConfig(string data) => Wordpress() with { Configs = [Secret("wp_conf", data)] };
        var first = StackDecider.Decide(Deploy(WithConfig("a=1"), state), state);
        state = state.And(first.Events);

        var same = StackDecider.Decide(Deploy(WithConfig("a=1"), state, at: 2), state);
        var changed = StackDecider.Decide(Deploy(WithConfig("a=2"), state, at: 2), state);

        Assert.Contains(first.Events, e => e is Domain.Configs.ConfigCreated { Spec.Name: "wp_conf" });
        Assert.Empty(same.Events);
        Assert.Equal(2, Assert.IsType<Domain.Configs.ConfigRotated>(changed.Events[0]).DataVersion);
    }

    [Fact]
    public void The_stack_events_round_trip_through_the_log()
    {
        var state = SwarmWithIngress();
        var deployed = (StackDeployed)StackDecider.Decide(Deploy(Wordpress(), state), state).Events[^1];

        var back = (StackDeployed)JsonSerializer.Deserialize<DomainEvent>(JsonSerializer.Serialize<DomainEvent>(deployed, EventJson.Options), EventJson.Options)!;

        Assert.Equal(JsonSerializer.Serialize(deployed.Definition.Services, EventJson.Options), JsonSerializer.Serialize(back.Definition.Services, EventJson.Options));
        Assert.Equal(deployed.Definition.Secrets.Select(s => s.Digest), back.Definition.Secrets.Select(s => s.Digest));
        Assert.Equal(deployed.Changes.ToList(), back.Changes.ToList());
    }
}
