using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_ValidationTests
{
    private static string Web(string keys) => "services:\n  web:\n    image: nginx\n" + string.Concat(keys.Split('\n').Select(l => "    " + l + "\n"));

    private static string RefusedWeb(string keys) => Refused(Web(keys)).Message;

    [Fact]
    public void An_unknown_deploy_key_is_refused_with_its_full_path()
    {
        Assert.Equal("docker-compose.yml: services.web.deploy.replica: additional property not allowed", RefusedWeb("deploy:\n  replica: 3"));
    }

    [Fact]
    public void An_unknown_service_key_is_refused_with_its_full_path()
    {
        Assert.Equal("docker-compose.yml: services.web.imagee: additional property not allowed", RefusedWeb("imagee: nginx"));
    }

    [Fact]
    public void An_unknown_top_level_key_is_refused()
    {
        Assert.Equal("docker-compose.yml: service: additional property not allowed", Refused("service:\n  web:\n    image: nginx\n").Message);
    }

    [Fact]
    public void A_string_where_an_integer_belongs_is_refused_with_path_type_and_value()
    {
        Assert.Equal("docker-compose.yml: services.web.deploy.replicas must be an integer, got string \"three\"", RefusedWeb("deploy:\n  replicas: three"));
    }

    [Fact]
    public void A_fraction_where_an_integer_belongs_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.web.deploy.replicas must be an integer, got number 2.5", RefusedWeb("deploy:\n  replicas: 2.5"));
    }

    [Fact]
    public void A_list_where_a_mapping_belongs_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.web.deploy must be a mapping or null, got a list", RefusedWeb("deploy: [a]"));
    }

    [Fact]
    public void A_boolean_environment_value_is_refused_as_docker_does()
    {
        Assert.Equal("docker-compose.yml: services.web.environment.DEBUG must be a string, a number or null, got boolean true",
            RefusedWeb("environment:\n  DEBUG: true"));
    }

    [Fact]
    public void A_duration_that_go_cannot_parse_is_refused_naming_the_place()
    {
        Assert.StartsWith("docker-compose.yml: services.web.deploy.restart_policy.delay must be a duration like 10s", RefusedWeb("deploy:\n  restart_policy:\n    delay: 5 seconds"));
    }

    [Fact]
    public void A_bad_port_is_refused_naming_its_index()
    {
        Assert.StartsWith("docker-compose.yml: services.web.ports[1] must be a port like", RefusedWeb("ports:\n  - 80\n  - eighty:80"));
    }

    [Theory]
    [InlineData("80")]
    [InlineData("8080:80")]
    [InlineData("8080:80/udp")]
    [InlineData("127.0.0.1:8080:80")]
    [InlineData("127.0.0.1::80")]
    [InlineData("[::1]:8080:80/tcp")]
    [InlineData("9000-9002:9000-9002")]
    public void Port_specs_docker_parses_are_accepted(string spec)
    {
        var loaded = LoadYaml(Web($"ports:\n  - \"{spec}\""));

        Assert.Equal(spec, Service(loaded, "web")["ports"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("8080:80/icmp")]
    [InlineData("host:8080:80")]
    [InlineData("9002-9000:80")]
    public void Port_specs_docker_refuses_are_refused_naming_the_port(string spec)
    {
        Assert.StartsWith("docker-compose.yml: services.web.ports[0] must be a port like", RefusedWeb($"ports:\n  - \"{spec}\""));
    }

    [Theory]
    [InlineData("10s")]
    [InlineData("1m30s")]
    [InlineData("1.5h")]
    [InlineData("300ms")]
    [InlineData("0")]
    public void Go_durations_are_accepted(string duration)
    {
        var loaded = LoadYaml(Web($"stop_grace_period: \"{duration}\""));

        Assert.Equal(duration, Service(loaded, "web")["stop_grace_period"]!.GetValue<string>());
    }

    [Fact]
    public void A_service_that_is_not_a_mapping_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.web must be a mapping, got null", Refused("services:\n  web:\n").Message);
    }

    [Fact]
    public void Extension_keys_of_networks_need_version_3_7()
    {
        Assert.Equal("docker-compose.yml: networks.front.x-note: additional property not allowed (x-* extension keys here need version 3.7 or later, the file is version 3.6)",
            Refused("version: '3.6'\nservices:\n  web:\n    image: nginx\nnetworks:\n  front:\n    x-note: 1\n").Message);
    }

    [Fact]
    public void An_update_order_outside_its_values_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.web.deploy.update_config.order must be one of start-first, stop-first, got \"first\"",
            RefusedWeb("deploy:\n  update_config:\n    order: first"));
    }

    [Fact]
    public void A_long_volume_without_type_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.web.volumes[0]: type is required", RefusedWeb("volumes:\n  - source: data\n    target: /data"));
    }

    [Fact]
    public void An_invalid_service_name_is_refused()
    {
        Assert.Equal("docker-compose.yml: services.my web: invalid service name \"my web\": only letters, digits, '.', '_' and '-' are allowed",
            Refused("services:\n  my web:\n    image: nginx\n").Message);
    }

    [Fact]
    public void A_ulimit_needs_both_soft_and_hard()
    {
        Assert.Equal("docker-compose.yml: services.web.ulimits.nofile: soft is required", RefusedWeb("ulimits:\n  nofile:\n    hard: 10"));
    }

    [Fact]
    public void Duplicate_ports_are_refused()
    {
        Assert.StartsWith("docker-compose.yml: services.web.ports[1] duplicates an earlier item", RefusedWeb("ports:\n  - 8080:80\n  - 8080:80"));
    }

    [Fact]
    public void An_unknown_top_level_network_key_is_refused()
    {
        Assert.Equal("docker-compose.yml: networks.front.drivr: additional property not allowed",
            Refused("services:\n  web:\n    image: nginx\nnetworks:\n  front:\n    drivr: overlay\n").Message);
    }

    [Fact]
    public void A_secret_label_of_the_wrong_type_is_refused()
    {
        Assert.Equal("docker-compose.yml: secrets.pw.labels must be a mapping or a list, got string \"x\"",
            Refused("services:\n  web:\n    image: nginx\nsecrets:\n  pw:\n    file: ./pw\n    labels: x\n").Message);
    }

    [Fact]
    public void Every_key_the_issue_lists_is_accepted()
    {
        var loaded = LoadYaml("""
            version: "3.9"
            x-common: &common
              TZ: UTC
            services:
              web:
                image: nginx:1.27
                command: ["nginx", "-g", "daemon off;"]
                entrypoint: /docker-entrypoint.sh
                environment:
                  <<: *common
                  MODE: prod
                  COUNT: 3
                  EMPTY:
                ports:
                  - "8080:80"
                  - 443
                  - target: 9000
                    published: 9000
                    protocol: udp
                    mode: host
                networks:
                  front:
                    aliases: [www]
                  back:
                volumes:
                  - data:/data
                  - ./conf:/etc/nginx/conf.d:ro
                  - type: volume
                    source: cache
                    target: /cache
                    volume:
                      nocopy: true
                  - type: bind
                    source: /srv
                    target: /srv
                    read_only: true
                  - type: tmpfs
                    target: /tmp
                    tmpfs:
                      size: 1000000
                secrets:
                  - pw
                  - source: pw
                    target: /run/secrets/password
                    uid: "1000"
                    gid: "1000"
                    mode: 0400
                configs:
                  - source: app
                    target: /etc/app.conf
                    mode: 0444
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost"]
                  interval: 30s
                  timeout: 5s
                  retries: 3
                  start_period: 10s
                labels:
                  - com.example.role=web
                hostname: web
                user: "1000:1000"
                working_dir: /app
                stop_grace_period: 1m30s
                stop_signal: SIGQUIT
                dns: 8.8.8.8
                dns_search: [example.com]
                extra_hosts:
                  - "db:10.0.0.5"
                init: true
                read_only: false
                tty: true
                stdin_open: true
                sysctls:
                  net.core.somaxconn: 1024
                ulimits:
                  nproc: 65535
                  nofile:
                    soft: 20000
                    hard: 40000
                cap_add: [NET_ADMIN]
                cap_drop: [ALL]
                logging:
                  driver: json-file
                  options:
                    max-size: 10m
                depends_on: [db]
                x-team: web
                deploy:
                  mode: replicated
                  replicas: 2
                  endpoint_mode: vip
                  labels:
                    com.example.tier: front
                  placement:
                    constraints: [node.role == worker]
                    preferences:
                      - spread: node.labels.zone
                    max_replicas_per_node: 1
                  resources:
                    limits:
                      cpus: "0.5"
                      memory: 512M
                      pids: 200
                    reservations:
                      cpus: 0.25
                      memory: 128M
                  restart_policy:
                    condition: on-failure
                    delay: 5s
                    max_attempts: 3
                    window: 2m
                  update_config:
                    parallelism: 2
                    delay: 10s
                    failure_action: rollback
                    monitor: 30s
                    max_failure_ratio: 0.1
                    order: start-first
                  rollback_config:
                    parallelism: 1
                    order: stop-first
              db:
                image: mysql:5.7
                healthcheck:
                  disable: true
                deploy:
                  mode: global
            networks:
              front:
                driver: overlay
                driver_opts:
                  encrypted: ""
                attachable: true
                internal: false
                labels: [a=b]
                ipam:
                  driver: default
                  config:
                    - subnet: 10.20.0.0/24
              back:
                external:
                  name: shared
              outside:
                external: true
                name: host-net
            volumes:
              data:
                driver: local
                driver_opts:
                  type: none
                labels:
                  purpose: data
              cache:
                external: true
                name: shared-cache
            secrets:
              pw:
                file: ./pw.txt
                labels: {kind: password}
              token:
                external: true
                name: api-token
            configs:
              app:
                file: ./app.conf
                name: app-v2
              legacy:
                external: true
            """);

        Assert.Equal(2, loaded.Document["services"]!.AsObject().Count);
    }
}
