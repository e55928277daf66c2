#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for cosv2 serve --meta and the tests.
#   scripts/postgres.sh start DIR [PORT]   initdb DIR, start it, print its URL
#   scripts/postgres.sh stop DIR           stop it (DIR stays; rm -rf it)
# Needs Debian's postgresql package (make tools installs it). PostgreSQL will
# not run as root, so as root the cluster belongs to the postgres user.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
	echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql, or make tools)" >&2
	exit 1
fi
as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
	port=${3:-0}
	if [ "$port" = 0 ]; then # a free port, as the kernel picks one
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
			echo $((20000 + RANDOM % 20000)))
	fi
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
	as "$bin/initdb" -D "$dir/data" -U cosv2 --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# Tuned for tests: no fsync (a crash of the machine is not what they test).
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as "$bin/createdb" -h 127.0.0.1 -p "$port" -U cosv2 cosv2
	echo "postgres://cosv2@127.0.0.1:$port/cosv2?sslmode=disable"
	;;
stop)
	as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
*)
	echo "postgres.sh: start or stop" >&2
	exit 2
	;;
esac
