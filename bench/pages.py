"""The pages section: the web app's budgets of UI.md. `/lapor/` in Chromium (Playwright):
what its first load transfers and to which hosts, and when the form is usable on an emulated
slow connection, first and repeat (the service worker's shell); then each page's server time
next to the JSON API calls that read the same data, taking turns request by request."""

import argparse
import http.client
import re
import secrets
import shlex
import statistics
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import harness, load, report
from bench.harness import HOST, read_headers

VOLUNTEER, OFFICER = "relawan_bjm", "petugas_bjm"
SUPERVISOR, PROVINCE_SUPERVISOR = "supervisor_bjm", "supervisor_kalsel"
DASHBOARD = "/dasbor/"
# The dashboard's map: the shaded drawing and the drawing of its links, as the page sends them.
MAP_FIGURE = re.compile(r'<figure class="region-map">.*?</figure>', re.DOTALL)
REPORT = "/lapor/"
# Chromium's emulation (CDP Network.emulateNetworkConditions): UI.md's slow connection.
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
# "Usable": the send button shows (polled on animation frames, so after the render-blocking
# stylesheet) and the region list is in: a kabupaten chosen lists its kecamatan.
REGENCY, DISTRICT = "63.71", "63.71.04"
USABLE = """([regency, district]) => {
    const button = document.querySelector("form[data-regions] button[type=submit]");
    if (!button || !button.getClientRects().length) { return false; }
    const pick = document.getElementById("f-regency");
    if (document.querySelector(`#f-district option[value='${district}']`)) {
        return performance.now();
    }
    if (pick && pick.value !== regency && pick.querySelector(`option[value='${regency}']`)) {
        pick.value = regency;
        pick.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return false;
}"""
KEPT = """async () => {
    if (!navigator.serviceWorker.controller) { return false; }
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        if (await cache.match("/lapor/") && await cache.match("/lapor/wilayah.json")) {
            return true;
        }
    }
    return false;
}"""
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu"]
TIMEOUT_MS = 60_000


@dataclass
class Measure:
    """A figure of the browser's: its value (the median of several runs) and the worst."""

    key: str
    name: str
    unit: str  # "KB", "s", "requests"
    values: list[float]

    @property
    def value(self) -> float:
        return statistics.median(self.values)

    def data(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "runs": len(self.values),
            "value": self.value,
            "max": max(self.values),
        }


@dataclass
class Result:
    measures: list[Measure]
    runs: dict[str, load.Run]  # by key: each page, then its API calls
    notes: list[str]
    command: list[str]  # the server's


# --- signing in ------------------------------------------------------------------------------


