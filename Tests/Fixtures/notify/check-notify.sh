#!/usr/bin/env bash
# Builds the notify-smtp and notify-webhook plugins with gcc as SDK/c/kit/README.md shows,
# starts the Python test peers (Tests/Fixtures/python/smtp_peer.py, webhook_peer.py) and runs
# drive.c against them, checking what a user of the channels would notice:
#   smtp:    DKIM verifies (dkimpy), List-Unsubscribe(-Post) present and covered by h=,
#            the same idempotency key keeps its Message-ID, 451 -> retryable, 550 ->
#            permanent, header injection refused, bad settings name the setting, a wrong
#            password is retryable, implicit TLS works, 1000 mails over one connection
#            (mails/s printed; at least MIN_RATE, default 200), 8 threads at once, a pooled
#            session the server dropped while idle is replaced.
#   webhook: every signature verifies with the peer's own HMAC code, a wrong secret is
#            refused, 2xx/429/500/400 map to delivered/retryable(+Retry-After)/permanent as
#            planned per id, one keep-alive connection, https with ca_file (and an untrusted
#            certificate refused).
#   sms:     Twilio-shaped peer: Basic auth, form fields, the same idempotency key gives the
#            same sid, 21211 -> permanent + address_gone, 429 -> retryable + Retry-After,
#            500 -> retryable, a non-E.164 number refused; parse_callback verifies the
#            peer's X-Twilio-Signature, maps statuses, and refuses a tampered callback.
#   webpush: check-webpush.sh (RFC 8291 Appendix A byte for byte, http_ece decrypts, VAPID
#            verifies, 410 -> address_gone, bad keys refused, the key file made 0600 once).
# Usage: Tests/Fixtures/notify/check-notify.sh   (PYTHON=... to use a given interpreter; by
# default the tests' venv from Tests/Fixtures/python/ensure-venv.sh). Exit 0 when all pass.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/kinora-notify.XXXXXX")"
[ -n "${KEEP:-}" ] && echo "work folder: $work" || trap 'rm -rf "$work"' EXIT
cd "$work"
PY="${PYTHON:-$("$repo/Tests/Fixtures/python/ensure-venv.sh")}"
MIN_RATE="${MIN_RATE:-200}"
MAILS="${MAILS:-1000}"   # the one-connection throughput run; swift test sends fewer (load)
failures=0
check() { # check NAME CONDITION-EXIT-STATUS
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

# -- build (SDK/c/kit/README.md: the kit as a static library, then the plugin) -------------
CC="${CC:-gcc}"
CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror"
kit="$repo/SDK/c/kit"
$CC $CFLAGS -fPIC -fvisibility=hidden -I"$repo/SDK/c/abi/include" -c \
  "$kit/knc_text.c" "$kit/knc_json.c" "$kit/knc_jsonw.c" "$kit/knc_curl.c" "$kit/knc_base64.c"
ar rcs libkinora-plugin-kit.a knc_text.o knc_json.o knc_jsonw.o knc_curl.o knc_base64.o
for p in smtp webhook sms; do
  $CC $CFLAGS -shared -fPIC -fvisibility=hidden -Wl,-z,defs \
    -Wl,--version-script="$repo/SDK/c/kinora-plugin.map" \
    -I"$repo/SDK/c/abi/include" -I"$kit" -o "libkinora-notify-$p.so" \
    "$repo/Plugins/notify-$p"/*.c -L. -lkinora-plugin-kit
  exported="$(nm -D --defined-only "libkinora-notify-$p.so" | awk '{print $3}' | tr '\n' ' ')"
  check "libkinora-notify-$p.so exports only kinora_module_entry_v1 ($exported)" \
    "$([ "$exported" = "kinora_module_entry_v1 " ] && echo 0 || echo 1)"
done
$CC $CFLAGS -I"$repo/SDK/c/abi/include" -o drive "$here/drive.c" -pthread

# -- peers: each reads a FIFO as stdin, which this shell holds open; they exit with it -----
start_peer() { # start_peer NAME ARGS... ; sets PORT
  local name="$1"; shift
  mkfifo "$name.in"
  "$PY" "$@" < "$name.in" > "$name.port" 2> "$name.err" &
  eval "exec {fd}>$name.in"
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.1; done
  PORT="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$name.port" 2>/dev/null)" || {
    echo "FAIL the $name peer did not start:"; cat "$name.err"; exit 1; }
}
"$PY" - <<'PYEOF'
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
for name in ("dkim.pem", "other.pem"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    open(name, "wb").write(key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PYEOF
py="$repo/Tests/Fixtures/python"
start_peer smtp "$py/smtp_peer.py" --out smtp.jsonl --cert-out cert.pem --user mailer --password 's3cret p@ss' \
  --dkim-selector k2026 --dkim-domain example.org --dkim-public-key dkim.pem
SMTP_PORT=$PORT
# The throughput run goes to a peer that does not verify DKIM: dkimpy's pure-Python RSA costs
# the peer ~2 ms a message, which would measure the peer rather than the plugin (the plugin
# still signs every one; the 8-thread run below is verified).
start_peer bench "$py/smtp_peer.py" --out bench-received.jsonl --cert-out cert-bench.pem --user mailer --password 's3cret p@ss'
BENCH_PORT=$PORT
start_peer idle "$py/smtp_peer.py" --out idle.jsonl --cert-out cert-idle.pem --idle-timeout 1
IDLE_PORT=$PORT
start_peer smtps "$py/smtp_peer.py" --out smtps.jsonl --cert-out cert-tls.pem --implicit-tls
SMTPS_PORT=$PORT
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
start_peer webhook "$py/webhook_peer.py" --secret "$SECRET" --out webhook.jsonl \
  --fail 500=0.1,429=0.1,400=0.1 --retry-after 7
WEBHOOK_PORT=$PORT
start_peer webhooks "$py/webhook_peer.py" --secret "raw text secret" --out webhooks.jsonl --tls-cert-out cert-https.pem
HTTPS_PORT=$PORT
start_peer twilio "$py/twilio_peer.py" --account-sid AC0123456789abcdef --auth-token 'tok3n-s3cret' \
  --out twilio.jsonl --callbacks-out callbacks.jsonl --retry-after 9
TWILIO_PORT=$PORT

smtp_settings() { # extra JSON members
  echo '{"host":"127.0.0.1","port":'"$SMTP_PORT"',"username":"mailer","password":"s3cret p@ss",'\
'"from":"Kinora Café <news@example.org>","ca_file":"'"$work"'/cert.pem","dkim_selector":"k2026",'\
'"dkim_domain":"example.org","dkim_key_file":"'"$work"'/dkim.pem"'"${1:-}"'}'
}
SMTP=(./drive -q "$work"/libkinora-notify-smtp.so org.kinora.notify-smtp)

set +e # from here on every check counts, none stops the run
# -- smtp: outcomes ---------------------------------------------------------------------
cat > messages.jsonl <<'EOF2'
{"to":"alice@example.net","to_name":"Alice Ünal","subject":"Nouvelle vidéo de Studio : Trains de nuit","text":"Bonjour Alice,\nUne nouvelle vidéo.   \n\nhttps://kinora.example/v/abc\n","html":"<p>Bonjour <b>Alice</b></p>","headers":{"List-Unsubscribe":"<https://kinora.example/unsubscribe/T0K3N>","List-Unsubscribe-Post":"List-Unsubscribe=One-Click"},"idempotency_key":"n7f3c2a9e1d04b6c","event":"video.published","language":"fr","data":{"video_id":"abc"}}
{"to":"alice@example.net","to_name":"Alice Ünal","subject":"Nouvelle vidéo de Studio : Trains de nuit","text":"Bonjour Alice,\nUne nouvelle vidéo.   \n\nhttps://kinora.example/v/abc\n","html":"<p>Bonjour <b>Alice</b></p>","headers":{"List-Unsubscribe":"<https://kinora.example/unsubscribe/T0K3N>","List-Unsubscribe-Post":"List-Unsubscribe=One-Click"},"idempotency_key":"n7f3c2a9e1d04b6c","event":"video.published","language":"fr","data":{"video_id":"abc"}}
{"to":"tempfail@example.net","subject":"Reset your password","text":"https://kinora.example/reset/SECRET","idempotency_key":"k-temp"}
{"to":"reject.me@example.net","subject":"Hi","text":"x","idempotency_key":"k-reject"}
{"to":"datafail@example.net","subject":"Hi","text":"x","idempotency_key":"k-data"}
{"to":"bob@example.net","subject":"Hi\r\nBcc: victim@example.com","text":"x","idempotency_key":"k-inject"}
{"to":"bob@example.net","subject":"Hi","text":"x","headers":{"List-Unsubscribe":"<https://x>\r\nBcc: victim@example.com"},"idempotency_key":"k-inject2"}
{"to":"bob@example.net\r\nRCPT TO:<victim@example.com>","subject":"Hi","text":"x","idempotency_key":"k-inject3"}
{"to":"carol@example.net","subject":"Security notice","text":"A plain text only mail with a long line: 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789","idempotency_key":"k-plain"}
EOF2
"${SMTP[@]}" "$(smtp_settings)" < messages.jsonl > smtp-out.jsonl 2> smtp-log.txt || true
"$PY" - "$work" <<'PYEOF' || failures=$((failures + 1))
import base64, json, sys
work = sys.argv[1]
out = [json.loads(l) for l in open(f"{work}/smtp-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/smtp.jsonl")]
bad = 0
def check(name, cond):
    global bad
    print(("ok   " if cond else "FAIL ") + name)
    bad += not cond
outcome = lambda i: out[i].get("result", {}).get("outcome")
check("smtp: first and repeated message delivered", outcome(0) == outcome(1) == "delivered")
check("smtp: 451 at RCPT -> retryable with the reply", outcome(2) == "retryable" and out[2]["result"]["reason"].startswith("451"))
check("smtp: 550 at RCPT -> permanent with the reply", outcome(3) == "permanent" and out[3]["result"]["reason"].startswith("550"))
check("smtp: the reason shortens the address", "reject.me@" not in out[3]["result"]["reason"])
check("smtp: 451 at end of DATA -> retryable", outcome(4) == "retryable" and out[4]["result"]["reason"].startswith("451"))
check("smtp: CR/LF in subject, a header, the address -> INVALID_ARGUMENT",
      all(out[i]["status"] == -1 for i in (5, 6, 7)))
check("smtp: text-only message delivered", outcome(8) == "delivered")
check("smtp: the peer received 3 messages (no injected recipient)", len(got) == 3 and
      all(r["rcpt_tos"] != ["victim@example.com"] for r in got))
check("smtp: every message DKIM-verifies (dkimpy)", all(r["dkim"] is True for r in got))
first, again, plain = got[0], got[1], got[2]
check("smtp: List-Unsubscribe and List-Unsubscribe-Post present",
      first["list_unsubscribe"] == "<https://kinora.example/unsubscribe/T0K3N>" and
      first["list_unsubscribe_post"] == "List-Unsubscribe=One-Click")
need = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "list-unsubscribe", "list-unsubscribe-post"}
check("smtp: h= covers From To Subject Date Message-ID MIME-Version Content-Type List-Unsubscribe(-Post)",
      need <= set(first["dkim_h"]))
check("smtp: a message without List-Unsubscribe does not sign one", "list-unsubscribe" not in plain["dkim_h"])
check("smtp: same idempotency key, same Message-ID",
      first["message_id"] == again["message_id"] == "<n7f3c2a9e1d04b6c@example.org>")
check("smtp: STARTTLS and AUTH were used", all(r["tls"] and r["auth_user"] == "mailer" for r in got))
import email, email.header, email.policy
m = email.message_from_bytes(base64.b64decode(first["data"]), policy=email.policy.default)
check("smtp: Subject, To and From decode to the UTF-8 text",
      m["Subject"] == "Nouvelle vidéo de Studio : Trains de nuit" and m["To"].addresses[0].display_name == "Alice Ünal"
      and m["From"].addresses[0].display_name == "Kinora Café")
parts = {p.get_content_type(): p.get_content() for p in m.iter_parts()}
check("smtp: multipart/alternative with the text and the HTML",
      m.get_content_type() == "multipart/alternative" and "Une nouvelle vidéo." in parts.get("text/plain", "")
      and "<b>Alice</b>" in parts.get("text/html", ""))
raw = base64.b64decode(plain["data"])
check("smtp: CRLF line ends only, lines within 998", b"\n" not in raw.replace(b"\r\n", b"") and
      max(len(l) for l in raw.split(b"\r\n")) <= 998)
p = email.message_from_bytes(raw, policy=email.policy.default)
check("smtp: the long text line survives quoted-printable", "0123456789" * 10 in p.get_content())
sys.exit(1 if bad else 0)
PYEOF
check "smtp: logs hold no full address nor body" \
  "$(! grep -E 'alice@|tempfail@|reject\.me@|SECRET|Bonjour' smtp-log.txt >/dev/null; echo $?)"

# -- smtp: settings refused with the setting's name ---------------------------------------
create_error() { # settings-json expected-prefix
  local got
  got="$(echo '{}' | "${SMTP[@]}" "$1" 2>/dev/null || true)"
  echo "$got" | grep -q "\"create_status\":-11,\"error\":\"$2" && return 0
  echo "     got: $got"; return 1
}
create_error "$(smtp_settings | sed 's|dkim.pem|missing.pem|')" "settings.dkim_key_file: cannot open"; check "smtp: unreadable key file names dkim_key_file" $?
echo "not a key" > junk.pem
create_error "$(smtp_settings | sed 's|dkim.pem|junk.pem|')" "settings.dkim_key_file"; check "smtp: a file without a key names dkim_key_file" $?
create_error "$(smtp_settings | sed 's|"dkim_domain":"example.org"|"dkim_domain":"example.com"|')" "settings.dkim_domain"; check "smtp: d= not aligned with From names dkim_domain" $?
create_error "$(smtp_settings | sed 's|"dkim_selector":"k2026",||')" "settings.dkim_selector"; check "smtp: DKIM settings go together" $?
create_error "$(smtp_settings | sed 's|Kinora Café <news@example.org>|not an address|')" "settings.from"; check "smtp: a bad From names from" $?
create_error "$(smtp_settings | sed 's|cert.pem|no-such-ca.pem|')" "settings.ca_file: cannot open"; check "smtp: a missing ca_file names ca_file" $?

# -- smtp: wrong password, nobody listening, a wrong DKIM key ------------------------------
echo '{"to":"dave@example.net","subject":"x","text":"y","idempotency_key":"k-auth"}' > one.jsonl
out="$("${SMTP[@]}" "$(smtp_settings | sed 's|s3cret p@ss|wrong|')" < one.jsonl 2>/dev/null || true)"
echo "$out" | grep -q '"outcome":"retryable".*AUTH refused'; check "smtp: a refused AUTH is retryable and says so" $?
out="$("${SMTP[@]}" "$(smtp_settings | sed 's|"ca_file":"[^"]*",||')" < one.jsonl 2>/dev/null || true)"
echo "$out" | grep -q '"outcome":"retryable"'; check "smtp: a certificate the system does not trust is not talked to (retryable)" $?
closed=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out="$("${SMTP[@]}" "$(smtp_settings | sed "s|\"port\":$SMTP_PORT|\"port\":$closed|")" < one.jsonl 2>/dev/null || true)"
echo "$out" | grep -q '"outcome":"retryable"'; check "smtp: connection refused is retryable" $?
before=$(wc -l < smtp.jsonl)
"${SMTP[@]}" "$(smtp_settings | sed 's|dkim.pem|other.pem|')" < one.jsonl > /dev/null 2>&1 || true
"$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]; sys.exit(0 if r["dkim"] is False else 1)' smtp.jsonl "$before"
check "smtp: a signature by another key does not verify (the check can fail)" $?

# -- smtp: implicit TLS (smtps://) without AUTH or DKIM ------------------------------------
out="$(./drive -q "$work"/libkinora-notify-smtp.so org.kinora.notify-smtp \
  '{"host":"127.0.0.1","port":'"$SMTPS_PORT"',"implicit_tls":true,"from":"news@example.org","ca_file":"'"$work"'/cert-tls.pem"}' \
  < one.jsonl 2>/dev/null || true)"
echo "$out" | grep -q '"outcome":"delivered"' && grep -q '"tls": true' smtps.jsonl; check "smtp: implicit TLS delivers" $?

# -- smtp: a session the server dropped while idle in the pool ----------------------------
out="$(echo '{"to":"idle{i}@example.net","text":"x","idempotency_key":"idle-{i}"}' | ./drive -q -s 1500 -n 2 \
  "$work"/libkinora-notify-smtp.so org.kinora.notify-smtp \
  '{"host":"127.0.0.1","port":'"$IDLE_PORT"',"from":"news@example.org","ca_file":"'"$work"'/cert-idle.pem"}' 2>/dev/null)"
[ "$(echo "$out" | grep -c '"outcome":"delivered"')" = 2 ] && [ "$(wc -l < idle.jsonl)" = 2 ]
check "smtp: a pooled session the server closed while idle is replaced, the mail delivered" $?

# -- smtp: throughput over one connection, then 8 threads --------------------------------
echo '{"to":"reader{i}@example.net","to_name":"Reader {i}","subject":"Digest {i}","text":"Your weekly digest {i}\nhttps://kinora.example/d/{i}\n","html":"<p>Digest {i}</p>","headers":{"List-Unsubscribe":"<https://kinora.example/u/{i}>","List-Unsubscribe-Post":"List-Unsubscribe=One-Click"},"idempotency_key":"bench-{i}"}' > bench.jsonl
"${SMTP[@]}" -n "$MAILS" "$(smtp_settings | sed "s|\"port\":$SMTP_PORT|\"port\":$BENCH_PORT|; s|cert.pem|cert-bench.pem|")" \
  < bench.jsonl > bench-out.jsonl 2> bench-log.txt
summary="$(tail -1 bench-log.txt)"
"$PY" - "$work" "$summary" "$MIN_RATE" "$MAILS" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work, summary, min_rate, mails = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
out = [json.loads(l) for l in open(f"{work}/bench-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/bench-received.jsonl")]
ports = {r["client_port"] for r in got}
ok = all(o.get("result", {}).get("outcome") == "delivered" for o in out) and len(got) == mails
print(f"     smtp: {len(got)} DKIM-signed mails in {summary['seconds']:.2f} s = {summary['per_second']:.0f} mails/s "
      f"over {len(ports)} connection(s)")
for name, cond in [(f"smtp: {mails} mails delivered and received", ok),
                   (f"smtp: one SMTP connection reused for all {mails}", len(ports) == 1),
                   (f"smtp: at least {min_rate:.0f} mails/s", summary["per_second"] >= min_rate)]:
    print(("ok   " if cond else "FAIL ") + name)
    if not cond: sys.exit(1)
PYEOF
before=$(wc -l < smtp.jsonl)
"${SMTP[@]}" -n 400 -t 8 "$(smtp_settings)" < bench.jsonl > par-out.jsonl 2> par-log.txt
"$PY" - "$work" "$before" "$(tail -1 par-log.txt)" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work, before, summary = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
out = [json.loads(l) for l in open(f"{work}/par-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/smtp.jsonl")][before:]
ports = {r["client_port"] for r in got}
print(f"     smtp: 400 mails from 8 threads in {summary['seconds']:.2f} s = {summary['per_second']:.0f} mails/s over {len(ports)} connections")
cond = all(o.get("result", {}).get("outcome") == "delivered" for o in out) and len(got) == 400 and len(ports) <= 8 \
    and len({r["message_id"] for r in got}) == 400 and all(r["dkim"] for r in got)
print(("ok   " if cond else "FAIL ") + "smtp: 8 threads at once: all delivered and DKIM-verified, distinct Message-IDs, "
      "at most 8 connections")
sys.exit(0 if cond else 1)
PYEOF

# -- webhook --------------------------------------------------------------------------------
WH=(./drive -q "$work"/libkinora-notify-webhook.so org.kinora.notify-webhook)
wh_settings='{"url":"http://127.0.0.1:'"$WEBHOOK_PORT"'/hooks/kinora","secret":"'"$SECRET"'"}'
echo '{"to_name":"Alice","subject":"New video {i}","text":"Night trains {i}","idempotency_key":"evt-{i}","event":"video.published","language":"en","data":{"video_id":"v{i}","url":"https://kinora.example/v/{i}","n":3}}' > events.jsonl
"${WH[@]}" -n 200 "$wh_settings" < events.jsonl > wh-out.jsonl 2> wh-log.txt
"$PY" - "$work" "$py" "$(tail -1 wh-log.txt)" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work, pydir, summary = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, pydir)
from webhook_peer import planned_status
plan = [(500, 0.1), (429, 0.1), (400, 0.1)]
out = [json.loads(l) for l in open(f"{work}/wh-out.jsonl")]
got = [json.loads(l) for l in open(f"{work}/webhook.jsonl")]
expect = {None: "delivered", 500: "retryable", 429: "retryable", 400: "permanent"}
mismatch = [i for i, o in enumerate(out) if o.get("result", {}).get("outcome") != expect[planned_status(f"evt-{i}", plan)]]
ra = [o["result"].get("retry_after_seconds") for i, o in enumerate(out) if planned_status(f"evt-{i}", plan) == 429]
first = got[0]["body"]
ports = {r["client_port"] for r in got}
print(f"     webhook: 200 events in {summary['seconds']:.2f} s = {summary['per_second']:.0f}/s over {len(ports)} connection(s); "
      f"{sum(1 for o in out if o['result']['outcome'] == 'delivered')} delivered, "
      f"{sum(1 for o in out if o['result']['outcome'] == 'retryable')} retryable, "
      f"{sum(1 for o in out if o['result']['outcome'] == 'permanent')} permanent")
checks = [
    ("webhook: every signature verifies", len(got) == 200 and all(r["verified"] for r in got)),
    ("webhook: outcomes follow the peer's plan (2xx/500/429/400)", not mismatch),
    ("webhook: 429 carries Retry-After as retry_after_seconds", ra and all(x == 7 for x in ra)),
    ("webhook: Idempotency-Key and webhook-id are the key", all(r["idempotency_key"] == r["id"] == r["body"]["id"] for r in got)),
    ("webhook: payload shape", first["type"] == "video.published" and isinstance(first["timestamp"], int) and
        first["data"] == {"subject": "New video 0", "text": "Night trains 0", "language": "en", "video_id": "v0",
                          "url": "https://kinora.example/v/0", "n": 3, "to_name": "Alice"}),
    ("webhook: one keep-alive connection", len(ports) == 1),
]
bad = 0
for name, cond in checks:
    print(("ok   " if cond else "FAIL ") + name)
    bad += not cond
sys.exit(1 if bad else 0)
PYEOF
out="$(echo '{"text":"x","idempotency_key":"evt-wrong","event":"e"}' | "${WH[@]}" '{"url":"http://127.0.0.1:'"$WEBHOOK_PORT"'/h","secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}' 2>/dev/null || true)"
echo "$out" | grep -q '"outcome":"permanent","reason":"HTTP 401' && grep -q '"id": "evt-wrong", "verified": false' webhook.jsonl
check "webhook: a wrong secret does not verify at the peer (the check can fail)" $?
out="$(echo '{"text":"x","idempotency_key":"evt-tls","event":"e"}' | "${WH[@]}" \
  '{"url":"https://127.0.0.1:'"$HTTPS_PORT"'/h","secret":"raw text secret","ca_file":"'"$work"'/cert-https.pem"}' 2>/dev/null)"
echo "$out" | grep -q '"outcome":"delivered"' && grep -q '"id": "evt-tls", "verified": true' webhooks.jsonl
check "webhook: https with ca_file, a raw-text secret verifies" $?
out="$(echo '{"text":"x","idempotency_key":"evt-untrusted","event":"e"}' | "${WH[@]}" \
  '{"url":"https://127.0.0.1:'"$HTTPS_PORT"'/h","secret":"raw text secret"}' 2>/dev/null)"
echo "$out" | grep -q '"outcome":"retryable"' && ! grep -q 'evt-untrusted' webhooks.jsonl
check "webhook: an untrusted certificate is not talked to (retryable)" $?
out="$(echo '{}' | "${WH[@]}" '{"url":"ftp://x/","secret":"s"}' 2>/dev/null || true)"
echo "$out" | grep -q '"create_status":-11,"error":"settings.url'; check "webhook: a bad URL names url" $?

# -- sms ----------------------------------------------------------------------------------
SMS=(./drive -q "$work"/libkinora-notify-sms.so org.kinora.notify-sms)
sms_settings='{"api_base":"http://127.0.0.1:'"$TWILIO_PORT"'","account_sid":"AC0123456789abcdef",'\
'"auth_token":"tok3n-s3cret","from":"+15550001111","status_callback_url":"https://kinora.example/api/v1/notify/callbacks/sms"}'
cat > sms.jsonl <<'EOF2'
{"to":"+33612345689","text":"Kinora: votre code est 123456 — à bientôt","idempotency_key":"sms-1"}
{"to":"+33612345689","text":"Kinora: votre code est 123456 — à bientôt","idempotency_key":"sms-1"}
{"to":"+15005550001","text":"x","idempotency_key":"sms-invalid"}
{"to":"+15554290000","text":"x","idempotency_key":"sms-429"}
{"to":"+15555000000","text":"x","idempotency_key":"sms-500"}
{"to":"0612345678","text":"x","idempotency_key":"sms-local"}
{"to":"+15550003003","text":"x","idempotency_key":"sms-undelivered"}
EOF2
"${SMS[@]}" "$sms_settings" < sms.jsonl > sms-out.jsonl 2> sms-log.txt
sed 's/MessageStatus=sent/MessageStatus=delivered/' callbacks.jsonl | head -1 > tampered.jsonl
"${SMS[@]}" -p "$sms_settings" < callbacks.jsonl > cb-out.jsonl 2>> sms-log.txt
"${SMS[@]}" -p "$sms_settings" < tampered.jsonl > tampered-out.jsonl 2>> sms-log.txt
"${SMS[@]}" -p "$(echo "$sms_settings" | sed 's/tok3n-s3cret/other/')" < callbacks.jsonl > wrongkey-out.jsonl 2>> sms-log.txt
"$PY" - "$work" <<'PYEOF' || failures=$((failures + 1))
import json, sys
work = sys.argv[1]
rd = lambda n: [json.loads(l) for l in open(f"{work}/{n}")]
out, got, cbs = rd("sms-out.jsonl"), rd("twilio.jsonl"), rd("cb-out.jsonl")
res = lambda i: out[i].get("result", {})
checks = [
    ("sms: accepted -> delivered with the sid", res(0).get("outcome") == "delivered" and res(0).get("provider_id", "").startswith("SM")),
    ("sms: the same idempotency key, the same sid (no second SMS)", res(1).get("provider_id") == res(0).get("provider_id")
        and got[1]["duplicate"] and got[1]["idempotency_key"] == "sms-1"),
    ("sms: Basic auth, form fields and StatusCallback as Twilio takes them", got[0]["auth_ok"] and
        got[0]["content_type"] == "application/x-www-form-urlencoded" and got[0]["from"] == "+15550001111" and
        got[0]["body"] == "Kinora: votre code est 123456 — à bientôt" and
        got[0]["status_callback"] == "https://kinora.example/api/v1/notify/callbacks/sms?key=sms-1"),
    ("sms: 21211 -> permanent, address_gone", res(2).get("outcome") == "permanent" and res(2).get("address_gone") is True
        and "21211" in res(2).get("reason", "")),
    ("sms: the reason shortens the number", "5005550001" not in res(2).get("reason", "")),
    ("sms: 429 -> retryable with Retry-After", res(3).get("outcome") == "retryable" and res(3).get("retry_after_seconds") == 9),
    ("sms: 500 -> retryable", res(4).get("outcome") == "retryable"),
    ("sms: a number that is not E.164 -> INVALID_ARGUMENT", out[5]["status"] == -1),
    ("sms: callbacks verify and map sent/delivered/undelivered",
        [c.get("result", {}).get("status") for c in cbs] == ["pending", "delivered", "pending", "failed"] and
        cbs[1]["result"]["provider_id"] == res(0).get("provider_id") and "30003" in cbs[3]["result"].get("reason", "")),
    ("sms: a tampered callback -> PERMISSION", [c["status"] for c in rd("tampered-out.jsonl")] == [-4]),
    ("sms: another auth token -> PERMISSION", all(c["status"] == -4 for c in rd("wrongkey-out.jsonl"))),
]
bad = 0
for name, cond in checks:
    print(("ok   " if cond else "FAIL ") + name)
    bad += not cond
sys.exit(1 if bad else 0)
PYEOF
check "sms: logs hold no full number nor text" "$(! grep -E '33612345689|123456|tok3n' sms-log.txt >/dev/null; echo $?)"

# -- webpush: its own script (the push service peer, the RFC 8291 vector) ----------------
PYTHON="$PY" "$here/check-webpush.sh" | sed 's/^\(ok  \|FAIL\) /\1 webpush: /'
check "webpush: check-webpush.sh" "${PIPESTATUS[0]}"

echo
if [ "$failures" = 0 ]; then echo "all notify checks passed"; else echo "$failures notify check(s) failed"; exit 1; fi
