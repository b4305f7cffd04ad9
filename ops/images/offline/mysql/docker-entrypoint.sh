#!/bin/bash
# docker-entrypoint.sh of the offline mysql:5.7 image (MariaDB 10.11 from Debian), built by ops/images/offline/build.sh.
# The official mysql image's contract:
#   MYSQL_ROOT_PASSWORD | MYSQL_ALLOW_EMPTY_PASSWORD | MYSQL_RANDOM_ROOT_PASSWORD   one is required on the first start
#   MYSQL_ROOT_HOST (default %), MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD
#   each also as NAME_FILE, e.g. MYSQL_ROOT_PASSWORD_FILE=/run/secrets/db_root_password
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz run once, on the first start; arguments starting with - go to mysqld.
set -eo pipefail
shopt -s nullglob

log() { printf '%s [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# file_env VAR [DEFAULT]: VAR's value, or the content of the file VAR_FILE names (not both). `$(<file)` drops the
# trailing newlines, as the official entrypoint does: `echo adminadmin | docker secret create my-pw2 -` stores
# "adminadmin\n" and the password is "adminadmin".
file_env() {
  local var=$1 file_var="${1}_FILE" def=${2:-} val
  if [ "${!var:-}" ] && [ "${!file_var:-}" ]; then die "both $var and $file_var are set (but are exclusive)"; fi
  val=$def
  if [ "${!var:-}" ]; then
    val=${!var}
  elif [ "${!file_var:-}" ]; then
    [ -r "${!file_var}" ] || die "$file_var=${!file_var} is not a readable file"
    val=$(<"${!file_var}")
  fi
  export "$var"="$val"
  unset "$file_var"
}
ENV_VARS=(MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD MYSQL_ROOT_HOST MYSQL_ALLOW_EMPTY_PASSWORD
  MYSQL_RANDOM_ROOT_PASSWORD)

wants_help() {
  local a
  for a; do case "$a" in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac; done
  return 1
}

# A server option as the server sees it (config files and arguments). awk reads to the end on purpose: an early
# `exit` SIGPIPEs mysqld, and with pipefail and set -e that killed this script (exit 141) at random.
server_option() {
  local name=$1; shift
  { "$@" --verbose --help 2>/dev/null || true; } |
    awk -v name="$name" '!found && $1 == name && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; found = 1 }'
}

sql_string() { local s=${1//\\/\\\\}; printf '%s' "${s//\'/\\\'}"; }
sql_name() { printf '%s' "${1//\`/\`\`}"; }

if [ "${1:0:1}" = '-' ]; then set -- mysqld "$@"; fi

if [[ "$1" == mysqld || "$1" == mariadbd ]] && ! wants_help "$@"; then
  DATADIR=$(server_option datadir "$@"); DATADIR=${DATADIR:-/var/lib/mysql}; DATADIR=${DATADIR%/}
  SOCKET=$(server_option socket "$@"); SOCKET=${SOCKET:-/run/mysqld/mysqld.sock}

  if [ "$(id -u)" = 0 ]; then
    # The *_FILE secrets are read as root (a 0600 file works too), then the script goes on as mysql, as the official
    # image does with gosu.
    for v in "${ENV_VARS[@]}"; do file_env "$v"; done
    mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
    find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
    exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
  fi
  for v in "${ENV_VARS[@]}"; do file_env "$v"; done
  : "${MYSQL_ROOT_HOST:=%}"

  # An existing datadir is never initialised again (the volume outlives the container).
  if [ ! -d "$DATADIR/mysql" ]; then
    if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
      die "Database is uninitialized and password option is not specified
    You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD"
    fi
    log "Initializing database files in $DATADIR"
    mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve --default-time-zone=SYSTEM --skip-log-bin \
      --expire-logs-days=0 "${@:2}" >/dev/null
    log "Database files initialized; starting a temporary server"
    "$@" --skip-networking --socket="$SOCKET" --skip-log-bin &
    pid=$!
    client() { mariadb --protocol=socket --socket="$SOCKET" -uroot "$@"; }
    for _ in $(seq 150); do
      client -e 'SELECT 1' >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || die "the temporary server exited during init"
      sleep 0.2
    done
    client -e 'SELECT 1' >/dev/null 2>&1 || die "the temporary server did not start in 30 s"

    if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
      MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
      log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
    fi
    root_pw=$(sql_string "$MYSQL_ROOT_PASSWORD")
    {
      echo "SET @@SESSION.SQL_LOG_BIN=0;"
      echo "SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');"
      echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
      echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');"
      if [ "$MYSQL_ROOT_HOST" != localhost ]; then
        echo "CREATE USER 'root'@'$(sql_string "$MYSQL_ROOT_HOST")' IDENTIFIED BY '$root_pw';"
        echo "GRANT ALL ON *.* TO 'root'@'$(sql_string "$MYSQL_ROOT_HOST")' WITH GRANT OPTION;"
      fi
      [ -z "$MYSQL_DATABASE" ] || echo "CREATE DATABASE IF NOT EXISTS \`$(sql_name "$MYSQL_DATABASE")\`;"
      if [ -n "$MYSQL_USER" ] && [ "$MYSQL_USER" != root ]; then
        echo "CREATE USER '$(sql_string "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_string "$MYSQL_PASSWORD")';"
        [ -z "$MYSQL_DATABASE" ] ||
          echo "GRANT ALL ON \`$(sql_name "$MYSQL_DATABASE")\`.* TO '$(sql_string "$MYSQL_USER")'@'%';"
      fi
      # root@localhost last: everything above runs without a password.
      [ -z "$MYSQL_ROOT_PASSWORD" ] || echo "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('$root_pw');"
      echo "FLUSH PRIVILEGES;"
    } | client mysql || die "the initial SQL failed"

    export MYSQL_PWD=$MYSQL_ROOT_PASSWORD # read by the client: the password stays off the command lines
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sh) log "running $f"; . "$f" ;;
        *.sql) log "running $f"; client ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} <"$f" ;;
        *.sql.gz) log "running $f"; gunzip -c "$f" | client ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} ;;
        *) log "ignoring $f" ;;
      esac
    done
    unset MYSQL_PWD

    kill "$pid"
    wait "$pid" || true
    log "MySQL init process done. Ready for start up."
  fi
fi

exec "$@"
