#!/usr/bin/env bash
# Builds the images EventSwarm's tests, benchmarks and demo use, offline: no registry is reachable here.
# busybox:latest is Debian's static busybox in an image FROM scratch; whoami:latest answers HTTP on 8000 with its
# hostname; python-hello-world:1.0|2.0|broken (the tutorial's update images) answer on 5000 with their version.
# Idempotent: existing images are kept. Then mysql:5.7 (= mysql:latest) and wordpress:latest, for the
# tutorial's secrets walkthrough and WordPress stack, from Debian packages by offline/build.sh: 3-5 min the first
# time, "up to date" in about a second afterwards (FORCE=1 rebuilds them; OFFLINE_IMAGES=0 skips them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DOCKER=${DOCKER:-docker}

if ! $DOCKER image inspect busybox:latest >/dev/null 2>&1; then
  [ -x /bin/busybox ] || { echo "ops/images: /bin/busybox missing (install busybox-static)" >&2; exit 1; }
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc" "$ctx/rootfs/tmp" "$ctx/rootfs/root"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$ctx/rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ctx/rootfs/etc/passwd"
  echo 'root:x:0:' >"$ctx/rootfs/etc/group"
  chmod 1777 "$ctx/rootfs/tmp"
  cp "$here/busybox/Dockerfile" "$ctx/Dockerfile"
  $DOCKER build -q -t busybox:latest "$ctx" >/dev/null
  echo "ops/images: built busybox:latest"
fi

if ! $DOCKER image inspect whoami:latest >/dev/null 2>&1; then
  ctx=$(mktemp -d)
  cp "$here/whoami/Dockerfile" "$here/whoami/whoami.sh" "$ctx/"
  chmod 755 "$ctx/whoami.sh"
  $DOCKER build -q -t whoami:latest "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "ops/images: built whoami:latest"
fi

for version in 1.0 2.0 broken; do
  if ! $DOCKER image inspect "python-hello-world:$version" >/dev/null 2>&1; then
    ctx=$(mktemp -d)
    cp "$here/python-hello-world/Dockerfile" "$here/python-hello-world/hello.sh" "$ctx/"
    chmod 755 "$ctx/hello.sh"
    $DOCKER build -q --build-arg "VERSION=$version" -t "python-hello-world:$version" "$ctx" >/dev/null
    rm -rf "$ctx"
    echo "ops/images: built python-hello-world:$version"
  fi
done

if [ "${OFFLINE_IMAGES:-1}" != 0 ]; then
  DOCKER=$DOCKER bash "$here/offline/build.sh"
fi
