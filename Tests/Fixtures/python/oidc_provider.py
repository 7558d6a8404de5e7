"""A real OpenID Connect provider (PyPI oidc-provider-mock) on a free loopback port, for the
end-to-end SSO tests. Prints the port on its first line once listening; exits when its
standard input closes, so it never outlives the test that started it (which also kills it).

Any client id and secret are accepted; a subject's claims are set with PUT /users/<sub>,
and the authorization page is a form that POSTs `sub` (or `action=deny`) back to
/oauth2/authorize. For the tests of refusals, POST /_test/tamper with a body of `payload`
(the ID token's subject is changed, its signature kept), `alg-none` (unsigned) or `off`
makes the token endpoint answer forged ID tokens."""
import base64
import json
import os
import sys
import threading

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback only

import werkzeug.serving  # noqa: E402
from oidc_provider_mock import app  # noqa: E402

tamper = {"mode": "off"}


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(id_token, mode):
    header, payload, signature = id_token.split(".")
    if mode == "payload":
        claims = json.loads(b64decode(payload))
        claims["sub"] = "mallory"
        payload = b64encode(json.dumps(claims).encode())
    elif mode == "alg-none":
        header = b64encode(b'{"alg":"none","typ":"JWT"}')
        signature = ""
    return ".".join((header, payload, signature))


def with_tampering(inner):
    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == "/_test/tamper" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            tamper["mode"] = environ["wsgi.input"].read(length).decode().strip()
            start_response("204 No Content", [])
            return [b""]
        if path != "/oauth2/token" or tamper["mode"] == "off":
            return inner(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(inner(environ, capture))
        try:
            document = json.loads(body)
            document["id_token"] = forge(document["id_token"], tamper["mode"])
            body = json.dumps(document).encode()
        except (ValueError, KeyError):
            pass
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(body)))])
        return [body]

    return wsgi


server = werkzeug.serving.make_server("127.0.0.1", 0, with_tampering(app(require_nonce=True)), threaded=True)
print(server.server_port, flush=True)


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=watch_stdin, daemon=True).start()
server.serve_forever()
