"""A token signed by Keyward verifies with node's jose (npm, tests/js): createRemoteJWKSet
fetches the JWKS over HTTP through the front door and jwtVerify checks it."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import verifier_stack  # noqa: E402
from verifier_stack import AUDIENCE  # noqa: E402

JS_DIR = os.path.join(verifier_stack.stack.SOURCE_DIR, "tests", "js")
SCRIPT = os.path.join(JS_DIR, "verify_keyward_token.mjs")


def node_verify(discovery_url, issuer, tokens):
    """One JSON line per token from the node script."""
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "jose")):
        raise RuntimeError(f"npm's jose is not installed: run `npm ci` in {JS_DIR} "
                           "(scripts/test.sh does)")
    r = subprocess.run(["node", SCRIPT, discovery_url, issuer, AUDIENCE, *tokens],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"node exited {r.returncode}: {r.stdout}{r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines()]


class NodeJoseVerifiesKeywardTokens(unittest.TestCase):
    def test_tokens_verify_and_forgeries_do_not(self):
        st = verifier_stack.VerifierStack(publication_delay=2)
        try:
            discovery_url = st.door.url + "/.well-known/openid-configuration"
            old_token = st.token()
            other_audience = st.token(audience="https://another.example")
            header, payload, signature = old_token.split(".")
            bad_signature = ".".join([header, payload, signature[:-4] + (
                "AAAA" if signature[-4:] != "AAAA" else "BBBB")])

            # A rotation to ES256: node fetches the set once, with both keys in it.
            new_kid, _ = st.rotate("ES256")
            self.assertTrue(verifier_stack.stack.wait_for(
                lambda: st.signing_kid() == new_kid, 10, 0.1), "the new key never signed")
            new_token = st.token()

            old, new, bad, aud = node_verify(discovery_url, st.issuer,
                                             [old_token, new_token, bad_signature,
                                              other_audience])
            print(json.dumps([old, new, bad, aud]), file=sys.stderr)
            self.assertTrue(old["ok"], old)
            self.assertEqual(old["alg"], "RS256")
            self.assertEqual(old["iss"], st.issuer)
            self.assertEqual(old["typ"], "at+jwt")
            self.assertTrue(new["ok"], new)
            self.assertEqual((new["kid"], new["alg"]), (new_kid, "ES256"))
            self.assertFalse(bad["ok"])
            self.assertEqual(bad["code"], "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
            self.assertFalse(aud["ok"])
            self.assertEqual(aud["code"], "ERR_JWT_CLAIM_VALIDATION_FAILED")
            self.assertEqual(aud["claim"], "aud")
        finally:
            st.stop()

    def test_eddsa_tokens_verify(self):
        """After `keyward keys rotate --alg EdDSA`: jose takes the OKP (Ed25519) JWK from
        the JWKS and verifies the token; a changed signature fails."""
        st = verifier_stack.VerifierStack(publication_delay=2)
        try:
            discovery_url = st.door.url + "/.well-known/openid-configuration"
            new_kid, _ = st.rotate("EdDSA")
            self.assertTrue(verifier_stack.stack.wait_for(
                lambda: st.signing_kid() == new_kid, 10, 0.1), "the EdDSA key never signed")
            token = st.token()
            header, payload, signature = token.split(".")
            bad_signature = ".".join([header, payload, signature[:-4] + (
                "AAAA" if signature[-4:] != "AAAA" else "BBBB")])
            good, bad = node_verify(discovery_url, st.issuer, [token, bad_signature])
            print(json.dumps([good, bad]), file=sys.stderr)
            self.assertTrue(good["ok"], good)
            self.assertEqual((good["kid"], good["alg"]), (new_kid, "EdDSA"))
            self.assertFalse(bad["ok"])
            self.assertEqual(bad["code"], "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
        finally:
            st.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
