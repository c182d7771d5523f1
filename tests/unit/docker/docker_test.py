"""Offline checks of docker/Dockerfile and docker/compose.yml (there is no Docker engine here).

- Debian's docker-compose v1 must accept compose.yml (`config`), and the normalised result must
  have the shape the quick start promises: PostgreSQL with a volume and a health check, keyward
  migrating then serving once PostgreSQL is healthy, the sample resource server, nginx rendered
  from docker/nginx/nginx.conf.template as the only published port, and the demo seed.
- dockerfile-utils (npm, tests/js) must find nothing to say about the Dockerfile, and must
  complain about a Dockerfile with a known mistake (so this test can fail).
- The Dockerfile builds on debian:12, runs on debian:12-slim as a non-root user with no -dev
  package, and copies only files that exist.
Exit status: 0 when every check passed; prints 'N passed, N failed'.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

SOURCE_DIR = os.environ.get("KEYWARD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DOCKER = os.path.join(SOURCE_DIR, "docker")
COMPOSE = os.path.join(DOCKER, "compose.yml")
DOCKERFILE = os.path.join(DOCKER, "Dockerfile")
LINTER = os.path.join(SOURCE_DIR, "tests", "js", "node_modules", ".bin", "dockerfile-utils")

results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            results.append((name, f"{type(e).__name__}: {e}"))
        return fn
    return wrap


def compose_config(env_extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KEYWARD_") and k != "POSTGRES_PASSWORD"}
    env.update(env_extra or {})
    r = subprocess.run(["docker-compose", "-f", COMPOSE, "config"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"docker-compose config failed: {r.stderr}"
    return yaml.safe_load(r.stdout)


def stage_lines():
    """The Dockerfile's instructions (continuations joined), split per stage."""
    text = open(DOCKERFILE).read()
    text = re.sub(r"\\\n", " ", text)
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    stages = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


@check("compose: docker-compose v1 accepts it, with and without secrets in the environment")
def _():
    compose_config()
    doc = compose_config({"KEYWARD_MASTER_KEY": "ab" * 32, "POSTGRES_PASSWORD": "s3cret"})
    env = doc["services"]["keyward"]["environment"]
    assert env["KEYWARD_MASTER_KEY"] == "ab" * 32, env
    assert "s3cret@postgres" in env["KEYWARD_DATABASE_URL"], env


@check("compose: the services of the quick start")
def _():
    s = compose_config()["services"]
    assert set(s) == {"postgres", "keyward", "resource-server", "nginx", "mail-catcher",
                      "demo-seed", "demo", "prometheus", "grafana"}, set(s)


