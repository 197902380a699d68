"""A WebDriver BiDi client: just what the web UI check needs to drive Firefox.

Not a check itself (see `_harness.py`). WebDriver BiDi is the W3C protocol a
stock Firefox speaks itself once started with `--remote-debugging-port`: JSON
commands and events over one WebSocket, no driver binary in between.

`Session` sends a command and waits for its answer; events go to the handlers
registered with `on()`, called on the reader thread, so a handler must not
wait for a command's answer itself: `send()` fires a command without waiting
(for a blocked request, say, which stays blocked until it is answered).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

COMMAND_TIMEOUT_S = 30.0


class BidiError(Exception):
    """A command the browser refused, or a connection that went away."""


class Session:
    """One WebSocket to a BiDi server; a context manager that closes it on
    exit (`browser.close` ends the session first)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.handlers: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
        # Errors of commands sent without waiting, and of event handlers:
        # whoever reads them decides whether they fail a check.
        self.failures: list[str] = []
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()  # one sender at a time; guards _waiting
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Session:
        self._ws = self._stack.enter_context(connect(self.url, max_size=None, open_timeout=COMMAND_TIMEOUT_S))
        self._reader = threading.Thread(target=self._read, name="bidi-reader", daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self._reader.join(timeout=COMMAND_TIMEOUT_S)

    def on(self, event: str, handler: Callable[[dict[str, Any]], None]) -> None:
        """Calls `handler(params)` for each `event` (subscribe to it too)."""
        self.handlers.setdefault(event, []).append(handler)

    def command(self, method: str, **params: Any) -> dict[str, Any]:
        """Sends a command and returns its result; raises BidiError on an error."""
        done = threading.Event()
        answer: list[dict[str, Any]] = []
        with self._lock:
            ident = next(self._ids)
            self._waiting[ident] = (done, answer)
            self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        if not done.wait(COMMAND_TIMEOUT_S):
            with self._lock:
                self._waiting.pop(ident, None)
            raise BidiError(f"{method}: no answer within {COMMAND_TIMEOUT_S:.0f} s")
        if not answer:
            raise BidiError(f"{method}: the connection closed before the answer")
        message = answer[0]
        if message.get("type") == "error":
            raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
        return message.get("result", {})

    def send(self, method: str, **params: Any) -> None:
        """Sends a command without waiting; an error lands in `failures`."""
        with self._lock:
            ident = next(self._ids)
            self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))

    def _read(self) -> None:
        try:
            for raw in self._ws:
                message = json.loads(raw)
                if "id" in message and message.get("type") in ("success", "error"):
                    self._answer(message)
                elif message.get("type") == "event":
                    self._dispatch(message["method"], message.get("params", {}))
        except ConnectionClosed:
            pass  # the browser closing is how every session ends
        finally:
            with self._lock:
                waiting, self._waiting = self._waiting, {}
            for done, _answer in waiting.values():
                done.set()

    def _answer(self, message: dict[str, Any]) -> None:
        with self._lock:
            waiter = self._waiting.pop(message["id"], None)
        if waiter is not None:
            waiter[1].append(message)
            waiter[0].set()
        elif message["type"] == "error":
            self.failures.append(f"BiDi: {message.get('error')}: {message.get('message')}")

    def _dispatch(self, event: str, params: dict[str, Any]) -> None:
        for handler in self.handlers.get(event, []):
            try:
                handler(params)
            except Exception as err:  # noqa: BLE001 (a handler's bug must not stop the reader)
                self.failures.append(f"handler of {event}: {type(err).__name__}: {err}")
