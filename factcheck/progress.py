"""Progress: the one shape of callback every long step reports through.

`progress(done, total, label)`: `done` of `total` units of the step `label` names ("indexing", a file's name).
The facade, ingest, index sync and encoders all take it, so a caller's bar (the CLI's line, the dashboard's
st.progress) is passed down as it is, never wrapped to fit.
"""
from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
