#!/usr/bin/env bash
# Throwaway RabbitMQ (with the management plugin) and PostgreSQL 15 for the test suite.
#
#   deploy/scripts/testinfra.sh start    install where missing, start both (no-op when running)
#   deploy/scripts/testinfra.sh stop     shut both down cleanly
#   deploy/scripts/testinfra.sh status   say what is running (exit 3 when not everything is)
#   deploy/scripts/testinfra.sh env      print the export lines (also written to var/testinfra/env)
#
# Every start from stopped gives fresh servers (empty mnesia, new cluster, new password). Both listen
# on 127.0.0.1 only, on a block of five ports:
#   base+0 AMQP, +1 Erlang distribution, +2 management HTTP, +3 PostgreSQL, +4 a private epmd
# The first block is 27672-27676; when another checkout's servers hold it, the next free one of
# 27682, 27692, ... is used, and the env file says which. CRM_TESTINFRA_{AMQP,DIST,MGMT,PG,EPMD}_PORT
# pin ports exactly. The blocks stay below the kernel's ephemeral range (32768+) and clear of
# RabbitMQ's defaults, including 35672-35682 that its CLI tools bind (default dist port + 10000).
# The node registers with its own epmd, so it never touches a system epmd or RabbitMQ node.
# Needs root (or passwordless sudo) only to apt-get install RabbitMQ / PostgreSQL / nginx where missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR=${CRM_TESTINFRA_DIR:-$ROOT/var/testinfra}
ENV_FILE=$STATE_DIR/env
PORTS_FILE=$STATE_DIR/ports
FIRST_PORT=27672
PORT_BLOCKS=10

RABBIT_BIN=/usr/lib/rabbitmq/bin
RABBIT_NODE=crmtest@localhost
RABBIT_USER=crmtest
RABBIT_DIR=$STATE_DIR/rabbit
RABBIT_PID_FILE=$RABBIT_DIR/rabbit.pid
RABBIT_PASSWORD_FILE=$RABBIT_DIR/password
PG_VERSION=15
PG_LOCATION_FILE=$STATE_DIR/pg-location
TIMEOUT=90

# ---------------------------------------------------------------------------------------------- helpers

