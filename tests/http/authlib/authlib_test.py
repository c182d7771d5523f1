"""A third-party OAuth client against the real server.

Authlib (Debian python3-authlib) fetches a client-credentials token and a password-grant
token, refreshes the latter, and PyJWT verifies every access token offline through the
published JWKS (GET /jwks), the way a resource server would: if our tokens or our
responses stray from RFC 6749 / RFC 9068 as these libraries read them, this fails.
"""
import json
import os
import secrets
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))
import stack  # noqa: E402

import jwt  # noqa: E402  (PyJWT)
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402

MASTER_KEY = secrets.token_hex(32)
ISSUER = "http://127.0.0.1:9"
PASSWORD = "correct horse battery staple"
API = "https://api.example"


def psql(conninfo, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
                   check=True, capture_output=True, text=True)


def with_dbname(conninfo, name):
    parts = [p for p in conninfo.split() if not p.startswith("dbname=")]
    return " ".join(parts + [f"dbname={name}"])


class AuthlibClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cluster = os.environ.get("KEYWARD_TEST_DATABASE_URL")
        if not cluster:
            raise unittest.SkipTest("set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)")
        cls.cluster = cluster
        cls.dbname = "keyward_authlib_" + secrets.token_hex(6)
        psql(cluster, f"CREATE DATABASE {cls.dbname}")
        env = {
            "KEYWARD_MASTER_KEY": MASTER_KEY,
            "KEYWARD_ISSUER": ISSUER,
            "KEYWARD_ARGON2_MEMORY_KIB": "7168",
            "KEYWARD_ARGON2_ITERATIONS": "5",
            # Off by default (RFC 9700 §2.4); the password-grant tests need it.
            "KEYWARD_PASSWORD_GRANT": "true",
        }
        cls.keyward = stack.Keyward(with_dbname(cluster, cls.dbname), env=env)
        cls.keyward.run("migrate")
        cls.svc = cls.create_client("svc", "--grant-types", "client_credentials",
                                    "--scopes", "read write", "--audience", API)
        cls.post_client = cls.create_client("svc-post", "--grant-types", "client_credentials",
                                            "--scopes", "read", "--audience", API,
                                            "--token-endpoint-auth-method", "client_secret_post")
        cls.app = cls.create_client("app", "--grant-types", "password,refresh_token",
                                    "--scopes", "read write profile", "--audience", API,
                                    "--first-party")
        user = cls.keyward.run("user", "create", "--username", "alice", "--password-stdin",
                               input=PASSWORD + "\n")
        cls.alice = json.loads(user.stdout)["id"]
        cls.keyward.start()
        ready = stack.wait_for(lambda: cls.status(cls.keyward.url + "/health/ready") == 200, 30)
        if not ready:
            raise RuntimeError("keyward never became ready: " + "\n".join(cls.keyward.lines()))
        cls.token_url = cls.keyward.url + "/token"
        cls.jwks = jwt.PyJWKClient(cls.keyward.url + "/jwks")

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "keyward"):
            cls.keyward.stop()
        if hasattr(cls, "dbname"):
            psql(cls.cluster, f"DROP DATABASE IF EXISTS {cls.dbname} WITH (FORCE)")

    @classmethod
    def create_client(cls, name, *args):
        out = cls.keyward.run("client", "create", "--name", name, *args)
        return json.loads(out.stdout)

    @staticmethod
    def status(url):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status
        except Exception:  # noqa: BLE001: not ready yet, whatever the reason
            return 0

    def verify(self, access_token, audience=API):
        """RFC 9068 §4 as a resource server does it, with nothing but the JWKS."""
        header = jwt.get_unverified_header(access_token)
        self.assertEqual(header["typ"], "at+jwt")
        self.assertEqual(header["alg"], "RS256")
        key = self.jwks.get_signing_key_from_jwt(access_token)
        return jwt.decode(access_token, key.key, algorithms=["RS256"], audience=audience,
                          issuer=ISSUER,
                          options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]})

    def test_client_credentials_basic(self):
        session = OAuth2Session(self.svc["client_id"], self.svc["client_secret"],
                                token_endpoint_auth_method="client_secret_basic")
        self.addCleanup(session.close)
        token = session.fetch_token(self.token_url, grant_type="client_credentials",
                                    scope="read")
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["scope"], "read")
        self.assertNotIn("refresh_token", token)
        claims = self.verify(token["access_token"])
        self.assertEqual(claims["sub"], self.svc["client_id"])
        self.assertEqual(claims["client_id"], self.svc["client_id"])
        self.assertEqual(claims["scope"], "read")
        self.assertIn("gid", claims)

    def test_client_credentials_post(self):
        session = OAuth2Session(self.post_client["client_id"], self.post_client["client_secret"],
                                token_endpoint_auth_method="client_secret_post")
        self.addCleanup(session.close)
        token = session.fetch_token(self.token_url, grant_type="client_credentials")
        claims = self.verify(token["access_token"])
        self.assertEqual(claims["client_id"], self.post_client["client_id"])

    def test_password_grant_then_refresh(self):
        session = OAuth2Session(self.app["client_id"], self.app["client_secret"],
                                scope="read profile")
        self.addCleanup(session.close)
        token = session.fetch_token(self.token_url, username="alice", password=PASSWORD)
        self.assertIn("refresh_token", token)
        self.assertEqual(token["scope"], "profile read")
        claims = self.verify(token["access_token"])
        self.assertEqual(claims["sub"], self.alice)

        refreshed = session.refresh_token(self.token_url, refresh_token=token["refresh_token"])
        self.assertNotEqual(refreshed["refresh_token"], token["refresh_token"])
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        again = self.verify(refreshed["access_token"])
        self.assertEqual(again["sub"], self.alice)
        self.assertEqual(again["gid"], claims["gid"])
        self.assertEqual(again["scope"], "profile read")

    def test_wrong_password_raises_invalid_grant(self):
        from authlib.integrations.base_client.errors import OAuthError
        session = OAuth2Session(self.app["client_id"], self.app["client_secret"])
        self.addCleanup(session.close)
        with self.assertRaises(OAuthError) as caught:
            session.fetch_token(self.token_url, username="alice", password="wrong")
        self.assertEqual(caught.exception.error, "invalid_grant")
        self.assertEqual(caught.exception.description, "invalid username or password")


if __name__ == "__main__":
    unittest.main(verbosity=2)
