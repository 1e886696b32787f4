"""Fixtures for the end-to-end tests: a real uvicorn server and Debian's Chromium.

- ``live_server``: the app in a uvicorn subprocess on a free port; yields the base URL.
- ``page``: a Playwright page (sync API) in /usr/bin/chromium whose context has the server as
  ``base_url`` (``page.goto("/convolutie")`` works). The test fails on any console error, any
  uncaught page error and any request to a host other than 127.0.0.1/localhost (such requests
  are also blocked). A test that provokes an error on purpose declares it first:
  ``page_errors.allow(r"status of 413")``.
- ``screenshot(page_or_locator, name)``: saves ``docs/screenshots/<name>.png`` (a page: the
  full page; a locator: that element, e.g. an iframe).
- ``axe(page, frames=True)``: runs the vendored axe-core (``tests/browser/vendor/``) on the page
  and every frame in it (``frames=False``: the page alone) and returns the violations (axe's dicts: ``id``, ``impact``, ``help``, ``nodes``).
  ``axe_check(page, state)`` fails the test when any violation is serious or critical, listing
  each rule and the elements it found. axe is injected with ``frame.evaluate(source)``, which
  runs through the DevTools protocol and is not subject to the page's Content-Security-Policy
  (``default-src 'self'`` blocks ``page.add_script_tag(content=...)``, an inline script).

Without /usr/bin/chromium the tests are skipped with a clear message, except under CI=true,
where they fail.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # a fake camera, so the webcam path can be tested without hardware; a test that wants
    # it grants the permission: page.context.grant_permissions(["camera"])
    "--use-fake-device-for-media-stream",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
#: The teacher code of the live server (``CONVOLAB_TEACHER_CODE``).
TEACHER_CODE = "KLAS-2026"
#: The live server keeps at most this many MB of uploaded working copies (about five photos of
#: 1024 x 768), so a test can see one pushed out (``CONVOLAB_IMAGE_CACHE_MB``).
IMAGE_CACHE_MB = 16
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_BLOCKING = ("serious", "critical")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server():
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "convolab.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={
            **os.environ,
            "CONVOLAB_TEACHER_CODE": TEACHER_CODE,
            "CONVOLAB_IMAGE_CACHE_MB": str(IMAGE_CACHE_MB),
            # the address the teacher page shows the pupils (convolab serve --class sets it)
            "CONVOLAB_CLASS_URL": base + "/",
        },
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server stopped at start:\n{log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/openapi.json", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        if "Traceback" in output:
            print("server log:\n" + output)


@pytest.fixture(scope="session")
def teacher_code():
    """The live server's teacher code (as a teacher would type it off the screen)."""
    return TEACHER_CODE


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message + " to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class PageErrors:
    """Console errors, page errors and off-site requests seen during one test."""

    def __init__(self):
        self.console: list[str] = []
        self.page: list[str] = []
        self.offsite: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (a regex), e.g. an expected 4xx."""
        self._allowed.append(re.compile(pattern))

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        loc = msg.location.get("url", "") if msg.location else ""
        if any(p.search(text) for p in self._allowed):
            return
        self.console.append(f"{text} ({loc})" if loc else text)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console]
            + [f"page error: {m}" for m in self.page]
            + [f"request leaving localhost: {u}" for u in self.offsite]
        )


@pytest.fixture
def page_errors():
    return PageErrors()


@pytest.fixture
def page(browser, live_server, page_errors):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="nl-NL"
    )

    def guard(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page_errors.offsite.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.on("console", page_errors.on_console)
    pg.on("pageerror", lambda err: page_errors.page.append(str(err)))
    try:
        yield pg
    finally:
        context.close()
    problems = page_errors.problems()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture
def screenshot():
    def take(target, name: str, *, full_page: bool = True) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ValueError(
                f"screenshot name must be lower-case letters, digits, - or _: {name!r}"
            )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if hasattr(target, "set_viewport_size"):  # a Page
            target.screenshot(path=str(path), full_page=full_page)
        else:  # a Locator
            target.screenshot(path=str(path))
        return path

    return take


def axe_violations(page, *, frames: bool = True) -> list[dict]:
    """axe-core's violations for ``page`` including its frames (same-origin iframes), or
    for the page alone with ``frames=False``."""
    source = AXE_JS.read_text(encoding="utf-8")
    for frame in page.frames if frames else [page.main_frame]:
        if not frame.is_detached() and not frame.evaluate("typeof window.axe === 'object'"):
            frame.evaluate(source)
    return page.evaluate(
        """async (frames) => {
            const r = await window.axe.run(document, {resultTypes: ["violations"], iframes: frames});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target, html: n.html, impact: n.impact,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        frames,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for n in v["nodes"][:8]:
            summary = (n.get("summary") or "").replace("\n", " ")
            lines.append(f"    {n['target']}: {n['html'][:120]} -- {summary[:200]}")
    return "\n".join(lines)


def serious_violations(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in AXE_BLOCKING]


@pytest.fixture
def axe():
    """``axe(page) -> list of violations`` (every impact)."""
    return axe_violations


@pytest.fixture
def axe_check():
    """``axe_check(page, state="loaded")`` fails on serious or critical axe findings."""

    def check(page, state: str = "loaded", *, frames: bool = True) -> list[dict]:
        violations = axe_violations(page, frames=frames)
        blocking = serious_violations(violations)
        if blocking:
            pytest.fail(
                f"axe: {len(blocking)} serious/critical rule(s) on {page.url} ({state}):\n"
                + format_violations(blocking)
            )
        return violations

    return check
