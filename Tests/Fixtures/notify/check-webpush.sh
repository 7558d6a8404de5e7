#!/usr/bin/env bash
# Builds the notify-webpush plugin with gcc as SDK/c/kit/README.md shows, starts the Web Push
# service peer (Tests/Fixtures/python/push_service.py) and runs drive.c against it, checking
# what a user of the channel would notice:
#   - RFC 8291 Appendix A reproduced byte for byte (settings.test_vector fixes the ephemeral
#     key and salt; the peer keeps the body as sent);
#   - a notification decrypted by the PyPI package http_ece with the subscription's private
#     key holds {"title", "body", "url", "tag"} as planned (a long text cut on a UTF-8
#     boundary, data.video_url when there is no data.url);
#   - the VAPID token verifies (ES256 over k, aud = the push service's origin, exp within
#     24 h, sub) and k is the key channel_info hands to browsers; TTL, Urgency, Topic
#     (the same for a resend), Content-Encoding headers;
#   - 201 -> delivered with the Location as provider_id, 410 -> permanent + address_gone,
#     429 -> retryable + Retry-After, 413 -> permanent, 500 -> retryable; 80 messages from 8 threads at once all decrypt;
#   - subscriptions with keys of the wrong size, a point off the curve, or a plain-http
#     endpoint elsewhere than loopback -> invalid argument;
#   - the key file is made with mode 0600 on the first create and reused after;
#   - bad settings are configuration errors naming the setting.
# Usage: Tests/Fixtures/notify/check-webpush.sh   (PYTHON=... to use a given interpreter; by
# default the tests' venv from Tests/Fixtures/python/ensure-venv.sh). Exit 0 when all pass.
# check-notify.sh runs it too.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/kinora-webpush.XXXXXX")"
[ -n "${KEEP:-}" ] && echo "work folder: $work" || trap 'rm -rf "$work"' EXIT
cd "$work"
PY="${PYTHON:-$("$repo/Tests/Fixtures/python/ensure-venv.sh")}"
failures=0
check() { # check NAME CONDITION-EXIT-STATUS
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

# -- build ----------------------------------------------------------------------------------
CC="${CC:-gcc}"
CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror"
kit="$repo/SDK/c/kit"
$CC $CFLAGS -fPIC -fvisibility=hidden -I"$repo/SDK/c/abi/include" -c \
  "$kit/knc_text.c" "$kit/knc_json.c" "$kit/knc_jsonw.c" "$kit/knc_curl.c" "$kit/knc_base64.c"
ar rcs libkinora-plugin-kit.a knc_text.o knc_json.o knc_jsonw.o knc_curl.o knc_base64.o
$CC $CFLAGS -shared -fPIC -fvisibility=hidden -Wl,-z,defs -Wl,--version-script="$repo/SDK/c/kinora-plugin.map" \
  -I"$repo/SDK/c/abi/include" -I"$kit" -o libkinora-notify-webpush.so \
  "$repo/Plugins/notify-webpush"/*.c -L. -lkinora-plugin-kit
exported="$(nm -D --defined-only libkinora-notify-webpush.so | awk '{print $3}' | tr '\n' ' ')"
check "libkinora-notify-webpush.so exports only kinora_module_entry_v1 ($exported)" \
  "$([ "$exported" = "kinora_module_entry_v1 " ] && echo 0 || echo 1)"
$CC $CFLAGS -I"$repo/SDK/c/abi/include" -o drive "$here/drive.c" -pthread

# -- the push service -------------------------------------------------------------------------
mkfifo push.in
"$PY" "$repo/Tests/Fixtures/python/push_service.py" --out push.jsonl < push.in > push.port 2> push.err &
exec {push_fd}>push.in
for _ in $(seq 100); do [ -s push.port ] && break; sleep 0.1; done
PORT="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' push.port 2>/dev/null)" || {
  echo "FAIL the push service did not start:"; cat push.err; exit 1; }
new_subscription() { "$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$PORT/new-subscription?kind=$1"; }

settings() { # extra JSON members
  echo '{"subject":"mailto:ops@kinora.example","key_file":"'"$work"'/data/vapid.pem","allow_insecure_endpoints":true'"${1:-}"'}'
}
DRIVE=(./drive -q "$work"/libkinora-notify-webpush.so org.kinora.notify-webpush)
mkdir data

set +e # from here on every check counts, none stops the run
# -- the key file: made 0600 on the first create, kept after -------------------------------------
"${DRIVE[@]}" "$(settings)" < /dev/null > first-out.txt 2> first-log.txt
check "the first create makes data/vapid.pem with mode 0600" \
  "$([ -f data/vapid.pem ] && [ "$(stat -c %a data/vapid.pem)" = 600 ] && echo 0 || echo 1)"
check "no temporary key file is left behind" "$(ls data | grep -qv '^vapid.pem$' && echo 1 || echo 0)"
sha_before="$(sha256sum data/vapid.pem)"
"${DRIVE[@]}" "$(settings)" < /dev/null > second-out.txt 2> second-log.txt
check "a second create reuses the key file unchanged" "$([ "$sha_before" = "$(sha256sum data/vapid.pem)" ] && echo 0 || echo 1)"
"$PY" - "$work" <<'PYEOF' || failures=$((failures + 1))
import base64, json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
work = sys.argv[1]
pem = open(f"{work}/data/vapid.pem", "rb").read()
key = serialization.load_pem_private_key(pem, None)
point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
expected = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
infos = [json.loads(l.split(": ", 1)[1]) for f in ("first-log.txt", "second-log.txt")
         for l in open(f"{work}/{f}") if l.startswith("channel_info: ")]
ok = (pem.startswith(b"-----BEGIN PRIVATE KEY-----") and isinstance(key, ec.EllipticCurvePrivateKey)
      and key.curve.name == "secp256r1" and len(infos) == 2
      and all(i == {"application_server_key": expected} for i in infos))
print(("ok  " if ok else "FAIL") + " the key file is PKCS#8 P-256 and channel_info's application_server_key is its public key, both times")
if not ok:
    print("     ", infos, pem[:40])
sys.exit(0 if ok else 1)
PYEOF

# -- deliveries -------------------------------------------------------------------------------
SUB="$(new_subscription push)"
SUB2="$(new_subscription push)"
GONE="$(new_subscription gone)"
BUSY="$(new_subscription busy)"
TOOLARGE="$(new_subscription toolarge)"
BROKEN="$(new_subscription broken)"
LONG="$("$PY" -c 'print("é" * 600 + "end")')"
cat > messages.jsonl <<EOF2
{"to":$SUB,"subject":"New video from Studio: Night trains","text":"Night trains, 12 minutes.\nWatch it now.","idempotency_key":"video.published-v8k2-push-u3f9","event":"video.published","data":{"video_id":"v8k2","url":"https://kinora.example/v/v8k2"}}
{"to":$SUB,"subject":"New video from Studio: Night trains","text":"Night trains, 12 minutes.\nWatch it now.","idempotency_key":"video.published-v8k2-push-u3f9","event":"video.published","data":{"video_id":"v8k2","url":"https://kinora.example/v/v8k2"}}
{"to":$SUB2,"subject":"Un long texte","text":"$LONG","idempotency_key":"k-long","data":{"video_url":"https://kinora.example/v/long"}}
{"to":$GONE,"subject":"Hi","text":"x","idempotency_key":"k-gone"}
{"to":$BUSY,"subject":"Hi","text":"x","idempotency_key":"k-busy"}
{"to":$TOOLARGE,"subject":"Hi","text":"x","idempotency_key":"k-toolarge"}
{"to":$BROKEN,"subject":"Hi","text":"x","idempotency_key":"k-broken"}
EOF2
"${DRIVE[@]}" "$(settings ',"ttl_seconds":600')" < messages.jsonl > push-out.jsonl 2> push-log.txt
check "drive completed every send exactly once" $?
"$PY" - "$work" "$PORT" <<'PYEOF' || failures=$((failures + 1))
import json, re, sys
work, port = sys.argv[1], sys.argv[2]
origin = f"http://127.0.0.1:{port}"
out = [json.loads(l) for l in open(f"{work}/push-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/push.jsonl")]
info = [json.loads(l.split(": ", 1)[1]) for l in open(f"{work}/push-log.txt") if l.startswith("channel_info: ")][0]
bad = 0
def check(name, cond):
    global bad
    print(("ok   " if cond else "FAIL ") + name)
    bad += 0 if cond else 1
res = [o.get("result", {}) for o in out]
check("two sends to a live subscription delivered, provider_id = the Location of the message",
      all(r.get("outcome") == "delivered" and r.get("provider_id", "").startswith(origin + "/message/") for r in res[:3]))
check("410 -> permanent with address_gone", res[3].get("outcome") == "permanent" and res[3].get("address_gone") is True
      and "410" in res[3].get("reason", ""))
check("429 -> retryable with Retry-After 11", res[4].get("outcome") == "retryable" and res[4].get("retry_after_seconds") == 11)
check("413 -> permanent, the address kept", res[5].get("outcome") == "permanent" and "413" in res[5].get("reason", "")
      and not res[5].get("address_gone"))
check("500 -> retryable", res[6].get("outcome") == "retryable" and "500" in res[6].get("reason", ""))
pushed = [g for g in got if g["path"].startswith("/push/")]
check("three messages reached the push service, each decrypted by http_ece",
      len(pushed) == 3 and all(g["status"] == 201 and isinstance(g.get("payload"), dict) for g in pushed))
check("every VAPID token verified (ES256, aud, exp <= 24 h, sub) with k = channel_info's key",
      all(g["vapid"] is True and g["vapid_k"] == info["application_server_key"] for g in got))
check("the token's sub is settings.subject and aud the push service's origin",
      all(g["vapid_claims"]["sub"] == "mailto:ops@kinora.example" and g["vapid_claims"]["aud"] == origin for g in got))
first = pushed[0]["payload"] if pushed else {}
check("the payload is title, body, url and tag as planned",
      first == {"title": "New video from Studio: Night trains", "body": "Night trains, 12 minutes.\nWatch it now.",
                "url": "https://kinora.example/v/v8k2", "tag": "video.published-v8k2-push-u3f9"})
long = pushed[2]["payload"] if len(pushed) > 2 else {}
check("a long text is cut to 1000 bytes on a character boundary; url falls back to data.video_url",
      long.get("body") == "é" * 500 and long.get("url") == "https://kinora.example/v/long" and long.get("tag") == "k-long")
check("headers: TTL from settings, aes128gcm, octet-stream, Urgency normal",
      all(g["ttl"] == "600" and g["content_encoding"] == "aes128gcm" and g["content_type"] == "application/octet-stream"
          and g["urgency"] == "normal" for g in pushed))
topics = [g["topic"] for g in pushed]
check("Topic: 32 base64url characters, the same for a resend, another for another key",
      all(t and re.fullmatch(r"[A-Za-z0-9_-]{1,32}", t) for t in topics) and topics[0] == topics[1] != topics[2])
sys.exit(1 if bad else 0)
PYEOF

# -- the peer's own VAPID check refuses what it must (so its "verified" above means something) --
"$PY" - "$repo/Tests/Fixtures/python" <<'PYEOF' || failures=$((failures + 1))
import base64, json, sys, time
sys.path.insert(0, sys.argv[1])
from push_service import verify_vapid
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def token(key, claims, k=None):
    signing_input = b64(json.dumps({"typ": "JWT", "alg": "ES256"}).encode()) + "." + b64(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    pub = (k or key).public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return f"vapid t={signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}, k={b64(pub)}"
a, b = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
origin, now = "http://127.0.0.1:1", int(time.time())
good = {"aud": origin, "exp": now + 3600, "sub": "mailto:ops@kinora.example"}
cases = [("a good token", token(a, good), True),
         ("k of another key", token(a, good, k=b), False),
         ("another audience", token(a, dict(good, aud="http://127.0.0.1:2")), False),
         ("expired", token(a, dict(good, exp=now - 10)), False),
         ("exp 48 h ahead", token(a, dict(good, exp=now + 48 * 3600)), False),
         ("a sub that is no URL", token(a, dict(good, sub="ops")), False)]
ok = all((verify_vapid(t, origin)[0] is True) == want for _, t, want in cases)
print(("ok   " if ok else "FAIL ") + "push_service.py's VAPID check accepts a good token and refuses a wrong k, aud, exp or sub")
sys.exit(0 if ok else 1)
PYEOF

# -- eight threads at once share the instance (keys, handle pool) ------------------------------
echo '{"to":'"$SUB2"',"subject":"Concurrent {i}","text":"message {i}","idempotency_key":"conc-{i}"}' > conc.jsonl
"${DRIVE[@]}" -n 80 -t 8 "$(settings)" < conc.jsonl > conc-out.jsonl 2> conc-log.txt
check "80 sends from 8 threads each completed exactly once" $?
"$PY" - "$work" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work = sys.argv[1]
out = [json.loads(l) for l in open(f"{work}/conc-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/push.jsonl")]
tags = sorted(g["payload"]["tag"] for g in got if isinstance(g.get("payload"), dict) and g["payload"]["tag"].startswith("conc-"))
ok = (all(o.get("result", {}).get("outcome") == "delivered" for o in out) and len(out) == 80
      and tags == sorted(f"conc-{i}" for i in range(80))
      and all(g["vapid"] is True for g in got if g["path"].startswith("/push/")))
print(("ok   " if ok else "FAIL ") + "80 messages from 8 threads: each delivered, decrypted and verified once")
sys.exit(0 if ok else 1)
PYEOF

# -- refused subscriptions --------------------------------------------------------------------
KEYS="$("$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["keys"]))' "$SUB")"
P256DH="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["p256dh"])' "$KEYS")"
SHORT_P="$("$PY" -c 'import base64,sys; d=base64.urlsafe_b64decode(sys.argv[1]+"=="); print(base64.urlsafe_b64encode(d[:64]).rstrip(b"=").decode())' "$P256DH")"
OFF_CURVE="$("$PY" -c 'import base64; print(base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode())')"
EP="http://127.0.0.1:$PORT/push/x"
cat > refused.jsonl <<EOF2
{"to":{"endpoint":"$EP","keys":{"p256dh":"$SHORT_P","auth":"AAAAAAAAAAAAAAAAAAAAAA"}},"text":"x","idempotency_key":"r1"}
{"to":{"endpoint":"$EP","keys":{"p256dh":"$P256DH","auth":"AAAAAAAAAAAAAAAAAAAA"}},"text":"x","idempotency_key":"r2"}
{"to":{"endpoint":"$EP","keys":{"p256dh":"$OFF_CURVE","auth":"AAAAAAAAAAAAAAAAAAAAAA"}},"text":"x","idempotency_key":"r3"}
{"to":{"endpoint":"http://push.example.net/x","keys":{"p256dh":"$P256DH","auth":"AAAAAAAAAAAAAAAAAAAAAA"}},"text":"x","idempotency_key":"r4"}
{"to":{"endpoint":"$EP"},"text":"x","idempotency_key":"r5"}
{"to":"alice@example.org","text":"x","idempotency_key":"r6"}
EOF2
"${DRIVE[@]}" "$(settings)" < refused.jsonl > refused-out.jsonl 2> refused-log.txt
sed -n '1p' refused.jsonl | sed "s|$EP|http://127.0.0.1:$PORT/push/y|" > insecure.jsonl
sed -i "s|\"p256dh\":\"$SHORT_P\"|\"p256dh\":\"$P256DH\"|" insecure.jsonl
"${DRIVE[@]}" '{"subject":"mailto:ops@kinora.example","key_file":"'"$work"'/data/vapid.pem"}' < insecure.jsonl > insecure-out.jsonl 2> /dev/null
"$PY" - "$work" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work = sys.argv[1]
out = [json.loads(l) for l in open(f"{work}/refused-out.jsonl")]
ins = [json.loads(l) for l in open(f"{work}/insecure-out.jsonl")]
bad = 0
def check(name, o, words):
    global bad
    ok = o.get("status") == -1 and all(w in o.get("error", "") for w in words)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {o}"))
    bad += 0 if ok else 1
check("a 64-byte p256dh is invalid argument", out[0], ["p256dh", "65-byte"])
check("a 15-byte auth secret is invalid argument", out[1], ["auth", "16 bytes"])
check("a p256dh off the curve is invalid argument", out[2], ["p256dh", "P-256"])
check("plain http to another host than loopback is invalid argument", out[3], ["endpoint", "https://"])
check("a subscription without keys is invalid argument", out[4], ["keys"])
check("a mail address as the recipient is invalid argument", out[5], ["subscription"])
check("plain http even to loopback without allow_insecure_endpoints is invalid argument", ins[0], ["endpoint", "https://"])
sys.exit(1 if bad else 0)
PYEOF
check "nothing refused reached the push service" "$(grep -q '"/push/[xy]"' push.jsonl && echo 1 || echo 0)"

# -- RFC 8291 Appendix A, byte for byte ----------------------------------------------------------
"$PY" - "$work" <<'PYEOF'
import base64, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
d = base64.urlsafe_b64decode("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw=")  # as_private
key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
open(f"{sys.argv[1]}/appendix-as.pem", "wb").write(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PYEOF
echo '{"to":{"endpoint":"http://127.0.0.1:'"$PORT"'/raw/appendix-a","keys":{"p256dh":"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4","auth":"BTBZMqHH6r4Tts7J_aSIgg"}},"text":"When I grow up, I want to be a watermelon","idempotency_key":"appendix-a"}' > appendix.jsonl
"${DRIVE[@]}" "$(settings ',"test_vector":{"ephemeral_key_file":"'"$work"'/appendix-as.pem","salt":"DGv6ra1nlYgDCS1FRnbzlw"}')" \
  < appendix.jsonl > appendix-out.jsonl 2> appendix-log.txt
APPENDIX_A="DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
sent="$("$PY" -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "/raw/appendix-a" in l][-1].get("raw_body",""))' push.jsonl 2>/dev/null)"
check "RFC 8291 Appendix A: the body sent is the appendix's ciphertext byte for byte" "$([ "$sent" = "$APPENDIX_A" ] && echo 0 || echo 1)"
[ "$sent" = "$APPENDIX_A" ] || echo "     sent: $sent"
check "test_vector warns at start" "$(grep -q 'test_vector is set' appendix-log.txt && echo 0 || echo 1)"

# -- settings errors -------------------------------------------------------------------------------
"$PY" - <<'PYEOF'
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
open("rsa.pem", "wb").write(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open("p384.pem", "wb").write(ec.generate_private_key(ec.SECP384R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PYEOF
echo "not a key" > garbage.pem
config_error() { # NAME SETTINGS WORDS...
  local name="$1" s="$2"; shift 2
  local line; line="$("${DRIVE[@]}" "$s" < /dev/null 2> /dev/null)"
  local ok=0
  echo "$line" | grep -q '"create_status":-11' || ok=1
  for w in "$@"; do echo "$line" | grep -qF -- "$w" || ok=1; done
  check "$name" "$ok"
  [ "$ok" = 0 ] || echo "     $line"
}
K='"key_file":"'"$work"'/data/vapid.pem"'
config_error "a subject that is not mailto: or https: names settings.subject" '{"subject":"ops@kinora.example",'"$K"'}' settings.subject
config_error "an http: subject is refused" '{"subject":"http://kinora.example",'"$K"'}' settings.subject
config_error "a missing subject names settings.subject" '{'"$K"'}' settings.subject
config_error "a missing key_file names settings.key_file" '{"subject":"mailto:a@b.example"}' settings.key_file
config_error "an RSA key names settings.key_file and P-256" '{"subject":"mailto:a@b.example","key_file":"'"$work"'/rsa.pem"}' settings.key_file P-256
config_error "a P-384 key names settings.key_file and P-256" '{"subject":"mailto:a@b.example","key_file":"'"$work"'/p384.pem"}' settings.key_file P-256
config_error "a file that is not PEM names settings.key_file" '{"subject":"mailto:a@b.example","key_file":"'"$work"'/garbage.pem"}' settings.key_file
config_error "a key_file in a folder that does not exist names settings.key_file" '{"subject":"mailto:a@b.example","key_file":"'"$work"'/nowhere/vapid.pem"}' settings.key_file nowhere
chmod 000 garbage.pem
if [ "$(id -u)" != 0 ]; then
  config_error "an unreadable key_file names settings.key_file" '{"subject":"mailto:a@b.example","key_file":"'"$work"'/garbage.pem"}' settings.key_file "Permission denied"
else
  echo "skip an unreadable key_file (running as root, which reads any file)"
fi

exec {push_fd}>&-
wait
echo
if [ "$failures" = 0 ]; then echo "check-webpush: all checks passed"; else echo "check-webpush: $failures failed"; fi
[ "$failures" = 0 ]
