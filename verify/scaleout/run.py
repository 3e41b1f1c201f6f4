#!/usr/bin/env python3
"""Scale-out on loopback: two `skriptoteket serve` processes on one PostgreSQL database, two
Docker engines (the local one, and a second `dockerd` this script starts on a TCP port with TLS
certificates it generates) and a local S3 server (moto) for uploads and artifacts. It checks:

1. 60 runs submitted alternately to both servers all finish exactly once, spread over both
   engines, and every artifact downloads through either server;
2. an event stream on server B shows the live output of a run executing on server A;
3. server B killed with `kill -9` while running runs: they are settled by A within the lease
   bound, and the runs queued meanwhile finish on A;
4. the second engine killed mid-run: its runs fail as `engine_unavailable`, later runs go to
   the first engine, `/api/ready` and `/metrics` show it down;
5. nothing is left behind: no container of ours on either engine.

    python3 verify/scaleout/run.py        (make verify-scaleout, part of `make test`; ~1½ min)

Needs Docker, PostgreSQL (SKRIPTOTEKET_TEST_POSTGRES_URL), openssl and python3; builds the
debug binary unless SKRIPTOTEKET_BIN names one.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG = os.environ.get("SKRIPTOTEKET_TEST_POSTGRES_URL", "postgres://skt:skt@127.0.0.1:5432/skt")
ENGINE2_DIR = os.environ.get("SCALEOUT_ENGINE2_DIR", "/tmp/skt-scaleout-engine2")
ENGINE2_PORT = int(os.environ.get("SCALEOUT_ENGINE2_PORT", "23761"))
S3_PORT = int(os.environ.get("SCALEOUT_S3_PORT", "9467"))
PASSWORD = "verify-password-123"
SECRET = "scaleout-secret-scaleout-secret-scaleout"
# The default lease, so the bound measured here is the documented one (docs/operations.md).
LEASE_SECONDS = int(os.environ.get("SCALEOUT_LEASE_SECONDS", "30"))
LOCAL = "unix:///var/run/docker.sock"
REMOTE = f"tcp://127.0.0.1:{ENGINE2_PORT}"

QUICK = '''import sys


def run_tool(input_dir, output_dir):
    with open(f"{output_dir}/svar.txt", "w") as f:
        f.write("hej")
    print("klar")
    return "klar"
'''
TALKER = '''import sys
import time


def run_tool(input_dir, output_dir):
    for n in range(8):
        print(f"rad {n}", flush=True)
        time.sleep(0.5)
    return "pratade klart"
'''
SLEEPER = '''import time


def run_tool(input_dir, output_dir):
    time.sleep(60)
    return "vaknade"
'''

WORK = tempfile.mkdtemp(prefix="skt-scaleout.")
SERVERS = []


def log(message):
    print(f"\033[1m[{time.strftime('%H:%M:%S')}]\033[0m {message}", file=sys.stderr, flush=True)


class Fail(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Fail(message)


def sh(*args, env=None, check_status=True):
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if check_status and result.returncode != 0:
        raise Fail(f"{' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout.strip()


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, token=None, body=None, form=None, timeout=60):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        boundary = "scaleout-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in form.items()]
        data = ("".join(parts) + f"--{boundary}--\r\n").encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def api(method, url, token=None, body=None, form=None, expect=(200, 201, 202, 204)):
    status, raw = http(method, url, token, body, form)
    check(status in expect, f"{method} {url} answered {status}: {raw[:500]!r}")
    return json.loads(raw) if raw else None


class Server:
    def __init__(self, name, engines, extra=None):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(WORK, name)
        self.engines = engines
        self.extra = extra or {}
        self.process = None
        SERVERS.append(self)

    def start(self, binary, database_url, s3_env):
        os.makedirs(self.data, exist_ok=True)
        env = dict(os.environ)
        env.update(s3_env)
        env.update({
            "SKRIPTOTEKET_BIND": f"127.0.0.1:{self.port}",
            "SKRIPTOTEKET_DATA_DIR": self.data,
            "SKRIPTOTEKET_INSTANCE": f"scaleout-{self.name}",
            "DATABASE_URL": database_url,
            "SKRIPTOTEKET_JWT_SECRET": SECRET,
            "SKRIPTOTEKET_BOOTSTRAP_EMAIL": "root@verify.se",
            "SKRIPTOTEKET_BOOTSTRAP_PASSWORD": PASSWORD,
            "SKRIPTOTEKET_SEED": "false",
            "SKRIPTOTEKET_SPA_DIR": os.path.join(WORK, "no-spa"),
            "SKRIPTOTEKET_SHUTDOWN_GRACE_SECONDS": "2",
            "SKRIPTOTEKET_LEASE_SECONDS": str(LEASE_SECONDS),
            "RUNNER_DOCKER_HOSTS": self.engines,
            "RUNNER_MAX_QUEUE": "500",
            "RUNNER_MAX_ACTIVE_PER_USER": "500",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
        })
        env.update(self.extra)
        self.log = open(os.path.join(WORK, f"{self.name}.log"), "ab")
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            check(self.process.poll() is None, f"server {self.name} exited at start-up (see {self.log.name})")
            try:
                if http("GET", f"{self.base}/api/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise Fail(f"server {self.name} did not answer within 60 s")

    def signal(self, sig):
        self.process.send_signal(sig)

    def kill9(self):
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def metrics(self):
        status, raw = http("GET", f"{self.base}/metrics")
        check(status == 200, f"metrics of {self.name}: {status}")
        return raw.decode()


def engine_runs(servers):
    """Runs each engine took, summed over the servers' metrics."""
    total = {}
    for server in servers:
        if server.process.poll() is not None:
            continue
        for engine, n in re.findall(r'skriptoteket_engine_runs_total\{engine="([^"]+)"\} (\d+)', server.metrics()):
            total[engine] = total.get(engine, 0) + int(n)
    return total


