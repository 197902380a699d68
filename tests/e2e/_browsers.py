"""The browsers of the web UI check: one small interface, a driver for each.

Not a check itself (see `_harness.py`). `web_ui.py` runs one list of checks
in either browser through `Browser`, whose drivers implement only what has to
differ (navigating, running a script, clicking, typing, screenshots,
downloads) and feed it what the page does (console errors, uncaught
exceptions, requests). Both drive the Debian package, headless, with a fresh
profile, and never download a browser:

- Chromium (`/usr/bin/chromium`, or `$MESHGRAPH_CHROMIUM`) through Playwright;
- Firefox (`/usr/bin/firefox-esr`, or `$MESHGRAPH_FIREFOX`) through WebDriver
  BiDi, the W3C protocol Firefox speaks itself (`_bidi.py`). Playwright's
  Firefox is a patched build, and its BiDi mode sends commands the ESR lacks
  (`emulation.setMediaFeaturesOverride`); Selenium would add geckodriver only
  to turn classic WebDriver into the same BiDi, and the check needs BiDi for
  console errors and requests anyway.

Selectors are CSS, or XPath when they start with `/` (to match an element by
its text). Every query and wait goes through the same script (`FIND`) in
both browsers, so a check means the same in each.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _bidi import Session
from _harness import CheckFailed, check
from playwright.sync_api import Page, sync_playwright

TIMEOUT_S = 30.0
# Playwright's "network idle": no request in flight for this long.
IDLE_S = 0.5
POLL_S = 0.05
VIEWPORT = {"width": 1400, "height": 900}

# The elements a selector matches, in document order.
FIND = """(selector) => {
  if (!selector.startsWith('/')) return [...document.querySelectorAll(selector)];
  const found = document.evaluate(selector, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  return Array.from({ length: found.snapshotLength }, (_, i) => found.snapshotItem(i));
}"""
# Visible as Playwright means it: a box with an area, not visibility: hidden.
VISIBLE = """(el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}"""
# What makes the page's text hard to read: words split across lines (a run of
# letters or digits whose pieces sit on different lines, "Custome|r 360"; a
# name may wrap at its separators, which are not letters) and boxes wider
# than their content lets them be (a table too wide for its card).
LAYOUT = """() => {
  const main = document.querySelector('main');
  if (!main) return { split: [], wide: [] };
  const split = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, textarea, select')) continue;
    for (const word of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) split.push(word[0]);
    }
  }
  const boxes = [document.documentElement, ...main.querySelectorAll('.card, .panel, .table-scroll, .results')];
  const wide = boxes.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  return { split, wide };
}"""


class Traffic:
    """The page's requests in flight, to wait until the network is idle.
    Drivers may report from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Any, str] = {}
        self._changed = time.monotonic()

    def started(self, key: Any, url: str) -> None:
        with self._lock:
            self._open[key] = url
            self._changed = time.monotonic()

    def ended(self, key: Any) -> None:
        with self._lock:
            if self._open.pop(key, None) is not None:
                self._changed = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since the last request ended, or 0 while one is in flight."""
        with self._lock:
            return 0.0 if self._open else time.monotonic() - self._changed

    def in_flight(self) -> list[str]:
        with self._lock:
            return sorted(self._open.values())


class Browser:
    """One page of a headless browser, recording console errors, uncaught
    exceptions and requests to other hosts (which are refused)."""

    name = ""

    def __init__(self, base_url: str, screenshots: Path) -> None:
        self.base_url = base_url
        self.screenshots = screenshots
        self.version = ""
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.traffic = Traffic()

    # What each driver implements.

    @classmethod
    def launch(cls, base_url: str, screenshots: Path) -> contextlib.AbstractContextManager[Browser]:
        """Starts the browser with a fresh profile; stops it on exit."""
        raise NotImplementedError

    def goto(self, url: str) -> None:
        """Navigates and waits for the load event (a fragment changes at once)."""
        raise NotImplementedError

    def call(self, function: str, arg: Any = None) -> Any:
        """The JSON value of the JavaScript `function(arg)`, awaited."""
        raise NotImplementedError

    def click(self, selector: str) -> None:
        """Clicks the middle of the first visible match, as a mouse would."""
        raise NotImplementedError

    def fill(self, selector: str, text: str) -> None:
        """Replaces the text of the first visible input or textarea."""
        raise NotImplementedError

    def press(self, key: str) -> None:
        """Presses and releases a key ("Tab", "Enter") where the focus is."""
        raise NotImplementedError

    def download(self, selector: str) -> str:
        """Clicks what downloads a file and returns the file's text."""
        raise NotImplementedError

    def screenshot(self, path: Path) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        """Waits a moment, letting the driver take in what the page did."""
        raise NotImplementedError

    # What the checks use, the same in every browser.

    @property
    def url(self) -> str:
        return self.call("() => location.href")

    def open(self, fragment: str, name: str, ready: str) -> None:
        """Navigates to `/{fragment}`, waits for `ready` (a selector), checks the
        page is clean and saves a screenshot as `name.png`."""
        self.goto(f"{self.base_url}/{fragment}")
        self.settle(ready)
        self.clean(name)

    def settle(self, ready: str) -> None:
        """Waits for a visible `ready`, then for the network to be idle."""
        self.wait(ready)
        self.idle()

    def clean(self, name: str) -> None:
        """Checks the page: no error logged or shown, no other host asked, no
        word split across lines, nothing wider than its box (`LAYOUT`)."""
        check(not self.errors, f"{name}: {self.errors}")
        check(not self.foreign, f"{name}: requests to other hosts: {self.foreign}")
        boxes = self.texts(".error")
        check(not boxes, f"{name}: an error box: {boxes}")
        layout = self.call(LAYOUT)
        check(not layout["split"], f"{name}: words split across lines: {layout['split'][:10]}")
        check(not layout["wide"], f"{name}: wider than its box: {layout['wide']}")
        self.screenshot(self.screenshots / f"{name}.png")

    def wait(self, selector: str) -> None:
        self.wait_until(f"(s) => ({FIND})(s).some({VISIBLE})", selector, f"no visible {selector}")

    def wait_until(self, function: str, arg: Any, failure: str) -> None:
        """Waits until `function(arg)` is truthy; else fails with `failure`."""
        deadline = time.monotonic() + TIMEOUT_S
        while not self.call(function, arg):
            if time.monotonic() > deadline:
                raise CheckFailed(f"{failure} within {TIMEOUT_S:.0f} s at {self.url}")
            self.pause()

    def idle(self) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while self.traffic.quiet_for() < IDLE_S:
            if time.monotonic() > deadline:
                raise CheckFailed(f"requests still open after {TIMEOUT_S:.0f} s: {self.traffic.in_flight()}")
            self.pause()

    def read(self, selector: str, expression: str) -> list[Any]:
        """`expression` (JavaScript, of `el`) for each element `selector` matches."""
        return self.call(f"(s) => ({FIND})(s).map((el) => {expression})", selector)

    def texts(self, selector: str) -> list[str]:
        return [t.strip() for t in self.read(selector, "el.innerText")]

    def text(self, selector: str) -> str:
        self.wait(selector)
        return self.texts(selector)[0]

    def count(self, selector: str) -> int:
        return len(self.read(selector, "null"))

    def attribute(self, selector: str, name: str) -> str | None:
        found = self.read(selector, f"el.getAttribute({json.dumps(name)})")
        return found[0] if found else None

    def select(self, selector: str, value: str) -> None:
        """Picks an option of a `<select>` as a person would: the value, then
        the input and change events."""
        self.wait(selector)
        picked = self.call(
            f"""([s, value]) => {{
              const select = ({FIND})(s)[0];
              if (![...select.options].some((o) => o.value === value)) return false;
              select.value = value;
              select.dispatchEvent(new Event('input', {{ bubbles: true }}));
              select.dispatchEvent(new Event('change', {{ bubbles: true }}));
              return true;
            }}""",
            [selector, value],
        )
        check(picked, f"{selector} has no option {value!r}")

    def focus(self, selector: str) -> None:
        self.wait(selector)
        self.call(f"(s) => ({FIND})(s)[0].focus()", selector)

    def box(self, selector: str) -> dict[str, float]:
        return self.read(selector, "el.getBoundingClientRect().toJSON()")[0]

    def allowed(self, url: str) -> bool:
        """Whether the page may fetch `url`: only the server and the page's own data."""
        return url.startswith(self.base_url + "/") or url.startswith(("data:", "blob:"))


