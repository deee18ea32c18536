"""The admin at scale: each page a moderator uses, timed at 10,000 and at 1,000,000 messages.

``python -m bench.admin_pages`` (``make bench-admin``): for each size, a database of its own holding that
many messages (generate_series, then the search indexes built on the loaded table as migration 0002
builds them on a live one, then VACUUM ANALYZE), the product under gunicorn with production settings on
a free port, a superuser logged in through the login form, and each page requested once to warm up then
``--repeats`` times; the median is printed beside the same page at the other size. Needs PostgreSQL on
127.0.0.1:5432 (``--postgres``); takes a few minutes, most of it loading the million rows.
"""

import argparse
import contextlib
import datetime
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import requests

from bench.servers import ROOT, Server, _start, app_environment

SIZES = (10_000, 1_000_000)
LIST = "/admin/messaging/message/"
USERNAME = "bench-admin"
PASSWORD = "bench-only-" + "p" * 20
# One message every 30 seconds: a million span the last 347 days, ten thousand the last 3.5. 500
# senders; a word on one message in a thousand ("lighthouse") and one on one in eight ("Coffee").
SPACING_SECONDS = 30
SEED = """
INSERT INTO messaging_message (sender, content, created_at)
SELECT 'user' || (n % 500),
       (ARRAY['Hello', 'Lunch at noon?', 'Meeting moved', 'Nice weather', 'Train is late', 'Coffee later',
              'Report is ready', 'See you at the weekend'])[1 + n % 8]
       || ', note ' || n || CASE WHEN n % 1000 = 7 THEN ' from the lighthouse' ELSE '' END,
       now() - ({rows} - n) * interval '{spacing} seconds'
FROM generate_series(1, {rows}) AS n
"""


@dataclass(frozen=True)
class Page:
    """One page a moderator uses; ``send(session, base_url, n)`` requests it the n-th time (0: warm-up)."""

    name: str
    send: Callable[[requests.Session, str, int], requests.Response]
    expected_status: int = 200
    # Deeper than a smaller table reaches: not requested there.
    min_rows: int = 0


def manage(url: str, *args: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "manage.py", *args, "--no-input", "-v0"]
    subprocess.run(command, cwd=ROOT, env=app_environment(url) | (env or {}), check=True)


def loaded(url: str, rows: int) -> bool:
    """Whether a run loaded the database of ``url`` to the end: ``rows`` messages (ids 1 to ``rows``) and
    the superuser, its last step."""
    try:
        with psycopg.connect(url) as connection:
            last_id = connection.execute("SELECT max(id) FROM messaging_message").fetchone()[0]
            superuser = connection.execute("SELECT 1 FROM auth_user WHERE username = %s", [USERNAME]).fetchone()
            return last_id == rows and superuser is not None
    except psycopg.Error:
        return False