@check("compose: postgres has a volume and a health check")
def _():
    doc = compose_config()
    pg = doc["services"]["postgres"]
    assert any(str(v).startswith("pgdata:/var/lib/postgresql/data") or
               (isinstance(v, dict) and v.get("target") == "/var/lib/postgresql/data")
               for v in pg["volumes"]), pg["volumes"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"]), pg["healthcheck"]
    assert "pgdata" in doc["volumes"], doc["volumes"]


@check("compose: keyward migrates then serves, once postgres is healthy")
def _():
    kw = compose_config()["services"]["keyward"]
    assert kw["depends_on"] == {"postgres": {"condition": "service_healthy"}}, kw["depends_on"]
    assert kw["command"][-1] == "keyward migrate && exec keyward serve", kw["command"]
    assert kw["build"]["dockerfile"] in ("docker/Dockerfile", "Dockerfile"), kw["build"]
    assert os.path.realpath(kw["build"]["context"]) == os.path.realpath(SOURCE_DIR), kw["build"]
    assert "health/ready" in " ".join(kw["healthcheck"]["test"]), kw["healthcheck"]


@check("Dockerfile: the build stage copies every source folder the top CMakeLists.txt adds")
def _():
    top = open(os.path.join(SOURCE_DIR, "CMakeLists.txt")).read()
    top = re.sub(r"if\(KEYWARD_(BUILD_TESTS|FUZZ)\).*?endif\(\)", "", top, flags=re.S)
    folders = set(re.findall(r"^add_subdirectory\((\w+)\)", top, re.M))
    copied = {m.group(1) for line in stage_lines()[0]
              for m in [re.match(r"COPY (\w+) \./\1$", line)] if m}
    assert folders and folders <= copied, f"not copied: {sorted(folders - copied)}"


@check("compose: only nginx publishes a port (Pistache never faces clients), and the mail, "
       "Prometheus and Grafana UIs on loopback")
def _():
    s = compose_config()["services"]
    published = {name for name, svc in s.items() if svc.get("ports")}
    assert published == {"nginx", "mail-catcher", "prometheus", "grafana"}, published
    # The mail-catcher's web UI, on the host's loopback only; never its SMTP port.
    ports = [str(p) for p in s["mail-catcher"]["ports"]]
    assert ports and all("127.0.0.1" in p and "8025" in p and "1025" not in p
                         for p in ports), ports
    for name, port in (("prometheus", "9090"), ("grafana", "3000")):
        ports = [str(p) for p in s[name]["ports"]]
        assert ports and all("127.0.0.1" in p and port in p for p in ports), (name, ports)


@check("compose: Prometheus scrapes keyward and the resource server directly, the only address "
       "they serve /metrics to")
def _():
    s = compose_config()["services"]
    prom_ip = s["prometheus"]["networks"]["backend"]["ipv4_address"]
    assert s["keyward"]["environment"]["KEYWARD_METRICS_ALLOW"] == prom_ip + "/32"
    assert s["resource-server"]["environment"]["KEYWARD_RS_METRICS_ALLOW"] == prom_ip + "/32"
    config = yaml.safe_load(open(os.path.join(DOCKER, "prometheus", "prometheus.yml")))
    targets = {job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]]
               for job in config["scrape_configs"]}
    assert targets == {"keyward": [s["keyward"]["environment"]["KEYWARD_LISTEN"]],
                       "keyward-sample-rs": [s["resource-server"]["environment"]["KEYWARD_RS_LISTEN"]]}, targets
    mounts = [str(v.get("source", v)) if isinstance(v, dict) else str(v)
              for v in s["prometheus"]["volumes"]]
    assert any(m.endswith("docker/prometheus/prometheus.yml") or "prometheus.yml" in m
               for m in mounts), mounts


@check("compose: nginx never forwards /metrics")
def _():
    template = open(os.path.join(DOCKER, "nginx", "nginx.conf.template")).read()
    block = re.search(r"location = /metrics \{(.*?)\}", template, re.S)
    assert block and "return 404" in block.group(1) and "proxy_pass" not in block.group(1), block


@check("grafana: the provisioned data source and the dashboard's queries agree")
def _():
    grafana = os.path.join(DOCKER, "grafana")
    source = yaml.safe_load(open(os.path.join(grafana, "provisioning", "datasources", "prometheus.yml")))
    uid = source["datasources"][0]["uid"]
    assert source["datasources"][0]["url"] == "http://prometheus:9090", source
    provider = yaml.safe_load(open(os.path.join(grafana, "provisioning", "dashboards", "keyward.yml")))
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards", provider
    import json
    dash = json.load(open(os.path.join(grafana, "dashboards", "keyward.json")))
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    for p in dash["panels"]:
        assert p["datasource"]["uid"] == uid, p["title"]
    for metric in ("keyward_http_requests_total", "keyward_http_request_duration_seconds_bucket",
                   "keyward_events_total", "keyward_tokens_issued_total"):
        assert metric in exprs, metric
    assert "histogram_quantile(0.99" in exprs and 'status=~"5.."' in exprs


