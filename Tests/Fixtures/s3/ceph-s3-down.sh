#!/bin/sh
# Stops the peer started by ceph-s3-up.sh DIR: only the processes whose pid files it wrote.
D=${1:-/tmp/s3ceph}
for n in client.rgw.a osd.0 mon.a; do
  f="$D/run/$n.pid"; [ -f "$f" ] || continue
  p=$(cat "$f"); [ -n "$p" ] || continue
  kill "$p" 2>/dev/null || continue
  i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$f"
done
exit 0
