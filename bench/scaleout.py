#!/usr/bin/env python3
"""Throughput of the multi-machine layout on this machine: 1 vs 2 servers (one PostgreSQL
database) and 1 vs 2 engines (the local one and a `dockerd` over TLS), with S3 storage.

Each configuration starts fresh servers, submits RUNS quick runs (each writes an artifact) from
parallel clients spread over the servers, and measures from the first submission until the last
run ended. Uses the set-up of verify/scaleout/run.py. Numbers go to docs/performance.md.

    python3 bench/scaleout.py            (RUNS=60 PER_ENGINE=2 WAIT=0 by default; ~3 min)
"""

import concurrent.futures
import importlib.util
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("scaleout", os.path.join(HERE, "..", "verify", "scaleout", "run.py"))
so = importlib.util.module_from_spec(spec)
spec.loader.exec_module(so)

RUNS = int(os.environ.get("RUNS", "60"))
PER_ENGINE = int(os.environ.get("PER_ENGINE", "2"))
# Seconds each run waits (as a tool waiting on I/O would): 0 measures the machine's CPU, more
# measures the runner slots the layout adds.
WAIT = float(os.environ.get("WAIT", "0"))
TOOL = so.QUICK if WAIT == 0 else so.QUICK.replace("import sys", "import sys\nimport time").replace(
    "def run_tool(input_dir, output_dir):\n", f"def run_tool(input_dir, output_dir):\n    time.sleep({WAIT})\n")


def measure(binary, database_url, s3_env, engines, servers, label):
    started_servers = []
    for n in range(servers):
        server = so.Server(f"bench{n}-{uuid.uuid4().hex[:6]}", engines)
        server.start(binary, database_url, s3_env)
        started_servers.append(server)
    try:
        base = started_servers[0].base
        token = so.api("POST", f"{base}/api/auth/login", body={"email": "root@verify.se", "password": so.PASSWORD})["access_token"]
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        so.publish(base, token, slug, TOOL)
        # Warm-up: every server and engine has run something (pools filled, image cached).
        so.wait_runs(base, token, [so.start_run(s.base, token, slug) for s in started_servers for _ in range(2)], 120)
        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(lambda n: so.start_run(started_servers[n % servers].base, token, slug), range(RUNS)))
        done = so.wait_runs(base, token, ids, 600)
        elapsed = time.time() - started
        so.check(all(r["status"] == "succeeded" for r in done.values()), "a benchmark run failed")
        rate = RUNS / elapsed
        so.log(f"{label}: {RUNS} runs in {elapsed:.1f} s = {rate:.2f} runs/s")
        return rate
    finally:
        for server in started_servers:
            server.stop()


def main():
    binary = os.environ.get("SKRIPTOTEKET_BIN") or os.path.join(so.REPO, "target/release/skriptoteket")
    if not os.environ.get("SKRIPTOTEKET_BIN"):
        so.sh("cargo", "build", "-q", "--release", "-p", "skriptoteket-server")
    certs = so.sh("bash", os.path.join(so.REPO, "scripts/ci/start-tls-dockerd.sh"), so.ENGINE2_DIR, str(so.ENGINE2_PORT))
    endpoint = so.sh("bash", os.path.join(so.REPO, "scripts/ci/start-s3.sh"), str(so.S3_PORT))
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    so.http("PUT", f"{endpoint}/{bucket}")
    s3_env = {"STORAGE_URL": f"s3://{bucket}/skt", "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
              "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    one = f"{so.LOCAL}={PER_ENGINE}"
    two = f"{so.LOCAL}={PER_ENGINE},{so.REMOTE}?certs={certs}={PER_ENGINE}"
    results = []
    try:
        for servers, engines, label in [(1, one, "1 server, 1 engine"), (1, two, "1 server, 2 engines"),
                                        (2, one, "2 servers, 1 engine"), (2, two, "2 servers, 2 engines")]:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            so.sh("psql", so.PG, "-qc", f"CREATE SCHEMA {schema}")
            try:
                url = f"{so.PG}?options=-c%20search_path%3D{schema}"
                results.append((label, measure(binary, url, s3_env, engines, servers, label)))
            finally:
                so.sh("psql", so.PG, "-qc", f"DROP SCHEMA {schema} CASCADE", check_status=False)
    finally:
        so.sh("bash", os.path.join(so.REPO, "scripts/ci/stop-tls-dockerd.sh"), so.ENGINE2_DIR, "--purge", check_status=False)
        so.sh("bash", os.path.join(so.REPO, "scripts/ci/stop-s3.sh"), str(so.S3_PORT), check_status=False)
    print(f"\n| layout ({PER_ENGINE} at once per engine and server, {RUNS} runs waiting {WAIT} s each, S3) | runs/s |")
    print("|---|---|")
    for label, rate in results:
        print(f"| {label} | {rate:.2f} |")


if __name__ == "__main__":
    try:
        main()
    except so.Fail as e:
        so.log(f"FAIL: {e}")
        so.log(f"logs kept in {so.WORK}")
        sys.exit(1)
    import shutil

    shutil.rmtree(so.WORK, ignore_errors=True)