@check("compose: nginx renders the shipped template with scripts/frontdoor.sh, every placeholder filled")
def _():
    nginx = compose_config()["services"]["nginx"]
    mounts = {}
    for v in nginx["volumes"]:
        if isinstance(v, dict):
            mounts[v["target"]] = v["source"]
        else:
            source, target = v.split(":")[:2]
            mounts[target] = source
    template = mounts.get("/opt/keyward/docker/nginx/nginx.conf.template")
    script = mounts.get("/opt/keyward/scripts/frontdoor.sh")
    assert template and os.path.realpath(template) == os.path.realpath(
        os.path.join(DOCKER, "nginx", "nginx.conf.template")), mounts
    assert script and os.path.realpath(script) == os.path.realpath(
        os.path.join(SOURCE_DIR, "scripts", "frontdoor.sh")), mounts
    command = nginx["command"][-1]
    assert "frontdoor.sh render" in command and "exec nginx" in command, command
    # Run the rendering part of the command here, on the real script and template, with the
    # service's environment.
    render = command.split("&&")[1].strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    env.update(nginx["environment"])
    with tempfile.TemporaryDirectory() as tmp:
        render = render.replace("/opt/keyward/scripts/frontdoor.sh", shlex.quote(script))
        render = render.replace("/tmp/nginx/nginx.conf", os.path.join(tmp, "nginx.conf"))
        # The script reads the template beside it, as the mounts place it in the container.
        subprocess.run(["bash", "-c", render], check=True, env=env)
        rendered = open(os.path.join(tmp, "nginx.conf")).read()
    left = sorted(set(re.findall(r"@[A-Z_]+@", rendered)))
    assert not left, f"placeholders left: {left}"
    assert "server keyward:8081;" in rendered and "server resource-server:8082;" in rendered
    assert "access_log /dev/stdout keyward;" in rendered, "access log not on stdout"
    assert "listen 0.0.0.0:8080;" in rendered, "plain http for the default http issuer"
    assert nginx["depends_on"]["keyward"]["condition"] == "service_healthy", nginx["depends_on"]


@check("compose: with an https issuer nginx serves TLS with HSTS from docker/tls")
def _():
    nginx = compose_config({"KEYWARD_ISSUER": "https://id.example"})["services"]["nginx"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    env.update(nginx["environment"])
    assert env["KEYWARD_ISSUER"] == "https://id.example", env
    r = subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "frontdoor.sh"), "render",
                        "/tmp/nginx", "0.0.0.0:8080", "keyward:8081", "resource-server:8082"],
                       env=env, capture_output=True, text=True, check=True)
    assert "listen 0.0.0.0:8080 ssl;" in r.stdout, r.stdout
    assert "ssl_certificate     /etc/keyward/tls/fullchain.pem;" in r.stdout
    assert 'add_header Strict-Transport-Security "max-age=63072000" always;' in r.stdout
    assert any(str(v).endswith(":/etc/keyward/tls:ro") or
               (isinstance(v, dict) and v.get("target") == "/etc/keyward/tls")
               for v in nginx["volumes"]), nginx["volumes"]


@check("frontdoor.sh: every limit is a setting, and a bad one stops the rendering")
def _():
    script = os.path.join(SOURCE_DIR, "scripts", "frontdoor.sh")
    args = ["bash", script, "render", "/tmp/nginx", "127.0.0.1:8080", "k:1", "r:2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    defaults = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    for line in ("limit_conn keyward_conn 64;", "client_body_timeout 5s;",
                 "zone=keyward_token:10m rate=20r/s;", "zone=keyward_token burst=40 nodelay;",
                 "zone=keyward_introspect:10m rate=100r/s;", "zone=keyward_revoke:10m rate=10r/s;",
                 "zone=keyward_authorize:10m rate=10r/s;", "zone=keyward_login:10m rate=5r/s;"):
        assert line in defaults, line
    raised = subprocess.run(args, env=dict(env, KEYWARD_FRONTDOOR_TOKEN_RATE="900",
                                           KEYWARD_FRONTDOOR_CONN_LIMIT="500"),
                            capture_output=True, text=True, check=True).stdout
    assert "rate=900r/s" in raised and "limit_conn keyward_conn 500;" in raised
    for bad in ("0", "abc", "10r/s", "1;evil"):
        r = subprocess.run(args, env=dict(env, KEYWARD_FRONTDOOR_LOGIN_BURST=bad),
                           capture_output=True, text=True)
        assert r.returncode == 2 and "KEYWARD_FRONTDOOR_LOGIN_BURST" in r.stderr, (bad, r)


