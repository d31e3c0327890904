#!/bin/bash
# A test server on this machine: a network namespace (a veth pair, 10.231.<n>.0/24: .1 here, .2 there) with its own
# mount and UTS namespace, in which /etc (a copy of this machine's: its own accounts, sshd, nginx and PHP config), /run,
# /var/log, /var/lib/mysql, /var/lib/postgresql, /var/lib/aegir, /srv, /var/aegir, /root and /tmp are its own folders
# under <dir>; processes run there with nsenter. Test servers reach
# each other through this machine (a default route via .1, IP forwarding on).
#   testhost.sh up <name> <dir> <n>    make it, start its sshd (root by key: <dir>/id_ed25519), print its address
#   testhost.sh run <dir> <command...> run a command there
#   testhost.sh down <dir>             stop everything there and remove it
set -euo pipefail
private="etc run var/log var/lib/mysql var/lib/postgresql var/lib/aegir srv var/aegir root tmp"
case $1 in
up)
  name=$2 dir=$3 n=$4 ns=aegirtest-$4
  mkdir -p "$dir"
  echo "$ns" > "$dir/netns"; echo "$n" > "$dir/index"
  ip netns add "$ns"
  ip link add "ath$n" type veth peer name "atg$n"
  ip link set "atg$n" netns "$ns"
  ip addr add "10.231.$n.1/24" dev "ath$n"; ip link set "ath$n" up
  ip netns exec "$ns" ip addr add "10.231.$n.2/24" dev "atg$n"
  ip netns exec "$ns" ip link set "atg$n" up
  ip netns exec "$ns" ip link set lo up
  # Test servers reach each other through this machine, each seeing the others' own addresses (no NAT).
  ip netns exec "$ns" ip route add default via "10.231.$n.1"
  sysctl -q -w net.ipv4.ip_forward=1
  for d in $private; do mkdir -p "$dir/fs/$d"; done
  # Its own /etc: accounts made there (each site's) are its own, as on another machine.
  # Accounts changed here meanwhile (other tests' sites) come and go as lock and temporary files: copy again when one
  # vanished mid-copy, and leave none behind, or the host's own useradd would find its files locked.
  for try in 1 2 3 4 5; do
    cp -a /etc/. "$dir/fs/etc/" 2>/dev/null && break
    [ "$try" = 5 ] && { echo "testhost: cannot copy /etc" >&2; exit 1; }; sleep 0.2
  done
  rm -f "$dir"/fs/etc/ssh/ssh_host_* "$dir"/fs/etc/{passwd,shadow,group,gshadow,subuid,subgid}.lock "$dir"/fs/etc/.pwd.lock
  # Its own name resolves there without DNS (sudo looks it up), as on any installed server.
  { cat /etc/hosts; echo "127.0.1.1 $name"; } > "$dir/fs/etc/hosts"
  chmod 1777 "$dir/fs/tmp"; chmod 700 "$dir/fs/root"; chmod 750 "$dir/fs/etc/sudoers.d"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
  mkdir -p "$dir/fs/root/.ssh"; cp "$dir/id_ed25519.pub" "$dir/fs/root/.ssh/authorized_keys"; chmod 700 "$dir/fs/root/.ssh"; chmod 600 "$dir/fs/root/.ssh/authorized_keys"
  # The anchor holds the mount and UTS namespace for as long as the server lives.
  setsid ip netns exec "$ns" unshare -m -u --propagation private sh -c "
    exec 3> '$dir/anchor.pid'
    hostname '$name'
    set -e
    for d in $private; do mkdir -p /\$d; mount --bind '$dir/fs/'\$d /\$d; done
    mkdir -p /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
    echo \$\$ >&3; exec 3>&-
    exec sleep infinity" > "$dir/anchor.log" 2>&1 < /dev/null &
  for i in $(seq 50); do [ -s "$dir/anchor.pid" ] && break; sleep 0.1; done
  pid=$(cat "$dir/anchor.pid")
  nsenter -t "$pid" -m -u -n -- /usr/sbin/sshd -o "ListenAddress=10.231.$n.2" -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o HostKey=/etc/ssh/ssh_host_ed25519_key
  echo "10.231.$n.2"
  ;;
run)
  dir=$2; shift 2
  exec nsenter -t "$(cat "$dir/anchor.pid")" -m -u -n -- "$@"
  ;;
down)
  dir=$2 ns=$(cat "$2/netns") n=$(cat "$2/index")
  # Again until none is left: a master (nginx, PHP-FPM) whose worker was killed first starts another before its own end.
  for try in $(seq 50); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] && break
    for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
    sleep 0.05
  done
  ip link del "ath$n" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
  ;;
esac
