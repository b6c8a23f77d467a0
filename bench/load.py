"""A load run: 8 store staff at once against gunicorn, on a database of bench/run.py.

    .venv/bin/python bench/load.py --db postgres --customers 1000000 [--users 8] [--seconds 60]

Uses the database bench/run.py seeded for that size (run that first), serves it with
gunicorn as in production (DEBUG off, HTTPS with a throwaway certificate, on loopback
only), and runs bench/locustfile.py headless for a bounded time. Prints a Markdown table of
requests per second, p50, p95 and errors per kind of request.
"""

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# The project before bench/, whose loyalty.py would hide the loyalty app.
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from run import configure  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    configure(args)
    with tempfile.TemporaryDirectory() as scratch, served(args, scratch) as (host, environment):
        stats = run_locust("locustfile.py", args, host, environment, scratch)
        report(stats, args)


@contextmanager
def served(args, scratch, *, tls=True, **more_environment):
    """gunicorn serving the project as in production, on loopback: yields its address and
    the environment it runs with. With ``tls``, over HTTPS with a throwaway certificate
    (staff's session cookies are sent over HTTPS only); without, plain HTTP, as behind a
    proxy that ends TLS (a sync worker closes each connection, so every request would
    otherwise pay a TLS handshake: 55 ms of the 70 ms of an API read here)."""
    environment = {
        **os.environ, "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CONN_MAX_AGE": "60",
        **more_environment,
    }  # fmt: skip
    certificate, key = Path(scratch, "cert.pem"), Path(scratch, "key.pem")
    if tls:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True,
        )  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=BENCH.parent, env=environment, check=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "backoffice.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "120",
         *(["--certfile", str(certificate), "--keyfile", str(key)] if tls else [])],
        cwd=BENCH.parent, env=environment, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(3)
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}", environment
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_locust(locustfile, args, host, environment, scratch):
    """Run ``bench/<locustfile>`` headless with ``args.users`` users for ``args.seconds``:
    the path of its statistics CSV."""
    stats = Path(scratch, "stats")
    subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", str(BENCH / locustfile),
         "--headless", "--users", str(args.users), "--spawn-rate", str(args.users),
         "--run-time", f"{args.seconds}s", "--host", host, "--csv", str(stats),
         "--only-summary"],
        cwd=BENCH.parent, env={**environment, "PYTHONPATH": str(BENCH.parent)},
        check=False, capture_output=True,
    )  # fmt: skip
    return Path(f"{stats}_stats.csv")


def report(path, args):
    print(
        f"\n{args.users} users for {args.seconds} s, {args.customers:,} customers on "
        f"{args.db}, gunicorn with {args.workers} workers\n"
    )
    print("| request | requests | errors | requests/s | p50 | p95 |")
    print("|---|---|---|---|---|---|")
    with path.open() as file:
        for row in csv.DictReader(file):
            print(
                f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                f"{float(row['Requests/s']):.1f} | {row['50%']} ms | {row['95%']} ms |"
            )


if __name__ == "__main__":
    main()