def prepare_database(server_url: str, name: str, rows: int) -> str:
    """Database ``name``, created anew, holding ``rows`` messages and a superuser; its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"{server_url}/{name}"
    manage(url, "migrate", "messaging", "0001")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SEED.format(rows=int(rows), spacing=SPACING_SECONDS))
    manage(url, "migrate")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE messaging_message")
    manage(url, "createsuperuser", "--username", USERNAME, "--email", "bench@example.com",
           env={"DJANGO_SUPERUSER_PASSWORD": PASSWORD})  # fmt: skip
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(url: str) -> Iterator[Server]:
    """The product as the container serves it (gunicorn.conf.py, production settings) on a free port."""
    # Production serves the admin's assets from the hashed manifest the image builds (git ignores it).
    manage(url, "collectstatic")
    port = free_port()
    env = app_environment(url) | {"PORT": str(port)}
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "project.wsgi:application"]
    log = ROOT / "bench" / "results" / "servers.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = _start("app", command, env, f"http://127.0.0.1:{port}", log)
    try:
        yield server
    finally:
        server.stop()


def logged_in(base_url: str) -> requests.Session:
    session = requests.Session()
    session.get(base_url + "/admin/login/", timeout=10).raise_for_status()
    response = session.post(
        base_url + "/admin/login/",
        {"username": USERNAME, "password": PASSWORD, "next": LIST,
         "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    if response.status_code != 302:
        raise RuntimeError(f"admin login answered {response.status_code}, not a redirect")
    return session


def message_ids(url: str, rows: int, count: int) -> list[int]:
    """``count`` ids from the middle of the table, none of them deleted yet."""
    with psycopg.connect(url) as connection:
        found = connection.execute(
            "SELECT id FROM messaging_message WHERE id >= %s ORDER BY id LIMIT %s", [rows // 2, count]
        ).fetchall()
    return [row[0] for row in found]


def get(path: str, params: dict | None = None) -> Callable[[requests.Session, str, int], requests.Response]:
    return lambda session, base_url, n: session.get(base_url + path, params=params, allow_redirects=False, timeout=30)


def post(
    path: Callable[[int], str], form: Callable[[int], dict]
) -> Callable[[requests.Session, str, int], requests.Response]:
    def send(session: requests.Session, base_url: str, n: int) -> requests.Response:
        data = form(n) | {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
        return session.post(base_url + path(n), data, allow_redirects=False, timeout=30)

    return send


def pages(url: str, rows: int, repeats: int) -> list[Page]:
    """The pages, with the ids they show and delete taken from the middle of the table."""
    today = datetime.datetime.now(datetime.UTC).date()
    midnight = datetime.datetime.combine(today, datetime.time.min, datetime.UTC)
    ids = iter(message_ids(url, rows, 1 + 11 * (repeats + 1)))
    shown = next(ids)
    single = [next(ids) for _ in range(repeats + 1)]
    tens = [[next(ids) for _ in range(10)] for _ in range(repeats + 1)]

    def one_day(days_ago: int) -> dict:
        day = today - datetime.timedelta(days=days_ago)
        return {"created_from": day, "created_to": day}

    def selected(n: int) -> dict:
        return {"action": "delete_selected", "_selected_action": tens[n]}

    return [
        Page("the list", get(LIST)),
        Page("its second page", get(LIST, {"p": 2})),
        Page("a page 10,000 rows deep (p=200)", get(LIST, {"p": 200}), min_rows=10_000),
        Page("the deepest page, 100,000 rows (p=2000)", get(LIST, {"p": 2000}), min_rows=100_000),
        Page("today (quick link)", get(LIST, {"created_at__gte": midnight.isoformat()})),
        Page(
            "past 7 days (quick link)",
            get(LIST, {"created_at__gte": (midnight - datetime.timedelta(days=7)).isoformat()}),
        ),
        Page("one day, 2 days ago (range)", get(LIST, one_day(2))),
        Page("one day, 200 days ago (range)", get(LIST, one_day(200))),
        Page("?sender=user42", get(LIST, {"sender": "user42"})),
        Page("search by sender ?q=user42", get(LIST, {"q": "user42"})),
        Page("search a rare word ?q=lighthouse", get(LIST, {"q": "lighthouse"})),
        Page("search a common word ?q=coffee", get(LIST, {"q": "coffee"})),
        Page("a message's page", get(f"{LIST}{shown}/change/")),
        Page("a message's delete confirmation", get(f"{LIST}{shown}/delete/")),
        Page("deleting a message", post(lambda n: f"{LIST}{single[n]}/delete/", lambda n: {"post": "yes"}), 302),
        Page("10 selected: delete confirmation", post(lambda n: LIST, selected)),
        Page("10 selected: deletion", post(lambda n: LIST, lambda n: selected(n) | {"post": "yes"}), 302),
    ]


@dataclass(frozen=True)
class Timing:
    """A page's median response time, and the CPU time its requests cost on average: the server's and
    its database sessions'. On a shared machine the first moves with the load; the second far less."""

    median_ms: float
    cpu_ms: float


