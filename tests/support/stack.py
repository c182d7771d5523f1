"""Starts real Keyward processes for black-box tests written in Python.

Everything here runs real binaries over loopback: keyward, nginx through
scripts/frontdoor.sh (the configuration we ship), and, when a test needs one of
its own, a private PostgreSQL cluster through scripts/pg.sh.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

SOURCE_DIR = os.environ.get("KEYWARD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("KEYWARD_BUILD_DIR") or os.path.join(SOURCE_DIR, "build", "test")
KEYWARD = os.path.join(BUILD_DIR, "server", "keyward")
# keyward plus the /__test/ routes (tests/http/support/test_routes.h); never shipped.
KEYWARD_TEST_SERVER = os.path.join(BUILD_DIR, "tests", "http", "support", "keyward-test-server")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own, so the test may stop and start it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="keyward-pg-")
        os.chmod(self.dir, 0o755)
        self.env = dict(os.environ, KEYWARD_PG_DIR=self.dir, KEYWARD_PG_PORT=str(free_port()))

    def _pg(self, verb):
        return subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "pg.sh"), verb],
                              env=self.env, check=True, capture_output=True, text=True).stdout

    def start(self):
        self._pg("start")
        return self

    def stop(self):
        self._pg("stop")

    def url(self):
        return self._pg("url").strip()

    def destroy(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Keyward:
    """`keyward serve` on an ephemeral loopback port; its log is kept for assertions.
    test_routes=True runs keyward-test-server instead (the same server plus /__test/)."""

    def __init__(self, database_url, env=None, data_dir=None, test_routes=False):
        self.binary = KEYWARD_TEST_SERVER if test_routes else KEYWARD
        self.tmp = tempfile.mkdtemp(prefix="keyward-srv-")
        self.log_path = os.path.join(self.tmp, "keyward.log")
        self.env = dict(os.environ)
        self.env.update({
            "KEYWARD_DATABASE_URL": database_url,
            "KEYWARD_LISTEN": "127.0.0.1:0",
            "KEYWARD_DATA_DIR": data_dir or self.tmp,
            "KEYWARD_MIGRATIONS_DIR": os.path.join(SOURCE_DIR, "migrations"),
            "KEYWARD_TEMPLATES_DIR": os.path.join(SOURCE_DIR, "templates"),
            # Fixed, so every server on a shared test database opens the keys the first sealed.
            "KEYWARD_MASTER_KEY": "7" * 64,
        })
        self.env.update(env or {})
        self.proc = None
        self.port = None

    def run(self, *args, input=None, check=True):
        return subprocess.run([KEYWARD, *args], env=self.env, input=input, capture_output=True,
                              text=True, check=check)

    def start(self, timeout=20):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

        def listening():
            for line in self.lines():
                m = re.search(r'"address":"127\.0\.0\.1:(\d+)"', line)
                if m and '"listening"' in line:
                    return int(m.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError("keyward exited: " + open(self.log_path).read())
            return None

        self.port = wait_for(listening, timeout)
        if not self.port:
            raise RuntimeError("keyward did not start: " + open(self.log_path).read())
        self.issuer = self.env.get("KEYWARD_ISSUER", "http://localhost:8080")
        return self

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def lines(self):
        with open(self.log_path) as f:
            return f.read().splitlines()

    def json_lines(self):
        out = []
        for line in self.lines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class FrontDoor:
    """nginx rendered from docker/nginx/nginx.conf.template, as run.sh starts it.
    `env` adds settings of scripts/frontdoor.sh (KEYWARD_FRONTDOOR_*, KEYWARD_ISSUER)."""

    def __init__(self, keyward_address, rs_address="127.0.0.1:9", env=None):
        self.state = tempfile.mkdtemp(prefix="keyward-nginx-")
        os.chmod(self.state, 0o755)
        self.port = free_port()
        self.keyward_address = keyward_address
        self.rs_address = rs_address
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
        self.env.update(env or {})
        self.scheme = "https" if self.env.get("KEYWARD_ISSUER", "").startswith("https://") \
            else "http"

    def start(self):
        r = subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "frontdoor.sh"), "start",
                            self.state, f"127.0.0.1:{self.port}", self.keyward_address,
                            self.rs_address], env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("frontdoor.sh start failed: " + r.stdout + r.stderr)
        return self

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def access_log(self):
        with open(os.path.join(self.state, "access.log")) as f:
            return f.read().splitlines()

    def stop(self):
        subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "frontdoor.sh"), "stop",
                        self.state], capture_output=True)
        shutil.rmtree(self.state, ignore_errors=True)


def raw_request(port, data, timeout=5.0):
    """Sends raw bytes and returns (status, headers dict lower-cased, body) of the first response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/") else 0
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body