class Chromium(Browser):
    """Debian's Chromium through Playwright."""

    name = "chromium"
    page: Page
    EXECUTABLE = os.environ.get("MESHGRAPH_CHROMIUM", "/usr/bin/chromium")
    FLAGS = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]

    @classmethod
    @contextlib.contextmanager
    def launch(cls, base_url: str, screenshots: Path) -> Iterator[Chromium]:
        with tempfile.TemporaryDirectory(prefix="meshgraph-chromium-") as profile, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=cls.EXECUTABLE,
                headless=True,
                args=cls.FLAGS,
                viewport=VIEWPORT,
                accept_downloads=True,
            )
            try:
                b = cls(base_url, screenshots)
                b.page = context.pages[0] if context.pages else context.new_page()
                b.page.set_default_timeout(TIMEOUT_S * 1000)
                b.version = f"Chromium {context.browser.version if context.browser else ''}".strip()
                b.page.on("console", lambda m: b.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
                b.page.on("pageerror", lambda e: b.errors.append(f"uncaught: {e}"))
                b.page.on("request", lambda r: b.traffic.started(r, r.url))
                b.page.on("requestfinished", b.traffic.ended)
                b.page.on("requestfailed", b.traffic.ended)
                context.route("**/*", b.route)
                yield b
            finally:
                context.close()

    def route(self, route: Any) -> None:
        if self.allowed(route.request.url):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    @staticmethod
    def selector(selector: str) -> str:
        # Playwright's own rule for XPath is a leading "//" or "..": say it as FIND does.
        return f"xpath={selector}" if selector.startswith("/") else selector

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def call(self, function: str, arg: Any = None) -> Any:
        return self.page.evaluate(function, arg)

    def click(self, selector: str) -> None:
        self.page.click(self.selector(selector))

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(self.selector(selector), text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def download(self, selector: str) -> str:
        with self.page.expect_download() as download:
            self.click(selector)
        return Path(download.value.path()).read_text()

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))

    def pause(self) -> None:
        # Playwright's sync API takes in events only while one of its calls runs.
        self.page.wait_for_timeout(POLL_S * 1000)