@check("compose: Grafana is off the internal network; Prometheus, which it reads, is on its "
       "network too")
def _():
    doc = compose_config()
    s, networks = doc["services"], doc.get("networks", {})
    internal = {name for name, n in networks.items() if (n or {}).get("internal")}
    grafana = set(s["grafana"]["networks"])
    assert grafana and not grafana & internal, f"grafana is on {grafana}; internal: {internal}"
    assert grafana & set(s["prometheus"]["networks"]), (grafana, s["prometheus"]["networks"])


@check("compose: keyward and the resource server only on an internal network, not on 0.0.0.0")
def _():
    doc = compose_config()
    s, networks = doc["services"], doc.get("networks", {})
    internal = {name for name, n in networks.items() if (n or {}).get("internal")}
    assert internal, f"no internal network: {networks}"
    for name in ("keyward", "resource-server", "postgres", "demo-seed", "demo"):
        joined = set(s[name].get("networks") or {"default"})
        assert joined and joined <= internal, f"{name} is on {joined}, not only on {internal}"
        assert not s[name].get("ports"), f"{name} publishes {s[name]['ports']}"
    # nginx is the bridge: on the internal network and on one that can publish its port.
    nginx_networks = set(s["nginx"]["networks"])
    assert nginx_networks & internal and nginx_networks - internal, nginx_networks
    for name, var in (("keyward", "KEYWARD_LISTEN"), ("resource-server", "KEYWARD_RS_LISTEN")):
        listen = s[name]["environment"][var]
        host = listen.rsplit(":", 1)[0]
        assert host not in ("0.0.0.0", "::", "[::]", ""), f"{name} binds {listen}"
        address = next(iter(s[name]["networks"].values()))["ipv4_address"]
        assert host == address, f"{name} binds {listen}, its address is {address}"
        health = " ".join(s[name]["healthcheck"]["test"])
        assert f"http://{listen}/health/ready" in health, health


@check("compose: keyward and the resource server trust X-Forwarded-For from nginx alone")
def _():
    s = compose_config()["services"]
    nginx_ip = next(n["ipv4_address"] for n in s["nginx"]["networks"].values()
                    if n and "ipv4_address" in n)
    for name, var in (("keyward", "KEYWARD_TRUSTED_PROXIES"),
                      ("resource-server", "KEYWARD_RS_TRUSTED_PROXIES")):
        trusted = s[name]["environment"][var]
        assert trusted in (nginx_ip, nginx_ip + "/32"), f"{name} trusts {trusted}, nginx is {nginx_ip}"


@check("compose: the resource server verifies keyward's tokens for the seeded audience")
def _():
    s = compose_config()["services"]
    rs_env = s["resource-server"]["environment"]
    assert rs_env["KEYWARD_RS_ISSUER"] == s["keyward"]["environment"]["KEYWARD_ISSUER"], rs_env
    assert rs_env["KEYWARD_RS_JWKS_URI"] == "http://keyward:8081/jwks", rs_env
    assert s["resource-server"]["command"] == ["keyward-sample-rs"], s["resource-server"]
    assert s["resource-server"]["depends_on"]["keyward"]["condition"] == "service_healthy"