class CpuMeter:
    """CPU time spent by the server's processes and by the database's client sessions, in nanoseconds,
    from Linux's per-thread schedstat (finer than the 10 ms ticks of ``/proc/<pid>/stat``)."""

    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.connection = psycopg.connect(url, autocommit=True)

    def pids(self) -> list[int]:
        root = psutil.Process(self.server.process.pid)
        sessions = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
        return [root.pid, *(child.pid for child in root.children(recursive=True)), *(row[0] for row in sessions)]

    def read(self) -> int:
        total = 0
        for pid in self.pids():
            for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
                with contextlib.suppress(OSError):
                    total += int(stat.read_text().split()[0])
        return total

    def close(self) -> None:
        self.connection.close()


def timed(session: requests.Session, base_url: str, page: Page, repeats: int, meter: CpuMeter) -> Timing:
    """``page`` requested once to warm up, then ``repeats`` times; fails on a wrong answer."""
    times, cpu_ns = [], 0
    for n in range(repeats + 1):
        cpu_before = meter.read()
        started = time.perf_counter()
        response = page.send(session, base_url, n)
        elapsed = time.perf_counter() - started
        cpu_after = meter.read()
        if response.status_code != page.expected_status or "?e=1" in response.headers.get("Location", ""):
            raise RuntimeError(f"{page.name}: {response.status_code} {response.headers.get('Location', '')}")
        if n:
            times.append(elapsed * 1000)
            cpu_ns += cpu_after - cpu_before
    return Timing(statistics.median(times), cpu_ns / repeats / 1e6)


def measure(
    server_url: str,
    rows: int,
    repeats: int,
    progress: Callable[[str], None],
    *,
    database: str = "bench_admin",
    reuse: bool = False,
) -> dict[str, Timing]:
    """Each page's timing on database ``<database>_<rows>`` of ``rows`` messages: loaded anew,
    or with ``reuse`` as an earlier run left it (deletions there removed a few dozen rows of the middle)."""
    name = f"{database}_{rows}"
    url = f"{server_url}/{name}"
    if reuse and loaded(url, rows):
        progress(f"reusing {name}")
    else:
        progress(f"loading {rows:,} messages into {name}")
        prepare_database(server_url, name, rows)
    with running_app(url) as server:
        session = logged_in(server.base_url)
        meter = CpuMeter(server, url)
        timings = {}
        try:
            for page in pages(url, rows, repeats):
                if rows >= page.min_rows:
                    timing = timings[page.name] = timed(session, server.base_url, page, repeats, meter)
                    progress(f"{rows:,} messages, {page.name}: {timing.median_ms:.1f} ms, {timing.cpu_ms:.1f} ms CPU")
        finally:
            meter.close()
    return timings


def table(results: dict[int, dict[str, Timing]]) -> str:
    """Markdown: a row per page, a column per size, each cell the median and the CPU time per request."""
    sizes = sorted(results)
    names = list(dict.fromkeys(name for size in sizes for name in results[size]))
    lines = [
        "| page | " + " | ".join(f"{size:,} messages" for size in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in names:
        cells = [
            f"{results[size][name].median_ms:.0f} ms ({results[size][name].cpu_ms:.0f} ms CPU)"
            if name in results[size]
            else "n/a"
            for size in sizes
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES), help="table sizes to measure")
    parser.add_argument("--repeats", type=int, default=5, help="timed requests of each page; the median is kept")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="bench_admin", help="databases to (re)create: <name>_<rows>")
    parser.add_argument("--reuse", action="store_true", help="measure on databases an earlier run loaded")
    options = parser.parse_args()
    if options.repeats < 1 or min(options.rows) < 1_000:
        parser.error("give --repeats of at least 1 and --rows of at least 1,000")

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = {
        rows: measure(options.postgres, rows, options.repeats, progress, database=options.database, reuse=options.reuse)
        for rows in options.rows
    }
    print(
        f"Median of {options.repeats} requests per page, production settings under gunicorn; in brackets the CPU"
        " time a request costs on average, the server's and its database sessions':\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
