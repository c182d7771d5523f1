"""A running Keyward for the third-party verifier tests: a database of its own on the test
cluster, `keyward serve` behind the front door (nginx, as shipped), and the issuer set to the
front door's URL, so discovery's jwks_uri is a URL the verifiers really fetch over HTTP.
"""
import base64
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))
import stack  # noqa: E402

AUDIENCE = "https://api.verifier-test.example"


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def with_dbname(conninfo, dbname):
    """The cluster's conninfo pointed at another database (libpq: the last keyword wins)."""
    if conninfo.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(conninfo)
        return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))
    return f"{conninfo} dbname={dbname}"


class VerifierStack:
    def __init__(self, publication_delay=2):
        cluster = os.environ.get("KEYWARD_TEST_DATABASE_URL")
        if not cluster:
            raise RuntimeError("KEYWARD_TEST_DATABASE_URL is not set: run through scripts/test.sh")
        self.cluster = cluster
        self.dbname = "keyward_verifiers_" + secrets.token_hex(6)
        self._psql(f'CREATE DATABASE "{self.dbname}"')
        self.keyward = self.door = None
        try:
            # The front door's port is known before keyward starts, so the issuer (and with it
            # jwks_uri) can name it; keyward's own address is filled in once it listens.
            self.door = stack.FrontDoor(keyward_address="127.0.0.1:9")
            self.issuer = self.door.url
            self.keyward = stack.Keyward(with_dbname(cluster, self.dbname), env={
                "KEYWARD_ISSUER": self.issuer,
                # One master key for the server and the CLI runs below.
                "KEYWARD_MASTER_KEY": secrets.token_hex(32),
                # Short, so a rotation activates within the test (JWKS max-age = delay / 2).
                "KEYWARD_KEY_PUBLICATION_DELAY": str(publication_delay),
            }, test_routes=True)
            self.keyward.run("migrate")
            self.keyward.start()
            self.door.keyward_address = self.keyward.address
            self.door.start()
            ready = stack.wait_for(
                lambda: http_get(self.door.url + "/health/ready")[0] == 200, 20, 0.1)
            if not ready:
                raise RuntimeError("keyward not ready: " + "\n".join(self.keyward.lines()))
        except BaseException:
            self.stop()
            raise

    def _psql(self, sql):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        with_dbname(self.cluster, "postgres"), "-c", sql],
                       check=True, capture_output=True, text=True)

    def discovery(self):
        status, _, body = http_get(self.door.url + "/.well-known/openid-configuration")
        if status != 200:
            raise RuntimeError(f"discovery answered {status}: {body!r}")
        return json.loads(body)

    def test_route_token(self, audience=AUDIENCE, ttl=300, subject="verifier-test-client"):
        """A Keyward-signed RFC 9068 access token from GET /__test/sign (keyward-test-server)."""
        query = urllib.parse.urlencode({"aud": audience, "ttl": ttl, "sub": subject,
                                        "scope": "api:read"})
        status, _, body = http_get(self.door.url + "/__test/sign?" + query)
        if status != 200:
            raise RuntimeError(f"/__test/sign answered {status}: {body!r}")
        return json.loads(body)["access_token"]

    def client_credentials_token(self, audience=AUDIENCE, ttl=None, subject=None):
        """A real token from POST /token (RFC 6749 §4.4) for a client registered through
        `keyward client create`; ttl and subject are the server's to choose here."""
        created = json.loads(self.keyward.run(
            "client", "create", "--name", "verifier-test", "--grant-types",
            "client_credentials", "--scopes", "api:read", "--audience", audience).stdout)
        form = urllib.parse.urlencode({"grant_type": "client_credentials",
                                       "scope": "api:read"}).encode()
        request = urllib.request.Request(self.door.url + "/token", data=form, method="POST")
        credentials = f"{created['client_id']}:{created['client_secret']}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials).decode())
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        with urllib.request.urlopen(request, timeout=5) as r:
            return json.loads(r.read())["access_token"]

    # The token every verifier test checks. Once POST /token issues client-credentials tokens,
    # switch with this one line:  token = client_credentials_token
    token = test_route_token

    def signing_kid(self):
        """The kid the server signs with right now."""
        status, _, body = http_get(self.door.url + "/__test/sign?ttl=60")
        return json.loads(body)["kid"] if status == 200 else None

    def rotate(self, alg):
        """`keyward keys rotate --alg ALG`; returns (kid, output)."""
        out = self.keyward.run("keys", "rotate", "--alg", alg).stdout
        first = out.splitlines()[0]
        if not first.startswith("kid "):
            raise RuntimeError("unexpected output of keys rotate: " + out)
        return first[4:], out

    def stop(self):
        if self.door:
            self.door.stop()
        if self.keyward:
            self.keyward.stop()
        try:
            self._psql(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass
