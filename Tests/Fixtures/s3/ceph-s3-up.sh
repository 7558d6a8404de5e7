#!/bin/sh
# The S3 peer of the storage-s3 tests and benchmark: a throwaway single-node Ceph (mon +
# memstore OSD + radosgw) on 127.0.0.1:7480 that really verifies SigV4 headers and presigned
# URLs. Owned copy of the design review's recipe (Debian 12, Ceph 16.2.15), with a 4 GiB
# memstore for the large-object tests and a stop script beside it (ceph-s3-down.sh DIR).
# Ports are fixed (mon 3300, radosgw 7480): one peer at a time on a machine.
# Usage: ceph-s3-up.sh DIR     Needs: apt-get install radosgw ceph-mon ceph-osd
set -e
D=${1:-/tmp/s3ceph}
# The daemons get /dev/null for stdio: a caller reading our output to its end must not wait
# for them. A peer left by a killed run in the same folder is stopped first (only the pids it recorded).
[ -d "$D/run" ] && sh "$(dirname "$0")/ceph-s3-down.sh" "$D" || true
rm -rf "$D"; mkdir -p "$D"/mon-a "$D"/osd0 "$D"/run "$D"/log "$D"/rgw; cd "$D"
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > ceph.conf <<EOF
[global]
fsid = $FSID
mon_host = v2:127.0.0.1:3300
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
keyring = $D/\$name.keyring
run_dir = $D/run
admin_socket = $D/run/\$name.asok
pid_file = $D/run/\$name.pid
log_file = $D/log/\$name.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
[mon]
mon_data = $D/mon-\$id
[osd]
osd_data = $D/osd\$id
osd_objectstore = memstore
memstore_device_bytes = 4294967296
osd_max_object_name_len = 256
osd_max_object_namespace_len = 64
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:7480
rgw_data = $D/rgw
EOF
ceph-authtool --create-keyring mon.a.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring client.admin.keyring --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool --create-keyring client.rgw.a.keyring --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
ceph-authtool --create-keyring osd.0.keyring --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' >/dev/null
cp mon.a.keyring init.keyring; for k in client.admin client.rgw.a osd.0; do ceph-authtool init.keyring --import-keyring $k.keyring; done
monmaptool --create --addv a "[v2:127.0.0.1:3300]" --fsid $FSID monmap >/dev/null
ceph-mon -c ceph.conf --mkfs -i a --monmap monmap --keyring init.keyring
ceph-mon -c ceph.conf -i a </dev/null >/dev/null 2>&1
U=$(cat /proc/sys/kernel/random/uuid); ceph -c ceph.conf osd new $U >/dev/null
ceph-osd -c ceph.conf -i 0 --mkfs --osd-uuid $U >/dev/null 2>&1
ceph-osd -c ceph.conf -i 0 </dev/null >/dev/null 2>&1
n=0; until ceph -c ceph.conf osd stat 2>/dev/null | grep -q "1 up"; do n=$((n+1)); [ $n -lt 120 ] || { echo "OSD did not come up in 60 s" >&2; exit 1; }; sleep 0.5; done
radosgw -c ceph.conf -n client.rgw.a </dev/null >/dev/null 2>&1
n=0; until curl -s -m 2 -o /dev/null http://127.0.0.1:7480/; do n=$((n+1)); [ $n -lt 120 ] || { echo "radosgw did not answer in 60 s" >&2; exit 1; }; sleep 0.5; done
radosgw-admin -c ceph.conf user create --uid=tester --display-name=Tester \
  --access-key=TESTAK0000000000 --secret-key=testsecret0000000000 >/dev/null
echo "S3 ready: http://127.0.0.1:7480 key=TESTAK0000000000 secret=testsecret0000000000"
echo "stop: ceph-s3-down.sh $D"