log() { printf '[testinfra] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
now_us() { local t=$EPOCHREALTIME; echo "${t//[!0-9]/}"; }
since() { # since <start_us>: seconds elapsed, one decimal
    local us=$(($(now_us) - $1))
    printf '%d.%01ds' $((us / 1000000)) $((us % 1000000 / 100000))
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        die "need root to run: $*"
    fi
}

apt_install() {
    log "installing $* with apt-get (non-interactive)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" </dev/null >&2
}

port_in_use() { # port_in_use <port>: true when something listens on 127.0.0.1:<port>
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

require_free_port() {
    if port_in_use "$2"; then
        die "port $2 ($1) on 127.0.0.1 is taken by another process; free it or set CRM_TESTINFRA_*_PORT"
    fi
}

pid_alive() { # a zombie (killed, not yet reaped) counts as dead
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

stop_pid() { # stop_pid <pid> <what>: SIGTERM, wait up to 15 s, then SIGKILL
    local pid=$1 i
    pid_alive "$pid" || return 0
    log "sending SIGTERM to $2 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    log "$2 (pid $pid) ignored SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------- ports

use_block() { # use_block <base>: the five ports of one block
    AMQP_PORT=$1 DIST_PORT=$(($1 + 1)) MGMT_PORT=$(($1 + 2)) PG_PORT=$(($1 + 3)) EPMD_PORT=$(($1 + 4))
}

load_ports() { # the ports of the servers we run (or ran last); the first block otherwise
    use_block "$FIRST_PORT"
    if [[ -s $PORTS_FILE ]]; then
        # shellcheck source=/dev/null
        source "$PORTS_FILE"
    fi
}

pinned_ports() { [[ -n ${CRM_TESTINFRA_AMQP_PORT:-}${CRM_TESTINFRA_DIST_PORT:-}${CRM_TESTINFRA_MGMT_PORT:-}${CRM_TESTINFRA_PG_PORT:-}${CRM_TESTINFRA_EPMD_PORT:-} ]]; }

choose_ports() { # called when none of our servers runs: pinned ports, else the first free block
    local i
    if pinned_ports; then
        use_block "$FIRST_PORT"
        AMQP_PORT=${CRM_TESTINFRA_AMQP_PORT:-$AMQP_PORT}
        DIST_PORT=${CRM_TESTINFRA_DIST_PORT:-$DIST_PORT}
        MGMT_PORT=${CRM_TESTINFRA_MGMT_PORT:-$MGMT_PORT}
        PG_PORT=${CRM_TESTINFRA_PG_PORT:-$PG_PORT}
        EPMD_PORT=${CRM_TESTINFRA_EPMD_PORT:-$EPMD_PORT}
    else
        for ((i = 0; i < PORT_BLOCKS; i++)); do
            use_block $((FIRST_PORT + 10 * i))
            block_free && break
            log "ports $AMQP_PORT-$EPMD_PORT are taken; trying the next block"
        done
    fi
    block_free || die "no free ports for the test servers (tried $PORT_BLOCKS blocks from $FIRST_PORT)"
    printf 'AMQP_PORT=%s DIST_PORT=%s MGMT_PORT=%s PG_PORT=%s EPMD_PORT=%s\n' \
        "$AMQP_PORT" "$DIST_PORT" "$MGMT_PORT" "$PG_PORT" "$EPMD_PORT" >"$PORTS_FILE"
}

block_free() {
    local port
    for port in "$AMQP_PORT" "$DIST_PORT" "$MGMT_PORT" "$PG_PORT" "$EPMD_PORT"; do
        ! port_in_use "$port" || return 1
    done
}

# ---------------------------------------------------------------------------------------------- RabbitMQ

rmq() { # rmq <tool> args...: run a RabbitMQ CLI tool against our throwaway node
    (
        export HOME=$RABBIT_DIR/home
        export RABBITMQ_CONF_ENV_FILE=$RABBIT_DIR/rabbitmq-env.conf
        export RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf
        export RABBITMQ_ADVANCED_CONFIG_FILE=$RABBIT_DIR/advanced.config
        export RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins
        export RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia
        export RABBITMQ_LOG_BASE=$RABBIT_DIR/log
        export RABBITMQ_PID_FILE=$RABBIT_PID_FILE
        export RABBITMQ_NODENAME=$RABBIT_NODE
        export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        export RABBITMQ_NODE_PORT=$AMQP_PORT
        export RABBITMQ_DIST_PORT=$DIST_PORT
        export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        export ERL_EPMD_PORT=$EPMD_PORT
        export ERL_EPMD_ADDRESS=127.0.0.1
        export LC_ALL=C.UTF-8
        exec 9>&- # the lock must not outlive this script in the node or epmd
        exec "$RABBIT_BIN/$1" "${@:2}"
    )
}

rabbit_pid() { # the pid of our node, if its pid file names a live process that is ours
    local pid
    [[ -s $RABBIT_PID_FILE ]] || return 0
    pid=$(tr -dc '0-9' <"$RABBIT_PID_FILE")
    # after a crash the pid may since belong to another process: ours has our HOME in its args
    if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$RABBIT_DIR/home"; then
        echo "$pid"
    fi
}

rabbit_running() {
    pid_alive "$(rabbit_pid)" && rmq rabbitmqctl -q ping >/dev/null 2>&1
}

rabbit_install() {
    [[ -x $RABBIT_BIN/rabbitmq-server ]] || apt_install rabbitmq-server
    [[ -x $RABBIT_BIN/rabbitmq-server ]] || die "rabbitmq-server is still missing after apt-get install"
}

rabbit_write_config() { # fresh node files: config with the admin user, plugins, empty env file
    local password=$1
    rm -rf "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log" "$RABBIT_PID_FILE"
    mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
    : >"$RABBIT_DIR/rabbitmq-env.conf"
    (
        umask 077
        printf '%s\n' "$password" >"$RABBIT_PASSWORD_FILE"
        # default_user is created on the first boot of an empty database, which every start is;
        # no guest user exists at all.
        cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
# queue message counts in the API refresh at this interval (default 5 s); tests poll them
collect_statistics_interval = 500
default_vhost = /
default_user = $RABBIT_USER
default_pass = $password
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
log.file.level = info
EOF
    )
    if [[ ! -s $RABBIT_DIR/enabled_plugins ]]; then
        rmq rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
    fi
}

rabbit_await_api() { # the management listener answers with our user
    local password=$1 deadline=$((SECONDS + TIMEOUT))
    until curl -fsS -o /dev/null -u "$RABBIT_USER:$password" "http://127.0.0.1:$MGMT_PORT/api/whoami"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

rabbit_fail() {
    log "RabbitMQ did not start: $1; last lines of its logs:"
    tail -n 30 "$RABBIT_DIR"/log/*.log >&2 2>/dev/null || true
    stop_pid "$(rabbit_pid)" "the failed RabbitMQ node"
    exit 1
}

rabbit_start() {
    local t0 password
    t0=$(now_us)
    if rabbit_running; then
        log "RabbitMQ already running (node $RABBIT_NODE, pid $(rabbit_pid))"
        [[ -s $RABBIT_PASSWORD_FILE ]] || die "RabbitMQ runs but $RABBIT_PASSWORD_FILE is gone; run stop, then start"
        return 0
    fi
    rabbit_install
    # A leftover node from a crash (pid alive but not answering) is ours: its pid file says so.
    stop_pid "$(rabbit_pid)" "unresponsive RabbitMQ node"
    require_free_port AMQP "$AMQP_PORT"
    require_free_port "Erlang distribution" "$DIST_PORT"
    require_free_port "RabbitMQ management" "$MGMT_PORT"
    password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    rabbit_write_config "$password"
    rmq rabbitmq-server -detached || rabbit_fail "rabbitmq-server -detached failed"
    rmq rabbitmqctl -q wait --timeout "$TIMEOUT" "$RABBIT_PID_FILE" >/dev/null || rabbit_fail "wait timed out"
    rmq rabbitmqctl -q await_startup --timeout "$TIMEOUT" >/dev/null || rabbit_fail "await_startup failed"
    rabbit_await_api "$password" || rabbit_fail "management API on port $MGMT_PORT did not answer"
    log "RabbitMQ started in $(since "$t0") (amqp $AMQP_PORT, management $MGMT_PORT, pid $(rabbit_pid))"
}

rabbit_stop() {
    local t0 pid
    t0=$(now_us)
    pid=$(rabbit_pid)
    if pid_alive "$pid"; then
        if ! rmq rabbitmqctl -q shutdown --timeout 30 >/dev/null 2>&1; then
            stop_pid "$pid" "RabbitMQ node"
        fi
        log "RabbitMQ stopped in $(since "$t0")"
    else
        log "RabbitMQ not running"
    fi
    rm -f "$RABBIT_PID_FILE"
    epmd_stop
}

epmd_stop() { # our private epmd outlives the node; it refuses -kill while any node is registered
    if command -v epmd >/dev/null && ERL_EPMD_PORT=$EPMD_PORT epmd -names >/dev/null 2>&1; then
        ERL_EPMD_PORT=$EPMD_PORT epmd -kill >/dev/null 2>&1 || log "epmd on port $EPMD_PORT still has nodes; left running"
    fi
}

# ---------------------------------------------------------------------------------------------- PostgreSQL

pg_bin() {
    local dir=/usr/lib/postgresql/$PG_VERSION/bin
    [[ -x $dir/initdb ]] || apt_install "postgresql-$PG_VERSION"
    [[ -x $dir/initdb ]] || die "PostgreSQL $PG_VERSION is still missing after apt-get install"
    echo "$dir"
}

as_pg() { # initdb and pg_ctl refuse to run as root: run them as the postgres user then
    # fd 9 is the lock: the server must not inherit it
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@" 9>&-
    else
        "$@" 9>&-
    fi
}

pg_choose_base() {
    # The cluster lives in var/testinfra/pg when the postgres user can reach it and the socket path
    # fits the 107-byte limit of a Unix socket name; otherwise under /tmp.
    local base=$STATE_DIR/pg
    if { [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$STATE_DIR"; } || ((${#base} > 80)); then
        base=/tmp/crm-testinfra-$EUID-$(cksum <<<"$STATE_DIR" | cut -d' ' -f1)/pg
    fi
    echo "$base"
}

pg_base() { # where the cluster is: recorded at start, chosen afresh when nothing is recorded
    if [[ -s $PG_LOCATION_FILE ]]; then cat "$PG_LOCATION_FILE"; else pg_choose_base; fi
}

pg_running() { # our cluster's postmaster is alive and answers on our port
    local base bin
    base=$(pg_base)
    [[ -f $base/data/PG_VERSION ]] || return 1
    bin=$(pg_bin)
    as_pg "$bin/pg_ctl" status -D "$base/data" >/dev/null 2>&1 &&
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5
}

pg_start() {
    local t0 bin base
    t0=$(now_us)
    if pg_running; then
        log "PostgreSQL already running (port $PG_PORT, cluster $(pg_base)/data)"
        return 0
    fi
    bin=$(pg_bin)
    require_free_port PostgreSQL "$PG_PORT"
    base=$(pg_choose_base)
    rm -rf "$base"
    mkdir -p "$base/data" "$base/run" "$base/log"
    [[ $EUID -ne 0 ]] || chown -R postgres: "$base"
    chmod 700 "$base/data"
    echo "$base" >"$PG_LOCATION_FILE"
    as_pg "$bin/initdb" -D "$base/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C \
        >"$base/log/initdb.log" 2>&1 || {
        cat "$base/log/initdb.log" >&2
        die "initdb failed"
    }
    if ! as_pg "$bin/pg_ctl" -D "$base/data" -l "$base/log/postgres.log" -w -t "$TIMEOUT" start \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $base/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null; then
        tail -n 30 "$base/log/postgres.log" >&2 || true
        die "PostgreSQL did not start"
    fi
    log "PostgreSQL started in $(since "$t0") (port $PG_PORT, cluster $base/data)"
}

pg_stop() {
    local t0 base
    t0=$(now_us)
    base=$(pg_base)
    if pg_running; then
        as_pg "$(pg_bin)/pg_ctl" -D "$base/data" -m fast -w -t "$TIMEOUT" stop >/dev/null
        log "PostgreSQL stopped in $(since "$t0")"
    else
        log "PostgreSQL not running"
    fi
}

# ---------------------------------------------------------------------------------------------- commands

write_env() {
    local password
    password=$(<"$RABBIT_PASSWORD_FILE")
    (
        umask 077
        cat >"$ENV_FILE.tmp" <<EOF
# Written by deploy/scripts/testinfra.sh start; throwaway test servers, regenerated on every start.
export CRM_TEST_AMQP_URL=amqp://$RABBIT_USER:$password@127.0.0.1:$AMQP_PORT/
export CRM_TEST_RABBIT_API=http://127.0.0.1:$MGMT_PORT/api
export CRM_TEST_RABBIT_USER=$RABBIT_USER
export CRM_TEST_RABBIT_PASSWORD=$password
export CRM_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres
EOF
        mv "$ENV_FILE.tmp" "$ENV_FILE"
    )
}

lock() { # one start/stop at a time per state directory
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 300 9 || die "another testinfra.sh holds $STATE_DIR/.lock"
}

# nginx carries the gateway's data path (the edge, ADR 0005); its tests start their own nginx processes.
nginx_install() {
    [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || apt_install nginx
    [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || die "nginx is still missing after apt-get install"
}

cmd_start() {
    local t0
    t0=$(now_us)
    lock
    nginx_install
    load_ports
    if ! pg_running && ! rabbit_running; then
        [[ ! -s $PORTS_FILE ]] || epmd_stop # our epmd, left behind by a node that crashed
        choose_ports
    fi
    pg_start
    rabbit_start
    write_env
    log "ready in $(since "$t0"); environment in $ENV_FILE"
}

cmd_stop() {
    local t0
    t0=$(now_us)
    lock
    load_ports
    rabbit_stop
    pg_stop
    rm -f "$ENV_FILE"
    log "stopped in $(since "$t0")"
}

cmd_status() {
    local rc=0
    load_ports
    if rabbit_running; then echo "rabbitmq: running (pid $(rabbit_pid))"; else echo "rabbitmq: stopped" && rc=3; fi
    if pg_running; then echo "postgres: running (cluster $(pg_base)/data)"; else echo "postgres: stopped" && rc=3; fi
    return $rc
}

cmd_env() {
    [[ -s $ENV_FILE ]] || die "$ENV_FILE is missing; run deploy/scripts/testinfra.sh start"
    cat "$ENV_FILE"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
