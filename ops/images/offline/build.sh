#!/usr/bin/env bash
# Builds, with no image registry, the images of the tutorial's secrets walkthrough and WordPress stack:
#   mysql:5.7 (also tagged mysql:latest)  MariaDB 10.11 from Debian, behind the official mysql image's entrypoint contract
#   wordpress:latest                     apache2 + mod_php + Debian's WordPress, behind the official image's contract
# Only Debian's apt mirrors are used: debootstrap --variant=minbase of the host's suite, then per image a copy of that
# base, `apt-get install` in a chroot, slimmed, tarred, and `docker import --change` (ENTRYPOINT/CMD/EXPOSE/VOLUME set at
# import: no `docker build`, no base image needed). Needs root, debootstrap, unshare (util-linux) and a Docker Engine.
#
#   bash ops/images/offline/build.sh [--rootfs-only] [mysql] [wordpress]      (no image named = both)
#
# Idempotent: each image carries the label org.eventswarm.offline-recipe, a hash of its recipe (the rootfs functions
# below, its entrypoint files, the import settings); when the engine's image has that label the run only prints
# "up to date" (about a second). The package tarball, the slow part, is cached under $WORK/tars keyed by the rootfs
# functions alone, so an entrypoint edit only re-imports (seconds). --rootfs-only does the apt work without docker.
# Env: FORCE=1 (rebuild everything, cache of .debs kept)  WORK (/var/tmp/eventswarm-images, about 1 GB)
#      MIRROR / SECURITY_MIRROR (the host's apt sources, else deb.debian.org)  SUITE (the host's codename)
#      DOCKER (docker); http_proxy/https_proxy reach debootstrap and apt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DOCKER=${DOCKER:-docker}
WORK=${WORK:-/var/tmp/eventswarm-images}
SUITE=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
FORCE=${FORCE:-0}
LABEL=org.eventswarm.offline-recipe
NICE=(nice -n 10 ionice -c 3)
# An imported image has no PATH of its own.
ENVPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf 'ops/images: %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

rootfs_only=0 want=()
for arg; do
  case "$arg" in
    --rootfs-only) rootfs_only=1 ;;
    mysql | db) want+=(mysql) ;;
    wordpress | wp) want+=(wordpress) ;;
    *) die "usage: ops/images/offline/build.sh [--rootfs-only] [mysql] [wordpress]" ;;
  esac
