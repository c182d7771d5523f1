"""GET /metrics of the real binaries, read with a real Prometheus parser.

keyward serve and keyward-sample-rs run a known workload (client-credentials tokens, a wrong
secret, a 404 with a secret-looking query, a malformed query, an admin path with an id, Bearer
requests to the resource server); their /metrics is parsed by
prometheus_client.parser.text_string_to_metric_families (Debian python3-prometheus-client)
and the counters must equal the workload exactly, each histogram must be consistent with
itself and with the request counter, and no label may carry a raw path, a query or a secret.
Addresses outside KEYWARD_METRICS_ALLOW, or a client behind a trusted proxy, get the same 404
as an unknown path; the front door (nginx, as shipped) never forwards /metrics. The access
log names route templates, never the raw path or query.
"""
import base64
import json
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))
import stack  # noqa: E402

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

SAMPLE_RS = os.path.join(stack.BUILD_DIR, "resource_server", "keyward-sample-rs")
AUDIENCE = "keyward-sample-rs"
TOKENS = 5
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NOT_FOUND = {"error": "not_found", "error_description": "no such endpoint"}
# Values that must never show up in a label or a log line.
QUERY_SECRET = "hunter2-" + secrets.token_hex(4)
RAW_PATH = "/no/such/path-" + secrets.token_hex(4)


def request(url, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def basic(client_id, secret):
    pair = urllib.parse.quote(client_id, safe="") + ":" + urllib.parse.quote(secret, safe="")
    return "Basic " + base64.b64encode(pair.encode()).decode()


def token(url, client, scope=None):
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    return request(url + "/token", "POST", urllib.parse.urlencode(form).encode(), {
        "Authorization": basic(client["client_id"], client["client_secret"]),
        "Content-Type": "application/x-www-form-urlencoded"})


def with_dbname(conninfo, dbname):
    if conninfo.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(conninfo)
        return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))
    return f"{conninfo} dbname={dbname}"


def scrape(url, headers=None):
    status, hdrs, body = request(url + "/metrics", headers=headers)
    if status != 200:
        raise AssertionError(f"/metrics answered {status}: {body!r}")
    return hdrs, body.decode()


def samples(text):
    """{(sample name, frozenset of labels): value} and {family name: type}."""
    values, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in values, f"duplicate sample {key}"
            values[key] = s.value
    return values, types


def value(values, name, **labels):
    return values.get((name, frozenset(labels.items())))


