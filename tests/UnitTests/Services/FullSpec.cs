namespace EventSwarm.UnitTests.Services;

/// <summary>A service spec as the Engine API writes it, with every field v1.41 accepts set to a value that is not its default.</summary>
public static class FullSpec
{
    public const string Json = """
    {
      "Name": "web",
      "Labels": { "team": "a", "tier": "front" },
      "TaskTemplate": {
        "ContainerSpec": {
          "Image": "busybox:latest",
          "Labels": { "c": "1" },
          "Command": ["/bin/sh", "-c"],
          "Args": ["sleep 1d"],
          "Hostname": "web-host",
          "Env": ["A=1", "B=2"],
          "Dir": "/tmp",
          "User": "nobody",
          "Groups": ["audio", "video"],
          "Privileges": {
            "CredentialSpec": { "Config": "", "File": "spec.json", "Registry": "" },
            "SELinuxContext": { "Disable": false, "User": "user_u", "Role": "role_r", "Type": "type_t", "Level": "s0" }
          },
          "Init": true,
          "StopSignal": "SIGINT",
          "TTY": true,
          "OpenStdin": true,
          "ReadOnly": true,
          "Mounts": [
            { "Type": "bind", "Source": "/srv", "Target": "/srv", "ReadOnly": true,
              "BindOptions": { "Propagation": "rslave", "NonRecursive": true } },
            { "Type": "volume", "Source": "data", "Target": "/data",
              "VolumeOptions": { "NoCopy": true, "Labels": { "v": "1" }, "DriverConfig": { "Name": "local", "Options": { "o": "bind" } } } },
            { "Type": "tmpfs", "Target": "/run", "TmpfsOptions": { "SizeBytes": 1048576, "Mode": 448 } }
          ],
          "StopGracePeriod": 7000000005,
          "Healthcheck": { "Test": ["CMD-SHELL", "true"], "Interval": 1000000001, "Timeout": 2000000002, "StartPeriod": 3000000003, "Retries": 4 },
          "Hosts": ["10.1.2.3 db.local db", "10.1.2.4 cache.local"],
          "DNSConfig": { "Nameservers": ["10.0.0.53"], "Search": ["example.org"], "Options": ["ndots:2"] },
          "Isolation": "default",
          "Sysctls": { "net.ipv4.ip_forward": "1" },
          "CapabilityAdd": ["CAP_NET_ADMIN"],
          "CapabilityDrop": ["CAP_MKNOD"],
          "Ulimits": [{ "Name": "nofile", "Hard": 2048, "Soft": 1024 }],
          "Secrets": [{ "File": { "Name": "my-pw2", "UID": "0", "GID": "0", "Mode": 292 }, "SecretID": "s1", "SecretName": "my-pw2" }],
          "Configs": [
            { "File": { "Name": "/app.conf", "UID": "33", "GID": "33", "Mode": 256 }, "ConfigID": "c1", "ConfigName": "app.conf" },
            { "Runtime": {}, "ConfigID": "c2", "ConfigName": "credspec" }
          ]
        },
        "Resources": {
          "Limits": { "NanoCPUs": 500000000, "MemoryBytes": 67108864, "Pids": 100 },
          "Reservations": {
            "NanoCPUs": 100000000, "MemoryBytes": 33554432,
            "GenericResources": [
              { "DiscreteResourceSpec": { "Kind": "gpu", "Value": 2 } },
              { "NamedResourceSpec": { "Kind": "ssd", "Value": "disk-1" } }
            ]
          }
        },
        "RestartPolicy": { "Condition": "on-failure", "Delay": 5, "MaxAttempts": 3, "Window": 60000000007 },
        "Placement": {
          "Constraints": ["node.role==worker"],
          "Preferences": [{ "Spread": { "SpreadDescriptor": "node.labels.zone" } }],
          "MaxReplicas": 2,
          "Platforms": [{ "Architecture": "amd64", "OS": "linux" }]
        },
        "Networks": [{ "Target": "backend", "Aliases": ["api"], "DriverOpts": { "com.example.opt": "1" } }],
        "LogDriver": { "Name": "json-file", "Options": { "max-size": "1m" } },
        "ForceUpdate": 3,
        "Runtime": "container"
      },
      "Mode": { "Replicated": { "Replicas": 3 } },
      "UpdateConfig": { "Parallelism": 2, "Delay": 11, "FailureAction": "rollback", "Monitor": 13, "MaxFailureRatio": 0.25, "Order": "start-first" },
      "RollbackConfig": { "Parallelism": 1, "Delay": 17, "FailureAction": "continue", "Monitor": 19, "MaxFailureRatio": 0.5, "Order": "stop-first" },
      "Networks": [{ "Target": "frontend", "Aliases": ["www"], "DriverOpts": { "com.example.other": "2" } }],
      "EndpointSpec": { "Mode": "vip", "Ports": [{ "Name": "web", "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress" }] }
    }
    """;
}