done
[ ${#want[@]} -gt 0 ] || want=(mysql wordpress)
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap; ops/setup.sh does it)"

# The host's own mirrors first: a local mirror or proxy keeps working for the chroot too.
host_uris() {
  cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2 }'
  grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{ print $2 }'
}
MIRROR=${MIRROR:-$(host_uris | grep -v security | grep -m1 '/debian/\?$' || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(host_uris | grep -m1 'debian-security/\?$' || true)}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mkdir -p "$WORK/debs" "$WORK/logs" "$WORK/tars"
# One build at a time per cache: setup.sh may run from two shells (tests, a developer) at once.
exec 9>"$WORK/.lock"
flock 9

# Runs a command in a rootfs. /proc and the shared .deb cache are mounted in a private mount namespace, so they vanish
# with the command, even after a failure: nothing is left mounted on the host.
in_root() {
  local root=$1; shift
  unshare --mount --propagation private -- /bin/sh -ec '
    root=$1; debs=$2; shift 2
    mount -t proc proc "$root/proc"
    mount --bind "$debs" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i PATH='"$ENVPATH"' DEBIAN_FRONTEND=noninteractive LC_ALL=C \
      ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"
  ' sh "$root" "$WORK/debs" "$@"
}

# run_logged NAME CMD...: the whole output goes to $WORK/logs/NAME.log; its tail is shown on failure.
run_logged() {
  local name=$1 log="$WORK/logs/$1.log"; shift
  "$@" >"$log" 2>&1 || { tail -25 "$log" >&2; die "$name failed, see $log"; }
}

ensure_base() {
  base=$WORK/base-$SUITE
  [ -e "$base/.complete" ] && return
  say "debootstrap --variant=minbase $SUITE from $MIRROR"
  rm -rf "$base"
  run_logged debootstrap "${NICE[@]}" debootstrap --variant=minbase --cache-dir="$WORK/debs" "$SUITE" "$base" "$MIRROR"
  cat >"$base/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  cat >"$base/etc/dpkg/dpkg.cfg.d/01-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  # No daemon may start in the chroot during apt-get install (it would run on the host).
  printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"
  chmod 755 "$base/usr/sbin/policy-rc.d"
  touch "$base/.complete"
}

slim() {
  local r=$1
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old "$r"/tmp/* "$r"/var/tmp/* "$r"/usr/share/man/* \
    "$r"/usr/share/info/* "$r"/usr/share/locale/* "$r"/usr/share/lintian/* "$r/.complete"
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$r/var/log" -type f -delete
  : >"$r/etc/resolv.conf" # the engine bind-mounts its own
  echo localhost >"$r/etc/hostname"
}

prepare_mysql() {
  local r=$1
  # mariadb-server-core, not mariadb-server: the latter pulls galera, rsync, socat and perl, and its 50-server.cnf
  # binds to 127.0.0.1. -core has no mysql user and no /run/mysqld: made here, with the official image's 999:999.
  run_logged mysql-apt in_root "$r" sh -ec '
    apt-get update -q
    apt-get -y -q upgrade
    apt-get install -y -q --no-install-recommends mariadb-server-core mariadb-client
    groupadd -r -g 999 mysql
    useradd -r -u 999 -g mysql -d /var/lib/mysql -s /usr/sbin/nologin mysql
    mkdir -p /var/lib/mysql /run/mysqld /docker-entrypoint-initdb.d
    chown mysql:mysql /var/lib/mysql /run/mysqld'
  ln -sf usr/local/bin/docker-entrypoint.sh "$r/entrypoint.sh" # where the official 5.7 image had it
  cat >"$r/etc/mysql/conf.d/docker.cnf" <<'EOF'
# As the official image: no DNS lookups of clients; no bind-address, so all interfaces, port 3306.
[mysqld]
skip-host-cache
skip-name-resolve
# utf8mb4 without a collation, so that --character-set-server=latin1 still starts the server.
character-set-server = utf8mb4
EOF
}
MYSQL_CHANGES=(--change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["mysqld"]'
  --change 'EXPOSE 3306' --change 'VOLUME /var/lib/mysql')

prepare_wordpress() {
  local r=$1
  cat >"$r/etc/apache2-docker-wordpress.conf" <<'EOF'
ServerName localhost
DirectoryIndex index.php index.html
<Directory /var/www/>
  Options FollowSymLinks
  AllowOverride All
  Require all granted
</Directory>
EOF
  # The theme is only a Recommends of wordpress: without one the front page is blank.
  # Debian's layout (wp-config chosen by Host header, JS libraries as symlinks) is turned into the official one:
  # a plain copy of the site in /var/www/html owned by www-data, logs to the container's stdout/stderr.
  run_logged wordpress-apt in_root "$r" sh -ec '
    apt-get update -q
    apt-get -y -q upgrade
    apt-get install -y -q --no-install-recommends apache2 libapache2-mod-php php-mysql php-gd php-curl \
      php-xml php-mbstring php-zip php-intl wordpress wordpress-theme-twentytwentythree
    mv /etc/apache2-docker-wordpress.conf /etc/apache2/conf-available/docker-wordpress.conf
    a2enconf -q docker-wordpress
    a2enmod -q rewrite
    rm -rf /var/www/html
    cp -aL /usr/share/wordpress /var/www/html
    rm -rf /usr/share/wordpress /var/www/html/wp-config.php /var/www/html/.htaccess
    ln -s /var/www/html /usr/share/wordpress
    mkdir -p /var/www/html/wp-content/uploads
    ln -sfT /dev/stderr /var/log/apache2/error.log
    ln -sfT /dev/stdout /var/log/apache2/access.log
    ln -sfT /dev/stdout /var/log/apache2/other_vhosts_access.log'
  cat >"$r/var/www/html/.htaccess" <<'EOF'
# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
RewriteBase /
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
</IfModule>
# END WordPress
EOF
  chown -R 33:33 "$r/var/www/html" # www-data
}
# Engine 20.10's `import --change` refuses STOPSIGNAL; apache stops cleanly on SIGTERM anyway. Unlike the official
# image there is no VOLUME on /var/www/html: the site is in the image, the data in the database.
WORDPRESS_CHANGES=(--change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["apache2-foreground"]'
  --change 'EXPOSE 80' --change 'WORKDIR /var/www/html')

# What a package tarball depends on: the bodies of the functions that make it (comments do not count).
rootfs_hash() { { echo "$SUITE"; declare -f ensure_base slim "prepare_$1"; } | sha256sum | cut -c1-16; }

# build KIND "IMAGE [TAG...]" SRC=/path/in/image...: the first name is built, the others are tags of it. The SRC files
# (entrypoints, under ops/images/offline/) are appended to a copy of the cached package tarball at import.
build() {
  local kind=$1 names=($2); shift 2
  local image=${names[0]} changes="${kind^^}_CHANGES[@]" files=() roothash hash slug tarball root t0=$SECONDS f
  for f; do files+=("$here/${f%%=*}"); done
  roothash=$(rootfs_hash "$kind")
  hash=$({ echo "$roothash $ENVPATH"; printf '%s\n' "${!changes}" "$@"; cat "${files[@]}"; } | sha256sum | cut -c1-16)
  if [ "$FORCE" != 1 ] && [ $rootfs_only = 0 ] &&
    [ "$($DOCKER image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$image" 2>/dev/null)" = "$hash" ]; then
    tag "${names[@]}"
    say "${names[*]} up to date (recipe $hash)"
    return
  fi
  slug=${image//[:\/]/_}
  tarball=$WORK/tars/$slug-$roothash.tar
  if [ "$FORCE" = 1 ] || [ ! -s "$tarball" ]; then
    ensure_base
    root=$WORK/rootfs-$slug
    say "$image: installing packages into $root (a few minutes; log in $WORK/logs/$kind-apt.log)"
    rm -rf "$root"
    cp -a "$base" "$root"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    "prepare_$kind" "$root"
    slim "$root"
    rm -f "$WORK/tars/$slug"-*.tar
    tar --numeric-owner -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  if [ $rootfs_only = 1 ]; then say "$image: package tarball ready ($((SECONDS - t0)) s)"; return; fi
  local stage=$WORK/stage-$slug members=() old
  rm -rf "$stage" "$stage.tar"
  for f; do
    install -D -m 755 "$here/${f%%=*}" "$stage/${f#*=}"
    members+=(".${f#*=}")
  done
  cp "$tarball" "$stage.tar"
  tar -rf "$stage.tar" --numeric-owner --owner=0 --group=0 -C "$stage" "${members[@]}"
  old=$($DOCKER image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  "${NICE[@]}" $DOCKER import --change "ENV PATH=$ENVPATH" "${!changes}" --change "LABEL $LABEL=$hash" \
    -m "ops/images/offline/build.sh ($SUITE)" "$stage.tar" "$image" >/dev/null
  rm -rf "$stage" "$stage.tar"
  tag "${names[@]}"
  # The image this one replaced, if now untagged (kept while a container still uses it).
  if [ -n "$old" ] && [ -z "$($DOCKER image inspect -f '{{join .RepoTags ""}}' "$old" 2>/dev/null)" ]; then
    $DOCKER rmi "$old" >/dev/null 2>&1 || true
  fi
  say "built ${names[*]} in $((SECONDS - t0)) s, $($DOCKER image inspect -f '{{.Size}}' "$image" | numfmt --to=si)B"
}

tag() { local t; for t in "${@:2}"; do $DOCKER tag "$1" "$t"; done; }

for kind in "${want[@]}"; do
  case "$kind" in
    mysql) build mysql "mysql:5.7 mysql:latest" mysql/docker-entrypoint.sh=/usr/local/bin/docker-entrypoint.sh ;;
    wordpress) build wordpress "wordpress:latest" wordpress/docker-entrypoint.sh=/usr/local/bin/docker-entrypoint.sh \
      wordpress/apache2-foreground=/usr/local/bin/apache2-foreground ;;
  esac
done