def session_cookie(port: int, username: str, password: str) -> str:
    """Sign in as a person does, through the form of `/masuk/`: the session id."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/masuk/")
        response = conn.getresponse()
        page = response.read().decode()
        csrf = _cookie(response, "csrftoken")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or not csrf or not found:
            raise RuntimeError(f"/masuk/: {response.status}, no CSRF token")
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": found[1]}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        }
        conn.request("POST", "/masuk/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        session = _cookie(response, "sessionid")
        if response.status != 302 or not session:
            raise RuntimeError(f"signing in {username} on /masuk/: {response.status}")
        return session
    finally:
        conn.close()


def _cookie(response: http.client.HTTPResponse, name: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return ""


# --- in the browser --------------------------------------------------------------------------


def _signed_in_context(browser: Any, origin: str, session: str) -> Any:
    """A fresh context (no cache, no service worker) holding the session of `/masuk/`."""
    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": session, "url": origin}])
    return context


def first_load_bytes(browser: Any, origin: str, session: str) -> tuple[float, int, list[str]]:
    """What the first load of `/lapor/` transfers (headers and bodies, as received), until the
    service worker keeps the shell; the requests to other hosts; a line per resource."""
    context = _signed_in_context(browser, origin, session)
    finished: list[Any] = []
    elsewhere: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(origin) else elsewhere.append(r.url))
    context.on("requestfinished", lambda r: finished.append(r))
    try:
        page = context.new_page()
        page.goto(origin + REPORT, wait_until="networkidle")
        page.wait_for_function(KEPT, timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        lines, total = [], 0
        for request in finished:
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            total += size
            response = request.response()
            encoding = (response.headers.get("content-encoding") if response else None) or "none"
            by = "service worker" if request.service_worker else "page"
            path = urllib.parse.urlsplit(request.url).path
            lines.append(f"`{path}` {size / 1024:.1f} KB ({encoding}, {by})")
    finally:
        context.close()
    return total / 1024, len(elsewhere), lines


def usable_seconds(
    browser: Any, origin: str, session: str, runs: int
) -> tuple[list[float], list[float]]:
    """Seconds from navigation start to a usable form under SLOW: the first load in a fresh
    context, then (the shell kept by the service worker) a repeat load in the same one."""
    first: list[float] = []
    repeat: list[float] = []
    for _ in range(runs):
        context = _signed_in_context(browser, origin, session)
        try:
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW)
            first.append(_usable(page, origin))
            page.wait_for_function(KEPT, timeout=TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            repeat.append(_usable(page, origin))
        finally:
            context.close()
    return first, repeat


def _usable(page: Any, origin: str) -> float:
    page.goto(origin + REPORT, wait_until="commit", timeout=TIMEOUT_MS)
    found = page.wait_for_function(
        USABLE, arg=[REGENCY, DISTRICT], polling="raf", timeout=TIMEOUT_MS
    )
    return float(found.json_value()) / 1000


def measure_browser(port: int, password: str, runs: int) -> tuple[list[Measure], list[str]]:
    from playwright.sync_api import sync_playwright

    origin = f"http://{HOST}:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            kb, elsewhere, lines = first_load_bytes(
                browser, origin, session_cookie(port, VOLUNTEER, password)
            )
            first, repeat = usable_seconds(
                browser, origin, session_cookie(port, VOLUNTEER, password), runs
            )
        finally:
            browser.close()
    measures = [
        Measure("first-load-kb", f"{REPORT} first load: KB over the wire", "KB", [kb]),
        Measure(
            "elsewhere", f"{REPORT} first load: requests to other hosts", "requests", [elsewhere]
        ),
        Measure("usable-first", f"{REPORT} usable on the slow connection, first load", "s", first),
        Measure(
            "usable-repeat", f"{REPORT} usable on the slow connection, repeat load", "s", repeat
        ),
    ]
    return measures, lines


# --- server time -----------------------------------------------------------------------------


def _get(port: int, path: str, headers: dict[str, str]) -> load.HttpProbe:
    def make(client: int, sequence: int) -> load.Request:
        return ("GET", path, None, headers)

    return load.HttpProbe(HOST, port, make, 200)


def _calls(probes: list[load.HttpProbe]) -> Callable[[], str | None]:
    """The API calls that read what one page shows, one after the other, timed as one."""

    def call() -> str | None:
        for probe in probes:
            if error := probe():
                return error
        return None

    return call


def pairs(port: int, password: str) -> list[tuple[str, str, str, list[str]]]:
    """(key, user, page, API paths reading the same data)."""
    officer = harness.token(port, OFFICER, password)
    status, body = harness.request(
        port, "GET", "/api/v1/cases/?page_size=1", None, read_headers(officer)
    )
    if status != 200 or not body["results"]:
        raise RuntimeError(f"no case for {OFFICER} to open: {status}")
    case = body["results"][0]["id"]
    return [
        ("home-officer", OFFICER, "/", ["/api/v1/cases/?page_size=50&ordering=-created_at"]),
        ("home-volunteer", VOLUNTEER, "/", ["/api/v1/cases/?page_size=50&reported_by=me"]),
        ("report", VOLUNTEER, REPORT, ["/api/v1/categories/", "/api/v1/regions/?parent=63"]),
        (
            "case",
            OFFICER,
            f"/kasus/{case}/",
            [f"/api/v1/cases/{case}/{tail}" for tail in ("", "history/", "attachments/")],
        ),
        ("inbox", VOLUNTEER, "/notifikasi/", ["/api/v1/notifications/?page_size=100"]),
        ("dashboard", SUPERVISOR, DASHBOARD, ["/api/v1/dashboard/"]),
    ]


def measure_server(port: int, password: str, count: int, time_limit: float) -> dict[str, load.Run]:
    users = (OFFICER, VOLUNTEER, SUPERVISOR)
    sessions = {user: session_cookie(port, user, password) for user in users}
    tokens = {user: harness.token(port, user, password) for user in users}
    runs: dict[str, load.Run] = {}
    for key, user, page, api in pairs(port, password):
        cookie = {"Accept": "text/html", "Cookie": f"sessionid={sessions[user]}"}
        page_probe = _get(port, page, cookie)
        api_probes = [_get(port, path, read_headers(tokens[user])) for path in api]
        names = (
            f"GET {page} as `{user}` (page)",
            "  API: " + " + ".join(f"`GET {p}`" for p in api),
        )
        try:
            measured = load.interleaved(
                {names[0]: page_probe, names[1]: _calls(api_probes)},
                count=count,
                time_limit=time_limit,
            )
        finally:
            for probe in [page_probe, *api_probes]:
                probe.close()
        runs[key], runs[f"{key}-api"] = measured[names[0]], measured[names[1]]
        print(
            f"  {page} ({user}): p95 {runs[key].p95_ms:.1f} ms; API p95 "
            f"{runs[f'{key}-api'].p95_ms:.1f} ms",
            flush=True,
        )
    return runs


def province_map_kb(port: int, password: str) -> float:
    """The province's map on `/dasbor/` of its supervisor, as the page sends it: KB."""
    session = session_cookie(port, PROVINCE_SUPERVISOR, password)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", DASHBOARD, headers={"Cookie": f"sessionid={session}"})
        response = conn.getresponse()
        page = response.read()
    finally:
        conn.close()
    found = MAP_FIGURE.search(page.decode())
    if response.status != 200 or found is None:
        raise RuntimeError(f"{DASHBOARD} as {PROVINCE_SUPERVISOR}: {response.status}, no map")
    return len(found[0].encode()) / 1024