@check("compose: the demo seed runs once keyward is up, the demo after the seed")
def _():
    s = compose_config()["services"]
    seed = s["demo-seed"]
    assert seed["command"][:2] == ["bash", "/opt/keyward/scripts/seed-demo.sh"], seed["command"]
    assert seed["depends_on"]["keyward"]["condition"] == "service_healthy", seed
    # Same data volume as keyward: the development master key keys the client secrets.
    kw_data = [v for v in s["keyward"]["volumes"] if "/var/lib/keyward" in str(v)]
    assert kw_data and all(v in seed["volumes"] for v in kw_data), (kw_data, seed["volumes"])
    demo = s["demo"]
    assert demo["depends_on"]["demo-seed"]["condition"] == "service_completed_successfully"
    assert demo["environment"]["KEYWARD_DEMO_ENV"].startswith("/var/lib/keyward-demo/")


@check("Dockerfile: builds on debian:12, runs on debian:12-slim as a non-root user")
def _():
    stages = stage_lines()
    assert len(stages) == 2, [s[0] for s in stages]
    assert stages[0][0] == "FROM debian:12 AS build", stages[0][0]
    assert stages[1][0] == "FROM debian:12-slim AS runtime", stages[1][0]
    users = [l.split()[1] for l in stages[1] if l.upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), users
    runtime_installs = " ".join(l for l in stages[1] if "apt-get install" in l)
    assert "apt-get install" in runtime_installs
    assert not re.search(r"\S+-dev\b", runtime_installs), runtime_installs
    assert "--no-install-recommends" in runtime_installs
    assert any(l.startswith("COPY --from=build ") for l in stages[1])


@check("Dockerfile: every COPY source is tracked by git (a fresh clone has it)")
def _():
    tracked = subprocess.run(["git", "-C", SOURCE_DIR, "ls-files"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    for stage in stage_lines():
        for line in stage:
            if not line.upper().startswith("COPY ") or "--from=" in line:
                continue
            for src in line.split()[1:-1]:
                src = src.rstrip("/")
                assert any(t == src or t.startswith(src + "/") for t in tracked), \
                    f"{src} is not in git: the image build would not find it"


@check("Dockerfile: the runtime libraries are the ones the build links")
def _():
    stages = stage_lines()
    build = " ".join(stages[0])
    runtime = " ".join(stages[1])
    for dev, lib in [("libssl-dev", "libssl3"), ("libpistache-dev", "libpistache0"),
                     ("libpqxx-dev", "libpqxx-6.4"), ("libpq-dev", "libpq5"),
                     ("libargon2-dev", "libargon2-1"), ("liburiparser-dev", "liburiparser1"),
                     ("libcurl4-openssl-dev", "libcurl4")]:
        assert dev in build, dev
        assert re.search(r"\b" + re.escape(lib) + r"\b", runtime), lib
    # And the build stage asks for every package scripts/bootstrap.sh lists as a build library.
    bootstrap = open(os.path.join(SOURCE_DIR, "scripts", "bootstrap.sh")).read()
    for pkg in re.findall(r"\b(lib[a-z0-9.+-]+-dev)\b", bootstrap):
        if pkg in ("libgtest-dev", "libgmock-dev"):
            continue
        assert pkg in build, f"{pkg} is in bootstrap.sh but not in the build stage"


@check("dockerfile-utils lint: nothing to say about docker/Dockerfile")
def _():
    assert os.path.exists(LINTER), "dockerfile-utils is missing: run `npm ci` in tests/js " \
                                   "(scripts/test.sh does)"
    r = subprocess.run([LINTER, "lint", DOCKERFILE], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", \
        r.stdout + r.stderr


@check("dockerfile-utils lint: a Dockerfile with two CMDs in one stage is flagged")
def _():
    assert os.path.exists(LINTER), "dockerfile-utils is missing: run `npm ci` in tests/js"
    with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", delete=False) as f:
        f.write("FROM debian:12-slim\nCMD [\"a\"]\nCMD [\"b\"]\n")
    try:
        r = subprocess.run([LINTER, "lint", f.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    assert "only be one CMD" in r.stdout, r.stdout + r.stderr


failed = [(n, e) for n, e in results if e]
for name, error in results:
    print(("FAIL " if error else "ok   ") + name + (f"\n     {error}" if error else ""))
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
