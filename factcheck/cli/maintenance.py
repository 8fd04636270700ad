"""CLI verbs that look after the store and start the dashboard: doctor, dashboard."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from factcheck.cli import add_common, emit, facade, settings_from


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("doctor", help="check the store: SQLite integrity, index count = passage count (or rebuild)")
    add_common(p)
    p.set_defaults(func=_doctor)
    p = sub.add_parser("dashboard", help="open the dashboard (ingests the sample corpus on first start)")
    add_common(p, json_flag=False)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--headless", action="store_true", help="do not open a browser window")
    p.set_defaults(func=_dashboard)


def _doctor(args: argparse.Namespace) -> int:
    fc = facade(args)
    notes = fc.doctor() + fc.messages
    healthy = notes[0].endswith(": ok")
    emit(args, {"ok": healthy, "notes": notes}, lambda: print("\n".join(notes)))
    return 0 if healthy else 2


def app_path() -> Path:
    """The router: app.py beside the package in a checkout, else the copy inside the package."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here.parent / "app.py", here / "ui" / "app.py"):
        if candidate.is_file():
            return candidate
    raise SystemExit("factcheck: app.py not found; reinstall factcheck")


def _dashboard(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    env = dict(os.environ, FACTCHECK_STORE=str(settings.store_dir), HF_HUB_OFFLINE="1")
    app = app_path()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--browser.gatherUsageStats", "false"]
    if args.headless:
        cmd += ["--server.headless", "true"]
    print(f"factcheck: store {settings.store_dir}; dashboard on http://localhost:{args.port}", file=sys.stderr)
    # Streamlit reads .streamlit/config.toml from the folder it runs in: run it beside app.py, so the upload cap,
    # the switched-off table export and file watcher hold wherever the command is typed
    return subprocess.call(cmd, env=env, cwd=app.parent)
