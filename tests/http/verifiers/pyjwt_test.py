"""A token signed by Keyward verifies with PyJWT (Debian python3-jwt), which fetches the JWKS
over HTTP through the front door with PyJWKClient."""
import base64
import json
import os
import sys
import time
import unittest

import jwt

sys.path.insert(0, os.path.dirname(__file__))
import verifier_stack  # noqa: E402
from verifier_stack import AUDIENCE  # noqa: E402


def tamper(token):
    """The same token with one claim changed and the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([header, forged, signature])


class PyJwtVerifiesKeywardTokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"PyJWT {jwt.__version__} from {jwt.__file__}", file=sys.stderr)
        cls.stack = verifier_stack.VerifierStack()
        cls.issuer = cls.stack.issuer
        cls.jwks_uri = cls.stack.discovery()["jwks_uri"]
        cls.client = jwt.PyJWKClient(cls.jwks_uri)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def decode(self, token, client=None, algorithms=("RS256",)):
        key = (client or self.client).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=list(algorithms), audience=AUDIENCE,
                          issuer=self.issuer, options={"require": ["exp", "iat", "iss", "sub"]})

    def test_discovery_names_the_front_door_jwks_uri(self):
        self.assertEqual(self.jwks_uri, self.issuer + "/jwks")

    def test_token_verifies_with_pyjwkclient(self):
        token = self.stack.token()
        header = jwt.get_unverified_header(token)
        self.assertEqual(header["alg"], "RS256")
        self.assertEqual(header["typ"], "at+jwt")
        claims = self.decode(token)
        self.assertEqual(claims["iss"], self.issuer)
        self.assertEqual(claims["aud"], AUDIENCE)
        self.assertIn("jti", claims)
        self.assertIn("client_id", claims)

    def test_tampered_token_is_rejected(self):
        with self.assertRaises(jwt.InvalidSignatureError):
            self.decode(tamper(self.stack.token()))

    def test_other_audience_is_rejected(self):
        with self.assertRaises(jwt.InvalidAudienceError):
            self.decode(self.stack.token(audience="https://another.example"))

    def test_expired_token_is_rejected(self):
        token = self.stack.test_route_token(ttl=1)
        time.sleep(2.1)
        with self.assertRaises(jwt.ExpiredSignatureError):
            self.decode(token)


class PyJwtFollowsRotation(unittest.TestCase):
    """After `keyward keys rotate`, the new key's tokens verify with a PyJWKClient that
    fetched the JWKS before the rotation, and the old key's tokens keep verifying."""

    def test_rotation_to_es256(self):
        delay = 4
        st = verifier_stack.VerifierStack(publication_delay=delay)
        try:
            client = jwt.PyJWKClient(st.discovery()["jwks_uri"])
            old_token = st.token()
            old_kid = jwt.get_unverified_header(old_token)["kid"]
            client.get_signing_key_from_jwt(old_token)  # fetches and caches the JWKS

            started = time.monotonic()
            new_kid, out = st.rotate("ES256")
            self.assertNotEqual(new_kid, old_kid)
            self.assertIn("state next", out)
            # Published at once, signing only after the publication delay (checked only
            # while the delay has certainly not passed yet).
            kid_now = st.signing_kid()
            if time.monotonic() - started < delay - 1:
                self.assertEqual(kid_now, old_kid)
            self.assertTrue(stack_wait(lambda: st.signing_kid() == new_kid, 10),
                            "the new key never started signing")
            new_token = st.token()
            header = jwt.get_unverified_header(new_token)
            self.assertEqual((header["kid"], header["alg"]), (new_kid, "ES256"))
            for token in (new_token, old_token):
                key = client.get_signing_key_from_jwt(token)
                claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256"],
                                    audience=AUDIENCE, issuer=st.issuer)
                self.assertEqual(claims["iss"], st.issuer)
        finally:
            st.stop()

    def test_rotation_to_eddsa(self):
        """PyJWK takes the OKP (Ed25519) JWK; PyJWT verifies EdDSA with `cryptography`."""
        st = verifier_stack.VerifierStack(publication_delay=2)
        try:
            client = jwt.PyJWKClient(st.discovery()["jwks_uri"])
            new_kid, _ = st.rotate("EdDSA")
            self.assertTrue(stack_wait(lambda: st.signing_kid() == new_kid, 10),
                            "the EdDSA key never started signing")
            token = st.token()
            header = jwt.get_unverified_header(token)
            self.assertEqual((header["kid"], header["alg"]), (new_kid, "EdDSA"))
            key = client.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["EdDSA"], audience=AUDIENCE,
                                issuer=st.issuer)
            self.assertEqual(claims["iss"], st.issuer)
            with self.assertRaises(jwt.InvalidSignatureError):
                jwt.decode(tamper(token), key.key, algorithms=["EdDSA"], audience=AUDIENCE,
                           issuer=st.issuer)
        finally:
            st.stop()


def stack_wait(predicate, timeout):
    return verifier_stack.stack.wait_for(predicate, timeout, 0.1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
