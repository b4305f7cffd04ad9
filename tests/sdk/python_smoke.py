#!/usr/bin/python3
"""
A Docker SDK other than Docker.DotNet, at its defaults, against EventSwarm's socket (DOCKER_HOST): Debian's
python3-docker negotiates the API version through GET /version, then lists containers, images and nodes, and
creates, inspects, scales, updates and removes a service. Prints one line per step; exits non-zero on the first
failure. Run with /usr/bin/python3 (Debian's python, which has the package), e.g. by
tests/IntegrationTests/EngineApi/Python_sdk_Tests.cs.
"""
import os
import sys
import time

import docker


def step(name, value=""):
    print(f"{name}: {value}".rstrip(), flush=True)


def wait_for(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


client = docker.from_env()  # version negotiation: GET /version, key "ApiVersion"
step("api version", client.api.api_version)
assert client.api.api_version == "1.41", client.api.api_version
step("ping", client.ping())

step("containers", len(client.containers.list(all=True)))
images = client.images.list()
assert any("busybox:latest" in image.tags for image in images), [image.tags for image in images]
step("images", len(images))

nodes = client.nodes.list()
assert len(nodes) >= 1 and nodes[0].attrs["Status"]["State"] == "ready", [n.attrs for n in nodes]
step("nodes", len(nodes))

name = f"sdk-smoke-{os.getpid()}"
service = client.services.create(
    "busybox:latest", command=["sleep", "300"], name=name,
    labels={"eventswarm.test": "1"}, container_labels={"eventswarm.test": "1"})
service.reload()
assert service.name == name, service.name
assert service.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].startswith("busybox:latest")
step("service created", service.id)


def running():
    return len([t for t in service.tasks() if t["Status"]["State"] == "running"])


wait_for("1 running task", lambda: running() == 1)
step("service running", running())

assert service.scale(2)
wait_for("2 running tasks", lambda: running() == 2)
step("service scaled", running())

service.reload()
version = service.version
service.update(labels={"eventswarm.test": "1", "stage": "updated"})
service.reload()
assert service.attrs["Spec"]["Labels"].get("stage") == "updated", service.attrs["Spec"]["Labels"]
assert service.version > version, (version, service.version)
assert service.attrs["Spec"]["Mode"]["Replicated"]["Replicas"] == 2, service.attrs["Spec"]["Mode"]
step("service updated", service.version)

service.remove()
wait_for("the service gone", lambda: not client.services.list(filters={"name": name}))
step("service removed", name)
print("smoke ok")