def publish(base, token, slug, source):
    created = api("POST", f"{base}/api/admin/tools", token, {"title": f"Scale {slug}", "summary": "scale-out", "slug": slug})
    tool, version = created["tool"]["id"], created["draft"]["id"]
    cat = api("GET", f"{base}/api/categories", token)[0]["id"]
    prof = api("GET", f"{base}/api/professions", token)[0]["id"]
    api("PATCH", f"{base}/api/admin/tools/{tool}", token, {"category_ids": [cat], "profession_ids": [prof]})
    api("PUT", f"{base}/api/admin/tool-versions/{version}", token,
        {"source": source, "expected_revision": created["draft"]["revision"]})
    api("POST", f"{base}/api/admin/tool-versions/{version}/submit-review", token)
    api("POST", f"{base}/api/admin/tool-versions/{version}/publish", token)


def start_run(base, token, slug):
    return api("POST", f"{base}/api/tools/{slug}/run", token, form={"inputs": "{}"}, expect=(202,))["id"]


def wait_runs(base, token, ids, seconds):
    deadline = time.time() + seconds
    pending = set(ids)
    done = {}
    while pending and time.time() < deadline:
        for run_id in list(pending):
            run = api("GET", f"{base}/api/runs/{run_id}", token)
            if run["status"] not in ("queued", "running"):
                done[run_id] = run
                pending.discard(run_id)
        if pending:
            time.sleep(0.3)
    check(not pending, f"{len(pending)} runs did not end within {seconds} s")
    return done


