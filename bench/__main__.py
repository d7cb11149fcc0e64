"""`python -m bench`: set up PostgreSQL, seed, serve with gunicorn, measure, report; then the
notification pipeline with a Celery worker on Redis; then the web pages (the budgets of UI.md,
in Chromium and against the API); then the scale section (dashboard, lists and
export at 10,000 and 1,000,000 generated cases, a database each).

Exit status 0 when every measurement ran cleanly, whatever the figures; 1 when the bench itself
broke (server did not start, requests failed); 2 for bad arguments.
"""

import argparse
import secrets
import signal
import sys
from pathlib import Path

import psycopg

from bench import api, harness, notifications, pages, report, scale
from bench.record import Record

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppks_bench"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, help="seed up to this many cases (default 100000)")
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent clients for creates and transitions"
    )
    parser.add_argument(
        "--duration", type=float, help="seconds per create and transition measurement (15)"
    )
    parser.add_argument("--list-requests", type=int, help="sequential list requests (200)")
    parser.add_argument("--port", type=int, help="gunicorn port (default: first free 8101-8199)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2000 cases, 3 s; scale at 2000,20000"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and re-create the bench database first"
    )
    parser.add_argument("--explain", action="store_true", help="print the list query plans")
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite docs/benchmarks.md and docs/benchmarks.json (default: yes, except with "
        "--quick or --only, or with --docs-path)",
    )
    parser.add_argument(
        "--docs-path",
        type=Path,
        help="write the document there instead (its JSON next to it, .json): renders a quick "
        "run without touching docs/",
    )
    parser.add_argument(
        "--only",
        choices=["api", "notifications", "pages", "scale"],
        help="measure only the API (intake, lists, transitions), only the notifications, only "
        "the web pages (UI.md's budgets), or only the scale section (dashboard, lists, export "
        "at --scale-sizes)",
    )
    parser.add_argument(
        "--scale-sizes",
        type=scale.parse_sizes,
        help="case counts of the scale section, a database ppks_scale_<n> each "
        "(default 10000,1000000; with --quick 2000,20000)",
    )
    parser.add_argument(
        "--scale-fresh",
        action="store_true",
        help="drop and re-seed the scale section's databases first (a million cases: minutes)",
    )
    parser.add_argument(
        "--redis-url",
        default=harness.DEFAULT_REDIS_URL,
        help="the notifications' broker; only the bench's own queue keys are written and deleted",
    )
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    quick = args.quick
    args.cases = args.cases if args.cases is not None else (2_000 if quick else 100_000)
    args.duration = args.duration if args.duration is not None else (3.0 if quick else 15.0)
    args.list_requests = args.list_requests or (30 if quick else 200)
    if args.docs is None:
        args.docs = args.docs_path is not None or (not quick and not args.only)
    if args.docs_path is None:
        args.docs_path = report.DOCS_PATH
    elif args.docs_path.suffix != ".md":
        parser.error("--docs-path names the Markdown file: it must end in .md")
    else:
        args.docs_path = args.docs_path.resolve()
    if args.scale_sizes is None:
        args.scale_sizes = scale.QUICK_SIZES if quick else scale.SIZES
    if args.docs and args.only:
        parser.error("--only measures part of the document: it cannot rewrite it (--no-docs)")
    database = harness.database_name(args.database_url)
    if not database or database in harness.FORBIDDEN_DATABASES:
        parser.error(f"refusing database {database!r}: use a database of the bench's own")
    if args.port is not None and args.port not in harness.PORTS:
        parser.error("--port must be within 8101-8199")
    if not (1 <= args.clients <= 64 and 0 < args.duration <= 600 and args.cases >= 0):
        parser.error("--clients 1..64, --duration up to 600 s, --cases >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` blocks still run
    harness.RESULTS_DIR.mkdir(exist_ok=True)
    record = Record(args, sys.argv[1:] if argv is None else argv)
    # Before the long part: a missing Redis is known at once (the API server publishes to it).
    harness.check_redis(args.redis_url)

    password = secrets.token_urlsafe(18)
    # The scale section seeds databases of its own: alone, it needs nothing of the bench's.
    if args.only != "scale":
        record.seeded = harness.prepare_bench_database(
            args.database_url, password, fresh=args.fresh, cases=args.cases
        )
    if args.only in (None, "api"):
        record.add_api(api.measure(args, password, record.started))
    if args.only in (None, "notifications"):
        print("notifications: Celery worker on Redis", flush=True)
        record.add_notifications(
            notifications.measure(args.database_url, args.redis_url, quick=args.quick)
        )
    if args.only in (None, "pages"):
        print("pages: /lapor/ in Chromium, server time of the pages", flush=True)
        record.add_pages(pages.measure(args, password))
    if args.only in (None, "scale"):
        record.add_scale(scale.measure(args, password, sizes=args.scale_sizes))
    return record.finish()


def run() -> int:
    """`main`, with a broken bench reported in one line rather than a traceback."""
    try:
        return main()
    except (RuntimeError, OSError, psycopg.Error) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
