#!/bin/bash
# A private RabbitMQ node for tests: everything under <dir> (owned by the rabbitmq user, who runs the node), its own
# Erlang cookie and its own epmd on a free port, so it meets no other node on this machine; AMQP on 127.0.0.1 only.
#   rabbitmq.sh up <dir> [address...]
#                           start it; make vhost 'aegir' and user 'aegir' (password in <dir>/password, 0600);
#                           print the AMQP port. AMQP listens on 127.0.0.1 and on each address given (a test
#                           host's side of this machine, for workers there)
#   rabbitmq.sh stop <dir>  stop the node, keeping its data (a broker restart: 'start' brings it back)
#   rabbitmq.sh start <dir> start a stopped node on the same ports and data
#   rabbitmq.sh down <dir>  stop the node and its epmd, and remove <dir>
set -euo pipefail
command -v rabbitmq-server >/dev/null || { echo "rabbitmq.sh: rabbitmq-server is not installed" >&2; exit 1; }
bin=/usr/lib/rabbitmq/bin

free_port() {
  local used port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 21000 ] || low=32768
  used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
  while :; do
    # Below the kernel's ephemeral range: a port free now is not taken by some client's connection before the node binds it.
    port=$((20000 + RANDOM % (low - 20000)))
    grep -qx "$port" <<<"$used" || grep -qx "$port" "$dir/ports" 2>/dev/null || { echo "$port" >> "$dir/ports"; echo "$port"; return; }
  done
}

# The node's environment, read from <dir>/env: everything the scripts would otherwise take from /etc and /var/lib.
as_node() {
  runuser -u rabbitmq -- env -i PATH=/usr/bin:/bin HOME="$dir/home" LANG=C.UTF-8 $(cat "$dir/env") "$@"
}

start_node() {
  : > "$dir/log/startup"
  # Its own session, so the node outlives this script and a test runner's process group.
  setsid runuser -u rabbitmq -- env -i PATH=/usr/bin:/bin HOME="$dir/home" LANG=C.UTF-8 $(cat "$dir/env") \
    $bin/rabbitmq-server >>"$dir/log/startup" 2>&1 </dev/null &
  # 'await_startup' waits for the boot once the node answers at all; before that it fails at once.
  for _ in $(seq 1 120); do
    as_node $bin/rabbitmqctl -q await_startup -t 60 >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "rabbitmq.sh: the node did not start; its log:" >&2; tail -30 "$dir/log/startup" >&2; exit 1
}

stop_node() {
  # Given the pid file, 'stop' returns once the VM has exited; then wait for its port to be free again.
  as_node $bin/rabbitmqctl -q stop "$dir/pid" >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do ss -Htln "sport = :$(cat "$dir/amqp_port")" | grep -q . || break; sleep 0.5; done
}

dir=${2:?usage: rabbitmq.sh up|stop|start|down <dir>}
case $1 in
up)
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  amqp=$(free_port); dist=$(free_port); epmd=$(free_port)
  node="aegir-$(basename "$dir" | tr -cd 'a-z0-9' | tail -c 12)@localhost"
  cat > "$dir/env" <<EOF
RABBITMQ_NODENAME=$node
RABBITMQ_DIST_PORT=$dist
ERL_EPMD_PORT=$epmd
ERL_EPMD_ADDRESS=127.0.0.1
RABBITMQ_MNESIA_BASE=$dir/mnesia
RABBITMQ_LOG_BASE=$dir/log
RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
RABBITMQ_CONFIG_FILE=$dir/rabbitmq
RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
RABBITMQ_PID_FILE=$dir/pid
EOF
  echo "$amqp" > "$dir/amqp_port"
  # The plugins read at boot (no management UI: it would want a port of its own).
  echo '[rabbitmq_consistent_hash_exchange].' > "$dir/enabled_plugins"
  # Listeners: 127.0.0.1, and the addresses given, all on the one port.
  { echo "listeners.tcp.1 = 127.0.0.1:$amqp"; i=2; for a in "${@:3}"; do echo "listeners.tcp.$i = $a:$amqp"; i=$((i + 1)); done; } > "$dir/rabbitmq.conf"
  # Distribution (Erlang's node-to-node port) on 127.0.0.1 too; the env file is sourced, so it may hold spaces.
  echo 'SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"' > "$dir/rabbitmq-env.conf"
  # Its own cookie, written before anything reads one (a CLI run first would make its own, and the node would not match).
  head -c 32 /dev/urandom | base64 | tr -cd 'A-Za-z0-9' > "$dir/home/.erlang.cookie"
  chmod 400 "$dir/home/.erlang.cookie"
  chown -R rabbitmq:rabbitmq "$dir"; chmod 700 "$dir"
  start_node
  password=$(head -c 24 /dev/urandom | base64 | tr -cd 'A-Za-z0-9')
  (umask 077; printf '%s' "$password" > "$dir/password")
  as_node $bin/rabbitmqctl -q add_vhost aegir >/dev/null
  # The password on standard input, never on a command line.
  printf '%s\n' "$password" | as_node $bin/rabbitmqctl -q add_user aegir >/dev/null
  as_node $bin/rabbitmqctl -q set_permissions -p aegir aegir '.*' '.*' '.*' >/dev/null
  as_node $bin/rabbitmqctl -q delete_user guest >/dev/null || true
  echo "$amqp"
  ;;
stop) stop_node ;;
start) start_node ;;
down)
  [ -f "$dir/env" ] || { rm -rf "$dir"; exit 0; }
  stop_node
  # The private epmd, by its port: another node's epmd on this machine is left alone.
  as_node epmd -kill >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: rabbitmq.sh up|stop|start|down <dir>" >&2; exit 2 ;;
esac
