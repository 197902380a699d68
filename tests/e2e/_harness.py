"""What the end-to-end checks share: a meshgraph server process, check reporting, the run.

Not a check itself: `.ci/run` runs `tests/e2e/[!_]*.py`, and each of those
imports this module (it sits beside them, so `import _harness` finds it).

`main()` gives every script the same frame: the binary from argv, a fresh
temporary data directory, SIGTERM turned into an exception so the server is
always stopped, the server log's tail on a failure, and the closing line CI
reads ("NAME: N passed, N failed").
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


class CheckFailed(Exception):
    """A check did not hold; the message says which and what was seen."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def step(message: str) -> None:
    print(f"  - {message}", flush=True)


PASSED = 0


def ok(message: str) -> None:
    global PASSED
    PASSED += 1
    print(f"    ok: {message}", flush=True)


def closing_line(name: str, failed: int) -> None:
    # The plain closing line CI reads: "word: N passed, N failed".
    print(f"{name}: {PASSED} passed, {failed} failed", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `meshgraph serve` process on a loopback port, logging to a file."""

    def __init__(self, binary: Path, data_dir: Path, log_path: Path, serve_args: list[str]) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.serve_args = serve_args
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def start(self) -> None:
        # The port is free when picked; another process could take it before
        # the server binds, so retry a few times on an early exit.
        for _attempt in range(3):
            port = free_port()
            self.base_url = f"http://127.0.0.1:{port}"
            env = dict(os.environ)
            # Request lines in the log help read a failure; no colour codes in a file.
            env.setdefault("MESHGRAPH_LOG", "info,tower_http=debug")
            env.setdefault("NO_COLOR", "1")
            args = ["serve", "--bind", f"127.0.0.1:{port}", "--data-dir", str(self.data_dir), *self.serve_args]
            log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
            log.write(f"\n=== meshgraph {' '.join(args)} ===\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [str(self.binary), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            log.close()
            if self.wait_healthy():
                return
            code = self.process.poll()
            if code is None:
                raise CheckFailed(f"meshgraph did not answer GET /health within {STARTUP_TIMEOUT_S:.0f} s")
            if "cannot listen" not in self.log_tail():
                raise CheckFailed(f"meshgraph exited with status {code} during start-up")
        raise CheckFailed("meshgraph could not bind a free port after 3 attempts")

    def wait_healthy(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after a timeout; returns the exit status."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        if process.poll() is None:
            process.terminate()
            try:
                return process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                print(f"meshgraph did not stop within {STOP_TIMEOUT_S:.0f} s of SIGTERM: killing it")
                process.kill()
                process.wait()
                return None
        return process.returncode

    def log_tail(self, lines: int = 40, width: int = 400) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        # Request lines can carry whole queries in their URLs: cut them short.
        tail = text.splitlines()[-lines:]
        return "\n".join(line if len(line) <= width else line[:width] + "..." for line in tail)


def check_stops_cleanly(server: Server) -> None:
    step("SIGTERM: the server drains and exits 0")
    code = server.stop()
    check(code == 0, f"meshgraph exited with status {code} after SIGTERM, expected 0")
    ok("exit status 0")


def main(
    name: str, title: str, serve_args: list[str], checks: Callable[[Server], None], usage: str, args: list[str] | None = None
) -> int:
    """Runs `checks` against a server on a fresh data directory (not started:
    the checks start and restart it); returns the exit status. `args` (by
    default the command line's) is the binary alone."""
    args = sys.argv[1:] if args is None else args
    if len(args) != 1:
        print(usage, file=sys.stderr)
        return 2
    binary = Path(args[0]).resolve()
    if not os.access(binary, os.X_OK):
        print(f"FAIL: {binary} is not an executable meshgraph binary (run `cargo build` first)", file=sys.stderr)
        return 2

    # CI stops a run with SIGTERM: turn it into an exception so `finally` stops the server.
    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)

    print(f"e2e {title} -> {binary}")
    with tempfile.TemporaryDirectory(prefix="meshgraph-e2e-") as tmp:
        server = Server(binary, Path(tmp) / "data", Path(tmp) / "meshgraph.log", serve_args)
        try:
            checks(server)
        except CheckFailed as failure:
            fail(name, str(failure), server)
            return 1
        except Exception as err:  # a client raising on an answer it did not expect, a timeout, ...
            fail(name, f"{type(err).__name__}: {err}", server)
            return 1
        except KeyboardInterrupt as err:
            fail(name, f"interrupted ({err})", server)
            return 1
        finally:
            with contextlib.suppress(Exception):
                server.stop()
    print(f"PASS: {title} end to end")
    closing_line(name, failed=0)
    return 0


def fail(name: str, message: str, server: Server) -> None:
    sys.stdout.flush()
    print(f"\nFAIL: {message}", file=sys.stderr)
    tail = server.log_tail()
    if tail:
        print(f"--- last lines of the meshgraph log ({server.log_path.name}) ---", file=sys.stderr)
        print(tail, file=sys.stderr)
        print("--- end of log ---", file=sys.stderr)
    sys.stderr.flush()
    closing_line(name, failed=1)
