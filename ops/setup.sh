#!/usr/bin/env bash
# Everything EventSwarm needs on a fresh Debian machine, idempotent: packages, a running Docker Engine, the
# offline images, and (unless SKIP_PUBLISH=1) the `eventswarm` binary on PATH. Used by both README commands.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf 'setup: %s\n' "$*"; }
t0=$SECONDS

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v pgrep >/dev/null 2>&1 || missing+=(procps)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# ops/images/offline/build.sh makes mysql and wordpress images from Debian packages in a debootstrapped chroot.
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# `eventswarm completion zsh` is run in a real zsh by the unit tests.
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# The Python Docker SDK drives EventSwarm in tests/sdk/python_smoke.py (Debian's, for /usr/bin/python3).
/usr/bin/python3 -c "import docker" >/dev/null 2>&1 || missing+=(python3-docker)
# The web view's browser test and bench drive Debian's Chromium headless (PuppeteerSharp; no browser download).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  step "starting dockerd"
  nohup dockerd >/var/log/eventswarm-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/eventswarm-dockerd.log" >&2; tail -20 /var/log/eventswarm-dockerd.log >&2; exit 1; }
fi

bash ops/images/build.sh

if [ "${SKIP_PUBLISH:-}" != 1 ]; then
  step "building eventswarm"
  dotnet publish src/Node/EventSwarm.Node.csproj -c Release -o /opt/eventswarm -v q -nologo >/dev/null
  ln -sf /opt/eventswarm/eventswarm /usr/local/bin/eventswarm
fi
step "ready in $((SECONDS - t0)) s"