class SampleRs:
    def __init__(self, env):
        self.tmp = tempfile.mkdtemp(prefix="keyward-rs-")
        self.log_path = os.path.join(self.tmp, "rs.log")
        self.env = dict(os.environ)
        self.env.update({"KEYWARD_RS_LISTEN": "127.0.0.1:0",
                         "KEYWARD_RS_MIGRATIONS_DIR": os.path.join(stack.SOURCE_DIR,
                                                                   "resource_server", "migrations")})
        self.env.update(env)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([SAMPLE_RS], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

        def listening():
            for line in self.text().splitlines():
                m = re.search(r'"address":"127\.0\.0\.1:(\d+)"', line)
                if m and '"listening"' in line:
                    return int(m.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError("keyward-sample-rs exited: " + self.text())
            return None

        self.port = stack.wait_for(listening, 20)
        if not self.port:
            raise RuntimeError("keyward-sample-rs did not start: " + self.text())
        self.url = f"http://127.0.0.1:{self.port}"

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.log.close()


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cluster = os.environ.get("KEYWARD_TEST_DATABASE_URL")
        if not cluster:
            raise unittest.SkipTest("set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)")
        cls.cluster = cluster
        cls.dbname = "keyward_metrics_" + secrets.token_hex(6)
        cls.psql(f'CREATE DATABASE "{cls.dbname}"')
        cls.keyward = stack.Keyward(with_dbname(cluster, cls.dbname),
                                    env={"KEYWARD_ISSUER": "http://127.0.0.1:9",
                                         "KEYWARD_THREADS": "2", "KEYWARD_WORKERS": "2"})
        cls.keyward.run("migrate")
        cls.svc = json.loads(cls.keyward.run(
            "client", "create", "--name", "svc", "--grant-types", "client_credentials",
            "--scopes", "read api:read", "--audience", AUDIENCE).stdout)
        cls.keyward.start()
        if not stack.wait_for(lambda: request(cls.keyward.url + "/health/ready")[0] == 200, 30):
            raise RuntimeError("keyward never became ready: " + "\n".join(cls.keyward.lines()))
        cls.run_workload()
        cls.headers, cls.text = scrape(cls.keyward.url)
        cls.values, cls.types = samples(cls.text)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "keyward"):
            cls.keyward.stop()
        if hasattr(cls, "dbname"):
            cls.psql(f'DROP DATABASE IF EXISTS "{cls.dbname}" WITH (FORCE)')

    @classmethod
    def psql(cls, sql):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        with_dbname(cls.cluster, "postgres"), "-c", sql],
                       check=True, capture_output=True, text=True)

    @classmethod
    def run_workload(cls):
        url = cls.keyward.url
        for _ in range(TOKENS):
            status, _, body = token(url, cls.svc, "read")
            assert status == 200, body
        wrong = dict(cls.svc, client_secret="not-the-secret")
        assert token(url, wrong)[0] == 401
        assert request(url + RAW_PATH + "?access_token=" + QUERY_SECRET)[0] == 404
        assert request(url + "/jwks?x=%ZZ")[0] == 400  # a query that does not decode
        status, _, _ = request(url + "/admin/v1/clients/" + cls.svc["client_id"] +
                               "?secret=" + QUERY_SECRET)
        assert status == 401, status

    def requests_total(self, route, method, status):
        return value(self.values, "keyward_http_requests_total", route=route, method=method,
                     status=str(status))

    def test_content_type_and_types(self):
        self.assertEqual(self.headers["Content-Type"], CONTENT_TYPE)
        self.assertEqual(self.types["keyward_http_requests"], "counter")
        self.assertEqual(self.types["keyward_http_request_duration_seconds"], "histogram")
        self.assertEqual(self.types["keyward_worker_pool_wait_seconds"], "histogram")
        self.assertEqual(self.types["process_cpu_seconds"], "counter")

    def test_request_counts_are_the_workload(self):
        self.assertEqual(self.requests_total("/token", "POST", 200), TOKENS)
        self.assertEqual(self.requests_total("/token", "POST", 401), 1)
        self.assertEqual(self.requests_total("unmatched", "GET", 404), 1)
        self.assertEqual(self.requests_total("/jwks", "GET", 400), 1)
        self.assertEqual(self.requests_total("/admin/v1/clients/{client_id}", "GET", 401), 1)
        self.assertEqual(self.requests_total("/health/ready", "GET", 200), 1)
        # The scrape being answered is counted once it is written, not in its own answer.
        self.assertIsNone(self.requests_total("/metrics", "GET", 200))

    def test_histograms_are_consistent(self):
        series = {}
        for (name, labels), v in self.values.items():
            if name.startswith("keyward_http_request_duration_seconds"):
                labels = dict(labels)
                le = labels.pop("le", None)
                series.setdefault(frozenset(labels.items()), {})[(name, le)] = v
        self.assertTrue(series)
        for labels, s in series.items():
            buckets = sorted(((float(le), v) for (n, le), v in s.items() if n.endswith("_bucket")))
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), labels)  # cumulative
            self.assertEqual(buckets[-1][0], math.inf)
            count = s[("keyward_http_request_duration_seconds_count", None)]
            self.assertEqual(buckets[-1][1], count, labels)
            self.assertGreater(s[("keyward_http_request_duration_seconds_sum", None)], 0)
            # Every request timed is a request counted, under the same route and method.
            labels = dict(labels)
            counted = sum(v for (n, l), v in self.values.items()
                          if n == "keyward_http_requests_total" and
                          dict(l)["route"] == labels["route"] and dict(l)["method"] == labels["method"])
            self.assertEqual(count, counted, labels)
        token_count = value(self.values, "keyward_http_request_duration_seconds_count",
                            route="/token", method="POST")
        self.assertEqual(token_count, TOKENS + 1)
        waits = value(self.values, "keyward_worker_pool_wait_seconds_count")
        self.assertGreaterEqual(waits, TOKENS + 1)  # /token runs on the worker pool

    def test_no_label_carries_a_raw_path_a_query_or_a_secret(self):
        for (name, labels), _ in self.values.items():
            for k, v in labels:
                for leaked in (QUERY_SECRET, RAW_PATH, self.svc["client_id"],
                               self.svc["client_secret"], "?", "not-the-secret"):
                    self.assertNotIn(leaked, v, f"{name} {k}={v}")
        routes = {dict(l)["route"] for (n, l) in self.values if n == "keyward_http_requests_total"}
        registered = {"unmatched"} | {r for r in routes if r.startswith("/")}
        self.assertEqual(routes, registered)

    def test_server_state(self):
        v = self.values
        self.assertEqual(value(v, "keyward_signing_keys_loaded"), 1)
        self.assertGreaterEqual(value(v, "keyward_signing_keys_published"), 1)
        age = value(v, "keyward_signing_key_age_seconds")
        self.assertTrue(0 <= age < 600, age)
        self.assertGreaterEqual(value(v, "keyward_key_documents_generation"), 1)
        self.assertGreaterEqual(value(v, "keyward_key_documents_age_seconds"), 0)
        self.assertGreater(value(v, "keyward_jwks_bytes"), 0)
        self.assertEqual(value(v, "keyward_db_pool_max_connections"), 4)  # threads + workers
        # The key manager's reload thread may hold one for a moment.
        in_use = value(v, "keyward_db_pool_connections", state="in_use")
        idle = value(v, "keyward_db_pool_connections", state="idle")
        self.assertLessEqual(in_use, 1)
        self.assertTrue(1 <= in_use + idle <= 4, (in_use, idle))
        self.assertEqual(value(v, "keyward_db_pool_errors_total", kind="connect"), 0)
        self.assertEqual(value(v, "keyward_worker_pool_threads"), 2)
        self.assertEqual(value(v, "keyward_worker_pool_queue_depth"), 0)
        self.assertEqual(value(v, "keyward_worker_pool_rejected_total"), 0)
        self.assertGreater(value(v, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(value(v, "process_open_fds"), 3)
        self.assertGreater(value(v, "process_cpu_seconds_total"), 0)
        self.assertLess(abs(value(v, "process_start_time_seconds") - time.time()), 300)
        self.assertEqual(value(v, "keyward_build_info", version=next(
            dict(l)["version"] for (n, l) in v if n == "keyward_build_info")), 1)

    def test_event_counters_are_registered_for_every_type_and_grant(self):
        types = {dict(l)["type"] for (n, l) in self.values if n == "keyward_events_total"}
        for t in ("sign_in", "sign_in_failed", "token_issued", "client_auth_failed",
                  "refresh_reuse_detected", "key_rotated"):
            self.assertIn(t, types)
        grants = {dict(l)["grant"] for (n, l) in self.values if n == "keyward_tokens_issued_total"}
        self.assertTrue({"client_credentials", "refresh_token", "authorization_code",
                         "other"} <= grants, grants)

    def test_audit_events_of_the_workload_are_counted(self):
        v = self.values
        self.assertEqual(value(v, "keyward_tokens_issued_total", grant="client_credentials"),
                         TOKENS)
        self.assertEqual(value(v, "keyward_tokens_issued_total", grant="refresh_token"), 0)
        self.assertEqual(value(v, "keyward_events_total", type="token_issued"), TOKENS)
        self.assertEqual(value(v, "keyward_events_total", type="client_auth_failed"), 1)
        self.assertEqual(value(v, "keyward_events_total", type="sign_in"), 0)

    def test_a_second_scrape_counts_the_first(self):
        _, text = scrape(self.keyward.url)
        values, _ = samples(text)
        self.assertGreaterEqual(value(values, "keyward_http_requests_total", route="/metrics",
                                      method="GET", status="200"), 1)

    def test_client_behind_a_trusted_proxy_gets_404(self):
        # 127.0.0.1 is a trusted proxy by default: the client is who it forwarded for.
        status, _, body = request(self.keyward.url + "/metrics",
                                  headers={"X-Forwarded-For": "203.0.113.7"})
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body), NOT_FOUND)
        status, _, body = request(self.keyward.url + "/metrics", "POST", b"",
                                  headers={"X-Forwarded-For": "203.0.113.7"})
        self.assertEqual(status, 404)

    def test_access_log_names_route_templates(self):
        lines = [l for l in self.keyward.json_lines() if l.get("msg") == "request"]
        routes = [l.get("route") for l in lines]
        self.assertIn("/admin/v1/clients/{client_id}", routes)
        self.assertIn("unmatched", routes)
        self.assertIn("/token", routes)
        self.assertTrue(all("path" not in l for l in lines))
        text = "\n".join(self.keyward.lines())
        for leaked in (QUERY_SECRET, RAW_PATH, "/admin/v1/clients/" + self.svc["client_id"],
                       self.svc["client_secret"]):
            self.assertNotIn(leaked, text)
        # The front door's X-Request-ID is honoured and logged.
        request(self.keyward.url + "/health/live", headers={"X-Request-ID": "door-id-42"})
        self.assertTrue(stack.wait_for(lambda: any(
            l.get("request_id") == "door-id-42" and l.get("route") == "/health/live"
            for l in self.keyward.json_lines()), 5))

    def test_not_allowed_address_gets_404(self):
        other = stack.Keyward(with_dbname(self.cluster, self.dbname),
                              env={"KEYWARD_ISSUER": "http://127.0.0.1:9",
                                   "KEYWARD_METRICS_ALLOW": "10.0.0.0/8,fd00::/8"}).start()
        try:
            stack.wait_for(lambda: request(other.url + "/health/ready")[0] == 200, 30)
            status, headers, body = request(other.url + "/metrics")
            self.assertEqual(status, 404)
            self.assertEqual(json.loads(body), NOT_FOUND)
            unknown = request(other.url + "/no-such-endpoint")
            self.assertEqual((status, body), (unknown[0], unknown[2]))
            self.assertNotIn("Allow", headers)
        finally:
            other.stop()

    def test_front_door_never_forwards_metrics(self):
        door = stack.FrontDoor(self.keyward.address).start()
        try:
            _, before = scrape(self.keyward.url)
            count = lambda text: value(samples(text)[0], "keyward_http_requests_total",  # noqa: E731
                                       route="/metrics", method="GET", status="404") or 0
            for path in ("/metrics", "//metrics", "/metrics?x=1"):
                status, _, body = request(door.url + path)
                self.assertEqual(status, 404, path)
                self.assertEqual(json.loads(body), NOT_FOUND, path)
            _, after = scrape(self.keyward.url)
            self.assertEqual(count(after), count(before))  # none reached keyward
        finally:
            door.stop()

    def test_resource_server_metrics(self):
        rs = SampleRs({
            "KEYWARD_RS_ISSUER": "http://127.0.0.1:9",
            "KEYWARD_RS_JWKS_URI": self.keyward.url + "/jwks",
            "KEYWARD_RS_AUDIENCE": AUDIENCE,
            "KEYWARD_RS_DATABASE_URL": with_dbname(self.cluster, self.dbname),
        })
        try:
            status, _, body = token(self.keyward.url, self.svc, "api:read")
            self.assertEqual(status, 200, body)
            access_token = json.loads(body)["access_token"]
            bearer = {"Authorization": "Bearer " + access_token}
            self.assertEqual(request(rs.url + "/api/me", headers=bearer)[0], 200)
            self.assertEqual(request(rs.url + "/api/me", headers=bearer)[0], 200)
            self.assertEqual(request(rs.url + "/api/me")[0], 401)
            self.assertEqual(request(rs.url + "/api/me",
                                     headers={"Authorization": "Bearer not.a.jwt"})[0], 401)
            # RFC 6750 §2.3 is not supported: a token in the URL is a malformed request.
            self.assertEqual(request(rs.url + "/api/me?access_token=" + QUERY_SECRET)[0], 400)

            headers, text = scrape(rs.url)
            self.assertEqual(headers["Content-Type"], CONTENT_TYPE)
            v, types = samples(text)
            verified = lambda result: value(v, "keyward_rs_token_verifications_total",  # noqa: E731
                                            result=result)
            self.assertEqual(verified("valid"), 2)
            self.assertEqual(verified("missing"), 1)
            self.assertEqual(verified("malformed_request"), 1)
            self.assertEqual(verified("malformed_token"), 1)
            self.assertEqual(verified("expired"), 0)
            self.assertEqual(value(v, "keyward_rs_jwks_fetches_total", reason="refresh",
                                   result="ok"), 1)  # the start-up warm-up
            self.assertEqual(value(v, "keyward_rs_jwks_fetches_total", reason="unknown_kid",
                                   result="ok"), 0)
            self.assertGreaterEqual(value(v, "keyward_rs_jwks_keys"), 1)
            self.assertEqual(value(v, "keyward_http_requests_total", route="/api/me",
                                   method="GET", status="200"), 2)
            self.assertEqual(value(v, "keyward_http_requests_total", route="/api/me",
                                   method="GET", status="401"), 2)
            self.assertEqual(value(v, "keyward_http_requests_total", route="/api/me",
                                   method="GET", status="400"), 1)
            self.assertEqual(value(v, "keyward_http_request_duration_seconds_count",
                                   route="/api/me", method="GET"), 5)
            self.assertEqual(types["keyward_rs_token_verifications"], "counter")
            self.assertGreater(value(v, "process_resident_memory_bytes"), 0)
            for (name, labels), _ in v.items():
                for k, val in labels:
                    self.assertNotIn(QUERY_SECRET, val)
                    self.assertNotIn(access_token[:20], val)
            self.assertNotIn(QUERY_SECRET, rs.text())

            # A client behind the trusted proxy (loopback) is not allowed.
            status, _, body = request(rs.url + "/metrics",
                                      headers={"X-Forwarded-For": "198.51.100.3"})
            self.assertEqual(status, 404)
            self.assertEqual(json.loads(body), NOT_FOUND)
        finally:
            rs.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
