"""The front door: malformed HTTP never reaches a keyward handler, and readiness
follows PostgreSQL through nginx without a restart (issue 2)."""
import json
import os
import sys
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
                                    env={"KEYWARD_TEST_ROUTES": "1"}).start()
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

    def test_malformed_cookie(self):
        status, _, body = self.send(b"GET /__test/throw HTTP/1.1\r\nHost: a\r\n"
                                    b"Cookie: =;;\"bad\r\n\r\n")
        self.assertEqual(status, 400)
        self.assertNotIn(b"secret internal detail", body)

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