class Firefox(Browser):
    """Debian's Firefox ESR through WebDriver BiDi."""

    name = "firefox"
    session: Session
    context: str  # the tab's browsing context
    downloads: list[dict[str, Any]]  # browsingContext.downloadEnd events
    EXECUTABLE = os.environ.get("MESHGRAPH_FIREFOX", "/usr/bin/firefox-esr")
    # WebDriver's codes for the keys the checks press and type (a newline is Enter).
    KEYS = {
        "Enter": "\ue007",
        "Tab": "\ue004",
        "\n": "\ue007",
        "ArrowLeft": "\ue012",
        "ArrowUp": "\ue013",
        "ArrowRight": "\ue014",
        "ArrowDown": "\ue015",
    }
    # A download opens the downloads panel, which takes the focus from the
    # page: a person closes it, a headless browser never does.
    PREFS = 'user_pref("browser.download.alwaysOpenPanel", false);\n'
    EVENTS = [
        "log.entryAdded",
        "network.beforeRequestSent",
        "network.responseCompleted",
        "network.fetchError",
        "browsingContext.downloadEnd",
    ]

    @classmethod
    @contextlib.contextmanager
    def launch(cls, base_url: str, screenshots: Path) -> Iterator[Firefox]:
        with tempfile.TemporaryDirectory(prefix="meshgraph-firefox-") as tmp:
            profile, log_path = Path(tmp) / "profile", Path(tmp) / "firefox.log"
            profile.mkdir()
            (profile / "user.js").write_text(cls.PREFS)
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    [cls.EXECUTABLE, "--headless", "--remote-debugging-port=0", "--profile", str(profile)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                with Session(cls.endpoint(process, log_path) + "/session") as session:
                    b = cls(base_url, screenshots)
                    b.start(session, Path(tmp) / "downloads")
                    try:
                        yield b
                    finally:
                        with contextlib.suppress(Exception):
                            session.command("browser.close")
                process.wait(timeout=TIMEOUT_S)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()

    @staticmethod
    def endpoint(process: subprocess.Popen[bytes], log_path: Path) -> str:
        """The WebSocket address Firefox prints once it listens."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            found = re.search(r"WebDriver BiDi listening on (ws://\S+)", log_path.read_text(errors="replace"))
            if found:
                return found.group(1)
            if process.poll() is not None:
                break
            time.sleep(POLL_S)
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
        raise CheckFailed(f"{Firefox.EXECUTABLE} did not start its WebDriver BiDi server:\n{tail}")

    def start(self, session: Session, downloads: Path) -> None:
        """Opens the session and the tab, and asks for what the page does."""
        self.session = session
        self.downloads = []
        capabilities = session.command("session.new", capabilities={})["capabilities"]
        self.version = f"Firefox {capabilities['browserVersion']}"
        session.on("log.entryAdded", self.logged)
        session.on("network.beforeRequestSent", self.requested)
        session.on("network.responseCompleted", self.responded)
        session.on("network.fetchError", lambda p: self.traffic.ended(p["request"]["request"]))
        session.on("browsingContext.downloadEnd", self.downloads.append)
        # The tab Firefox opens at start never has the focus when headless
        # (`:focus` never matches in it); one the session opens has.
        first = session.command("browsingContext.getTree")["contexts"][0]["context"]
        self.context = session.command("browsingContext.create", type="tab")["context"]
        session.command("browsingContext.close", context=first)
        session.command("session.subscribe", events=self.EVENTS, contexts=[self.context])
        session.command("browsingContext.setViewport", context=self.context, viewport=VIEWPORT)
        # Every request waits for `requested` to let it through or refuse it.
        session.command("network.addIntercept", phases=["beforeRequestSent"], contexts=[self.context])
        session.command(
            "browser.setDownloadBehavior", downloadBehavior={"type": "allowed", "destinationFolder": str(downloads)}
        )

    def logged(self, entry: dict[str, Any]) -> None:
        if entry.get("type") == "javascript":
            self.errors.append(f"uncaught: {entry.get('text')}")
        elif entry.get("level") == "error":
            self.errors.append(f"console.error: {entry.get('text')}")

    def requested(self, event: dict[str, Any]) -> None:
        request, url = event["request"]["request"], event["request"]["url"]
        self.traffic.started(request, url)
        allowed = self.allowed(url)
        if not allowed:
            self.foreign.append(url)
        if event.get("isBlocked"):
            self.session.send("network.continueRequest" if allowed else "network.failRequest", request=request)

    def responded(self, event: dict[str, Any]) -> None:
        self.traffic.ended(event["request"]["request"])
        # Chromium logs a failed load as a console error; Firefox does not.
        status = event["response"]["status"]
        if status >= 400:
            self.errors.append(f"failed to load {event['request']['url']}: status {status}")

    def goto(self, url: str) -> None:
        self.session.command("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def call(self, function: str, arg: Any = None) -> Any:
        # Values cross as JSON text: no BiDi remote values to take apart.
        result = self.session.command(
            "script.callFunction",
            functionDeclaration=f"async (json) => JSON.stringify(await ({function})(JSON.parse(json)))",
            arguments=[{"type": "string", "value": json.dumps(arg)}],
            target={"context": self.context},
            awaitPromise=True,
        )
        if result["type"] == "exception":
            details = result["exceptionDetails"]
            raise CheckFailed(f"a script failed in Firefox: {details.get('text')} ({function[:80]}...)")
        value = result["result"]
        return json.loads(value["value"]) if value["type"] == "string" else None

    def element(self, selector: str) -> dict[str, str]:
        """A reference to the first visible match, scrolled into view."""
        self.wait(selector)
        result = self.session.command(
            "script.callFunction",
            functionDeclaration=f"""(s) => {{
              const el = ({FIND})(s).find({VISIBLE});
              el.scrollIntoView({{ block: 'center', inline: 'center' }});
              return el;
            }}""",
            arguments=[{"type": "string", "value": selector}],
            target={"context": self.context},
            awaitPromise=False,
        )
        check(result["type"] == "success" and "sharedId" in result["result"], f"{selector}: {result}")
        return {"sharedId": result["result"]["sharedId"]}

    def click(self, selector: str) -> None:
        element = self.element(selector)
        mouse = [
            {"type": "pointerMove", "x": 0, "y": 0, "origin": {"type": "element", "element": element}},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        self.act({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": mouse})

    def fill(self, selector: str, text: str) -> None:
        self.click(selector)
        self.call(f"(s) => ({FIND})(s)[0].select()", selector)
        self.type(list(text))  # typing replaces the selection

    def press(self, key: str) -> None:
        self.type([key])

    def type(self, keys: list[str]) -> None:
        actions = []
        for key in keys:
            code = self.KEYS.get(key, key)
            actions += [{"type": "keyDown", "value": code}, {"type": "keyUp", "value": code}]
        self.act({"type": "key", "id": "keyboard", "actions": actions})

    def act(self, source: dict[str, Any]) -> None:
        self.session.command("input.performActions", context=self.context, actions=[source])

    def download(self, selector: str) -> str:
        self.downloads.clear()
        self.click(selector)
        deadline = time.monotonic() + TIMEOUT_S
        while not self.downloads:
            check(time.monotonic() < deadline, f"no download within {TIMEOUT_S:.0f} s of clicking {selector}")
            self.pause()
        done = self.downloads[0]
        check(done.get("status") == "complete", f"the download ended {done.get('status')}: {done}")
        return Path(done["filepath"]).read_text()

    def screenshot(self, path: Path) -> None:
        shot = self.session.command("browsingContext.captureScreenshot", context=self.context)
        path.write_bytes(base64.b64decode(shot["data"]))

    def pause(self) -> None:
        # Events arrive on the session's reader thread meanwhile.
        check(not self.session.failures, f"WebDriver BiDi: {self.session.failures}")
        time.sleep(POLL_S)


BROWSERS: dict[str, type[Browser]] = {"chromium": Chromium, "firefox": Firefox}
