#!/bin/sh
# A stand-in for the incident's worker control script: status, start, stop.
pidfile=${SYNC_PIDFILE:-/tmp/background_sync.pid}
case "${1:-}" in
status)
	[ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null &&
		{ echo "sync worker running"; exit 0; }
	echo "sync worker not running"; exit 3 ;;
start)
	nohup sleep 86400 >/dev/null 2>&1 &
	echo $! > "$pidfile" ;;
stop)
	[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	rm -f "$pidfile" ;;
*)
	echo "usage: $0 status|start|stop" >&2; exit 2 ;;
esac