def wait_status(base, token, run_id, wanted, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        run = api("GET", f"{base}/api/runs/{run_id}", token)
        if run["status"] == wanted:
            return run
        time.sleep(0.2)
    raise Fail(f"run {run_id} did not become {wanted} within {seconds} s (it is {run['status']})")


def follow(base, token, run_id, events):
    """Reads the run's event stream into `events` as (seconds, event, data) until it ends."""
    request = urllib.request.Request(f"{base}/api/runs/{run_id}/events", headers={"Authorization": f"Bearer {token}"})
    event = None
    with urllib.request.urlopen(request, timeout=120) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                events.append((time.time(), event, line[5:].strip()))
                if event == "run":
                    return


def our_containers(docker_env=None, instance="scaleout-"):
    """Our containers on an engine (the local one, or the one `docker_env` names), by instance."""
    out = sh("docker", "ps", "-a", "--filter", "label=org.skriptoteket.instance", "--format",
             '{{.Label "org.skriptoteket.instance"}}', env=docker_env, check_status=False)
    return [line for line in out.splitlines() if line.startswith(instance)]


def main():
    binary = os.environ.get("SKRIPTOTEKET_BIN")
    if not binary:
        sh("cargo", "build", "-q", "-p", "skriptoteket-server")
        binary = os.path.join(REPO, "target/debug/skriptoteket")

    log("starting the second engine (dockerd over TLS) and the S3 server")
    certs = sh("bash", os.path.join(REPO, "scripts/ci/start-tls-dockerd.sh"), ENGINE2_DIR, str(ENGINE2_PORT))
    engine2_env = dict(os.environ, DOCKER_HOST=REMOTE, DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=certs)
    endpoint = sh("bash", os.path.join(REPO, "scripts/ci/start-s3.sh"), str(S3_PORT))
    bucket = f"scaleout-{uuid.uuid4().hex[:12]}"
    status, raw = http("PUT", f"{endpoint}/{bucket}")
    check(status == 200, f"creating the bucket answered {status}: {raw[:200]!r}")
    s3_env = {"STORAGE_URL": f"s3://{bucket}/skt", "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
              "AWS_ACCESS_KEY_ID": "scaleout", "AWS_SECRET_ACCESS_KEY": "scaleout"}

    schema = f"scaleout_{uuid.uuid4().hex[:12]}"
    sh("psql", PG, "-qc", f"CREATE SCHEMA {schema}")
    database_url = f"{PG}?options=-c%20search_path%3D{schema}"
    try:
        run_checks(binary, database_url, s3_env, certs, engine2_env, endpoint, bucket)
    finally:
        for server in SERVERS:
            server.stop()
        sh("psql", PG, "-qc", f"DROP SCHEMA {schema} CASCADE", check_status=False)
        sh("bash", os.path.join(REPO, "scripts/ci/stop-tls-dockerd.sh"), ENGINE2_DIR, "--purge", check_status=False)
        sh("bash", os.path.join(REPO, "scripts/ci/stop-s3.sh"), str(S3_PORT), check_status=False)


def run_checks(binary, database_url, s3_env, certs, engine2_env, endpoint, bucket):
    engines = f"{LOCAL}=2,{REMOTE}?certs={certs}=2"
    a, b = Server("a", engines), Server("b", engines)
    a.start(binary, database_url, s3_env)
    b.start(binary, database_url, s3_env)
    token = api("POST", f"{a.base}/api/auth/login", body={"email": "root@verify.se", "password": PASSWORD})["access_token"]
    publish(a.base, token, "snabb", QUICK)
    publish(a.base, token, "pratsam", TALKER)
    publish(a.base, token, "sovande", SLEEPER)

    # 1. 60 runs, alternately to A and B.
    log("1. 60 runs submitted alternately to both servers")
    started = time.time()
    ids = [start_run((a, b)[n % 2].base, token, "snabb") for n in range(60)]
    done = wait_runs(a.base, token, ids, 300)
    elapsed = time.time() - started
    check(all(r["status"] == "succeeded" for r in done.values()),
          f"not all succeeded: {[(i, r['status'], r.get('error_summary')) for i, r in done.items() if r['status'] != 'succeeded']}")
    listed = api("GET", f"{b.base}/api/runs?all=true&limit=100", token)
    check(listed["total"] == 60, f"{listed['total']} runs stored, not 60")
    check(all(r["stdout"] == "klar\n" for r in done.values()), "a run's output is not exactly one run's")
    spread = engine_runs([a, b])
    check(spread.get(LOCAL, 0) >= 5 and spread.get(REMOTE, 0) >= 5, f"the runs were not spread over both engines: {spread}")
    for run_id, run in done.items():
        url = run["artifacts"][0]["download_url"]
        for server in (a, b):
            status, raw = http("GET", f"{server.base}{url}", token)
            check((status, raw) == (200, b"hej"), f"the artifact of {run_id} through {server.name}: {status} {raw[:80]!r}")
    log(f"   60/60 succeeded once in {elapsed:.1f} s, engines {spread}, 120/120 downloads through either server")

    # 2. Live output of a run on A, followed through B.
    log("2. an event stream on B follows a run executing on A")
    b.signal(signal.SIGSTOP)  # B cannot claim it
    talker = start_run(a.base, token, "pratsam")
    wait_status(a.base, token, talker, "running", 30)
    b.signal(signal.SIGCONT)
    events = []
    follower = threading.Thread(target=follow, args=(b.base, token, talker, events), daemon=True)
    follower.start()
    follower.join(60)
    outputs = [e for e in events if e[1] == "output"]
    ends = [e for e in events if e[1] != "output" and '"succeeded"' in e[2]]
    check(outputs, f"no live output reached B: {events}")
    check(ends and outputs[0][0] < ends[-1][0] - 1.0, f"the output did not arrive while the run went: {events}")
    log(f"   {len(outputs)} output events on B, the first {ends[-1][0] - outputs[0][0]:.1f} s before the end")

    # 3. B dies with runs running; queued runs are taken by A.
    log("3. kill -9 of server B with runs running and queued")
    a.signal(signal.SIGSTOP)
    sleeping = [start_run(b.base, token, "sovande") for _ in range(4)]
    for run_id in sleeping:
        wait_status(b.base, token, run_id, "running", 60)
    queued = [start_run(b.base, token, "snabb") for _ in range(3)]
    b.kill9()
    killed_at = time.time()
    a.signal(signal.SIGCONT)
    settled = wait_runs(a.base, token, sleeping, LEASE_SECONDS * 3)
    bound = time.time() - killed_at
    check(all(r["status"] == "failed" and r["error_code"] == "interrupted" for r in settled.values()),
          f"B's runs did not end as interrupted: {[(r['status'], r['error_code']) for r in settled.values()]}")
    finished = wait_runs(a.base, token, queued, 120)
    check(all(r["status"] == "succeeded" for r in finished.values()), "the queued runs did not finish on A")
    deadline = time.time() + LEASE_SECONDS * 2
    while time.time() < deadline and (our_containers(None, "scaleout-b") or our_containers(engine2_env, "scaleout-b")):
        time.sleep(0.5)
    left = our_containers(None, "scaleout-b") + our_containers(engine2_env, "scaleout-b")
    check(not left, f"the dead server's containers were not reaped: {left}")
    log(f"   B's 4 runs settled {bound:.1f} s after the kill (lease {LEASE_SECONDS} s), its containers reaped "
        "on both engines; 3/3 queued runs finished on A")

    # 4. The second engine dies mid-run.
    log("4. the second engine killed mid-run")
    before = engine_runs([a]).get(LOCAL, 0)
    long_runs = [start_run(a.base, token, "sovande") for _ in range(4)]
    for run_id in long_runs:
        wait_status(a.base, token, run_id, "running", 60)
    pid = open(os.path.join(ENGINE2_DIR, "pid")).read().strip()
    sh("kill", "-9", pid)
    deadline = time.time() + 30
    while time.time() < deadline:
        runs = [api("GET", f"{a.base}/api/runs/{i}", token) for i in long_runs]
        if sum(r["error_code"] == "engine_unavailable" for r in runs) >= 2:
            break
        time.sleep(0.5)
    codes = [r["error_code"] for r in runs]
    check(codes.count("engine_unavailable") == 2, f"the second engine's runs did not end clearly: {codes}")
    ready = json.loads(http("GET", f"{a.base}/api/ready")[1])
    engine_checks = {c["name"]: c["ok"] for c in ready["checks"] if c["name"].startswith("engine:")}
    check(engine_checks.get(f"engine:{REMOTE}") is False and engine_checks.get(f"engine:{LOCAL}") is True,
          f"/api/ready does not show the second engine down: {ready}")
    check(f'skriptoteket_engine_up{{engine="{REMOTE}"}} 0' in a.metrics(), "/metrics does not show it down")
    for run_id in long_runs:
        api("POST", f"{a.base}/api/runs/{run_id}/cancel", token)
    later = [start_run(a.base, token, "snabb") for _ in range(4)]
    after = wait_runs(a.base, token, later, 120)
    check(all(r["status"] == "succeeded" for r in after.values()), "later runs did not succeed on the first engine")
    check(engine_runs([a]).get(LOCAL, 0) >= before + 4 + 2, f"later runs did not go to the first engine: {engine_runs([a])}")
    log("   2 runs on the dead engine ended as engine_unavailable; ready and metrics show it down; 4/4 later runs on the first")

    # 5. Nothing left behind.
    a.stop()
    deadline = time.time() + 20
    while time.time() < deadline and our_containers():
        time.sleep(0.5)
    check(not our_containers(), f"containers of ours are left on the first engine: {our_containers()}")
    log("scale-out passed")


if __name__ == "__main__":
    try:
        main()
    except Fail as e:
        log(f"FAIL: {e}")
        log(f"logs kept in {WORK}")
        sys.exit(1)
    shutil.rmtree(WORK, ignore_errors=True)
