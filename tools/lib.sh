# tools/lib.sh - shared helpers for the demo, test and bench commands.
#
# Sourced, not run.  Everything runs on a fresh Debian 12 machine as root:
# missing packages are installed, the postmaster runs as the unprivileged
# "postgres" OS user (created by the postgresql package), every cluster is a
# throwaway one under a temporary directory with its own port and socket.

set -euo pipefail

CW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CW_PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap \
libtap-parser-sourcehandler-pgtap-perl libipc-run-perl build-essential sqlsmith"

cw_log() { printf '==> %s\n' "$*" >&2; }

# Install the Debian packages that are missing (needs root and apt).
cw_ensure_packages() {
	local missing="" p
	for p in $CW_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		cw_log "installing Debian packages:$missing"
		if [ "$(id -u)" != 0 ]; then
			echo "need root to install:$missing" >&2
			exit 1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
	fi
}

# cw_private_pg DIR: copy the packaged PostgreSQL 15 installation under DIR
# (relocatable, as PostgreSQL's own temp-install is) so that builds installed
# there never touch the system's extension directory.  Prints its pg_config.
cw_private_pg() {
	local dir=$1
	if [ ! -x "$dir/usr/lib/postgresql/15/bin/postgres" ]; then
		mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
		cp -a /usr/lib/postgresql/15 "$dir/usr/lib/postgresql/"
		cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/"
		mkdir -p "$dir/usr/include"
		cp -a /usr/include/postgresql "$dir/usr/include/"
	fi
	echo "$dir/usr/lib/postgresql/15/bin/pg_config"
}

# cw_build PG_CONFIG: warnings are errors, as in CI.
cw_build() {
	local pgc=$1
	cw_log "building churnwarn against $($pgc --version)"
	make -C "$CW_ROOT" -s PG_CONFIG="$pgc" clean >/dev/null
	make -C "$CW_ROOT" -s PG_CONFIG="$pgc" \
		PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers" >/dev/null
	make -C "$CW_ROOT" -s PG_CONFIG="$pgc" install >/dev/null
}

# cw_start_cluster PG_CONFIG DIR PORT [extra postgresql.conf lines...]
# Starts a throwaway cluster owned by the postgres OS user; exports PGHOST,
# PGPORT, PGUSER for the clients that follow.
cw_start_cluster() {
	local pgc=$1 dir=$2 port=$3
	shift 3
	local bindir
	bindir=$($pgc --bindir)
	mkdir -p "$dir"
	chown postgres: "$dir"
	chmod 755 "$dir"
	su postgres -s /bin/sh -c "'$bindir/initdb' -D '$dir/data' -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		echo "max_prepared_transactions = 10"
		echo "timezone = 'UTC'"
		for line in "$@"; do echo "$line"; done
	} >>"$dir/data/postgresql.conf"
	su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w start >/dev/null"
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
	CW_CLUSTER_DIR=$dir
	CW_BINDIR=$bindir
}

cw_stop_cluster() {
	if [ -n "${CW_CLUSTER_DIR:-}" ] && [ -d "$CW_CLUSTER_DIR/data" ]; then
		su postgres -s /bin/sh -c "'$CW_BINDIR/pg_ctl' -D '$CW_CLUSTER_DIR/data' -m immediate stop >/dev/null 2>&1" || true
	fi
}

# A free TCP port number for the cluster's socket name.
cw_free_port() {
	local p
	for p in $(seq "${1:-55432}" 65000); do
		[ -e "/tmp/.s.PGSQL.$p" ] && continue
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
