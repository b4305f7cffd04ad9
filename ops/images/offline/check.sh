#!/usr/bin/env bash
# Checks the offline images of ops/images/offline/build.sh with plain docker on this machine's engine, the way the
# tutorial uses them; exit 0 = all good, otherwise the failed step and the containers' logs. About 20 s.
#   1. mysql:latest is mysql:5.7; the image has the `mysql` client; with no password option it refuses to start.
#   2. mysql:5.7 with MYSQL_ROOT_PASSWORD_FILE=/run/secrets/pw holding "adminadmin\n" (as `echo adminadmin | docker
#      secret create` stores it), MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD_FILE: `mysql -u root -padminadmin -e
#      'select 1'` in the container succeeds, and the user logs in over TCP from another container.
#   3. wordpress:latest with WORDPRESS_DB_HOST/USER/NAME/PASSWORD_FILE answers on port 80 (302 to install.php, the
#      install page), installs, and serves its front page.
# Env: DOCKER (docker)  KEEP=1 leaves the containers, network and volume behind.
set -euo pipefail
DOCKER=${DOCKER:-docker}
P=es-imgcheck-$$
NET=$P-net DB=$P-db WP=$P-wp VOL=$P-data
SECRETS=$(mktemp -d /tmp/$P.XXXXXX)
DB_PW='wp pw '"'"'"\$x' # quotes, backslash and dollar on purpose: SQL and PHP escaping in the entrypoints
t0=$SECONDS

say() { printf 'check: %s\n' "$*"; }
fail() {
  printf 'check: FAILED: %s\n' "$*" >&2
  for c in "$DB" "$WP"; do
    $DOCKER inspect "$c" >/dev/null 2>&1 && { echo "--- logs of $c" >&2; $DOCKER logs --tail 30 "$c" >&2 2>&1; }
  done
  exit 1
}
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then say "kept $DB $WP $NET $VOL $SECRETS"; return; fi
  $DOCKER rm -fv "$DB" "$WP" >/dev/null 2>&1 || true
  $DOCKER network rm "$NET" >/dev/null 2>&1 || true
  $DOCKER volume rm "$VOL" >/dev/null 2>&1 || true
  rm -rf "$SECRETS"
}
trap cleanup EXIT
# until CMD... succeeds, at most N tries 0.25 s apart
retry() { local n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }

say "1. images"
for image in mysql:5.7 mysql:latest wordpress:latest; do
  $DOCKER image inspect "$image" >/dev/null 2>&1 || fail "$image missing (bash ops/images/build.sh builds it)"
done
[ "$($DOCKER image inspect -f '{{.Id}}' mysql:5.7)" = "$($DOCKER image inspect -f '{{.Id}}' mysql:latest)" ] ||
  fail "mysql:latest is not mysql:5.7"
$DOCKER run --rm --entrypoint mysql mysql:5.7 --version | grep -q MariaDB || fail "no mysql client in mysql:5.7"
out=$($DOCKER run --rm mysql:5.7 2>&1) && fail "mysql:5.7 started with no password option"
grep -q 'You need to specify one of MYSQL_ROOT_PASSWORD' <<<"$out" || fail "no password option: unexpected message: $out"

say "2. mysql:5.7 with MYSQL_ROOT_PASSWORD_FILE (a file ending in a newline)"
echo adminadmin >"$SECRETS/pw"
printf '%s\n' "$DB_PW" >"$SECRETS/db_password"
$DOCKER network create "$NET" >/dev/null
$DOCKER run -d --name "$DB" --network "$NET" --network-alias db -v "$VOL:/var/lib/mysql" \
  -v "$SECRETS/pw:/run/secrets/pw:ro" -v "$SECRETS/db_password:/run/secrets/db_password:ro" \
  -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/pw -e MYSQL_DATABASE=wordpress -e MYSQL_USER=wordpress \
  -e MYSQL_PASSWORD_FILE=/run/secrets/db_password mysql:5.7 >/dev/null
t=$SECONDS
retry 240 $DOCKER exec "$DB" mysql -h 127.0.0.1 -u root -padminadmin -e 'select 1' ||
  fail "root cannot log in with adminadmin over TCP within 60 s"
$DOCKER exec "$DB" mysql -u root -padminadmin -e 'select 1' >/dev/null || fail "mysql -u root -padminadmin -e 'select 1'"
say "   database ready in $((SECONDS - t)) s; mysql -u root -padminadmin -e 'select 1' works"
$DOCKER exec "$DB" mysql -u root -pwrong -e 'select 1' >/dev/null 2>&1 &&
  fail "a wrong root password was accepted"
$DOCKER run --rm --network "$NET" -e MYSQL_PWD="$DB_PW" --entrypoint mysql mysql:5.7 \
  -h db -u wordpress wordpress -e 'select 1' >/dev/null || fail "the wordpress user cannot log in from another container"

say "3. wordpress:latest against it, port 80"
$DOCKER run -d --name "$WP" --network "$NET" -v "$SECRETS/db_password:/run/secrets/db_password:ro" \
  -e WORDPRESS_DB_HOST=db:3306 -e WORDPRESS_DB_USER=wordpress -e WORDPRESS_DB_NAME=wordpress \
  -e WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db_password wordpress:latest >/dev/null
ip=$($DOCKER inspect -f "{{ (index .NetworkSettings.Networks \"$NET\").IPAddress }}" "$WP")
url=http://$ip
t=$SECONDS
retry 240 curl -sf -o /dev/null --max-time 2 "$url/wp-admin/install.php" || fail "no answer on $url:80 within 60 s"
head=$(curl -s -D - -o /dev/null --max-time 5 "$url/")
grep -qi '^location: .*/wp-admin/install.php' <<<"$head" || fail "/ does not redirect to install.php: $head"
curl -s --max-time 5 "$url/wp-admin/install.php" | grep -qi 'WordPress' || fail "install.php is not the install page"
say "   answering in $((SECONDS - t)) s: / -> 302 install.php"
out=$(curl -s --max-time 30 -X POST "$url/wp-admin/install.php?step=2" --data-urlencode weblog_title=check \
  --data user_name=admin --data admin_password=check-Pass-1 --data admin_password2=check-Pass-1 --data pw_weak=1 \
  --data-urlencode admin_email=admin@example.com --data blog_public=0) || fail "install POST failed"
grep -q 'Success!' <<<"$out" || fail "the install did not report Success!"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/")" = 200 ] || fail "front page not 200 after install"
say "   installed; front page 200"
say "ALL OK in $((SECONDS - t0)) s"