def _inbox_size(port: int, password: str) -> int:
    access = harness.token(port, VOLUNTEER, password)
    path = "/api/v1/notifications/?page_size=100"
    status, body = harness.request(port, "GET", path, None, read_headers(access))
    return len(body["results"]) if status == 200 else 0


# --- the section -----------------------------------------------------------------------------


def collect_static() -> None:
    """As the image does: WhiteNoise serves the collected files and their .gz next to them."""
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


def measure(args: argparse.Namespace, password: str) -> Result:
    """The browser figures, then the server times, on one gunicorn; stopped on return."""
    collect_static()
    port = harness.free_port(args.port)
    queue = f"bench-pages-{secrets.token_hex(4)}"
    log = harness.RESULTS_DIR / "gunicorn-pages.log"
    server = harness.Server(port, args.database_url, log, args.redis_url, queue)
    print(f"pages: gunicorn: {shlex.join(server.command)}", flush=True)
    runs_in_browser = 2 if args.quick else 5
    with server:
        started = time.perf_counter()
        runs = measure_server(port, password, args.list_requests, max(60.0, args.duration * 8))
        measures, lines = measure_browser(port, password, runs_in_browser)
        inbox = _inbox_size(port, password)
        measures.append(
            Measure(
                "province-map-kb",
                f"{DASHBOARD} of the province: its map, KB in the page",
                "KB",
                [province_map_kb(port, password)],
            )
        )
        print(f"  pages measured in {time.perf_counter() - started:.0f} s", flush=True)
    harness.forget_queue(args.redis_url, queue)
    notes = [
        f"First load of {REPORT}, each response: " + "; ".join(lines) + ".",
        "The volunteer's home lists their reports returned to them first, then by the last "
        "change of state (`casework.selectors.reports_home`, two index reads); the API's "
        "`reported_by=me` pages them in the list's own order (by creation, a cursor): the same "
        "cases, not the same "
        f"sort. The inbox held {inbox} notifications of `{VOLUNTEER}` (the page shows up to "
        "100, as the API call asks).",
        "The API side of `/lapor/`: the categories and the kabupaten/kota its pickers list "
        "(the kecamatan and desa come from `/lapor/wilayah.json`, a request of its own); of the "
        "case page: the case, its history and its attachments, as the page shows them all; of "
        "the work queue (an officer's home, its first section: open cases by deadline): the "
        "API's first page of cases; of the dashboard (`supervisor_bjm`, Kota Banjarmasin): the "
        "dashboard API, which holds every figure, chart and table the page draws (the page "
        "adds its map, drawn from boundaries simplified once per process).",
        f"The province's map: the `<figure>` of `{DASHBOARD}` as `{PROVINCE_SUPERVISOR}` sees "
        "it (the shaded drawing and the drawing of its links, 13 kabupaten/kota each), "
        "uncompressed, as in the HTML.",
    ]
    if not any("/manifest.webmanifest" in line for line in lines):
        notes.append(
            "Headless Chromium did not fetch the manifest (nor the apple-touch icon): a browser "
            "offering to install the app would add them (about 1 KB, and the icons)."
        )
    return Result(measures=measures, runs=runs, notes=notes, command=server.command)


def _runs(result: Result, key: str) -> int:
    return next(len(m.values) for m in result.measures if m.key == key)


def section(args: argparse.Namespace, result: Result) -> report.Section:
    return report.Section(
        key="pages",
        title="Web pages (the budgets of UI.md)",
        intro=(
            f"Browser figures: Chromium (headless, Playwright) at a phone's size, in a fresh "
            f"context signed in as `{VOLUNTEER}` through the form of `/masuk/` (the session "
            "cookie of that POST, so the context starts with no cache and no service worker). "
            f"**Over the wire**: every response of the first load of `{REPORT}`, until the "
            "service worker has kept the shell (its own fetches counted too), as received: "
            "headers plus the body as sent (Playwright's `request.sizes()`); static files from "
            "WhiteNoise after `collectstatic` (gzip where the browser asks for it). The HTML "
            "comes from gunicorn uncompressed, as transferred here: a reverse proxy in front "
            "would compress it further. **Usable**: Chromium's network emulation (CDP "
            "`Network.emulateNetworkConditions`: 400 ms latency, 400 kbit/s each way), from "
            "navigation start (`performance.now()` in the page) until, polled on animation "
            "frames, the send button is shown and choosing Kota Banjarmasin (63.71) lists "
            "kecamatan 63.71.04 (the region list is in); the repeat load in the same context "
            "once the service worker controls the page and keeps `/lapor/` and the region "
            f"list; {_runs(result, 'usable-first')} contexts, the median judged. "
            "**Server time**: each page with the session cookie of `/masuk/`, against the JSON "
            "API calls that read what the page shows, with the same person's bearer token, "
            f"{args.list_requests} rounds after 10 warm-up rounds, page and API taking turns "
            "request by request; where the page shows what several API calls read, those "
            "calls one after the other are timed as one. KB are 1,024 bytes."
        ),
        runs=result.runs,
        show_rate=False,
        notes=result.notes,
        extra={
            "measures_title": f"{REPORT} in Chromium; the province's map",
            "measures": [m.data() for m in result.measures],
        },
    )
