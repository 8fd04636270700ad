"""A real Milvus server for the contract suite: the `milvus` wheel's standalone server (2.3.5, the milvus-server
extra), started once per test session on 127.0.0.1 on free ports, with authorization on (so a wrong token can
be tried), stopped and its data folder removed afterwards. It is started only when a test asks for it; if it
cannot start, the tests that need it fail with its log: CI has no other Milvus to skip to."""
from __future__ import annotations

import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT_S = 180.0
ROOT_TOKEN = "root:Milvus"  # a new server's root user; authorization is on, so a wrong one is refused
# Each component registers the address it is reached at: the loopback one, not this machine's first
# interface (traffic between the server's parts stays on 127.0.0.1)
COMPONENTS = ("rootCoord", "proxy", "queryCoord", "queryNode", "indexNode", "dataCoord", "dataNode")


@dataclass(frozen=True)
class MilvusServer:
    uri: str
    token: str
    data_dir: Path


def _log_tail(data_dir: Path, chars: int = 4000) -> str:
    parts = []
    for name in ("milvus-stderr.log", "milvus-stdout.log"):
        path = data_dir / "logs" / name
        if path.exists():
            parts.append(f"--- {name}\n{path.read_text(errors='replace')[-chars:]}")
    return "\n".join(parts) or "(no log written)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_own_etcd_ports(config_class: type) -> type:
    """The wheel's config picks free ports for every part but its embedded etcd, which keeps etcd's defaults
    (client 2379, peer 2380) whatever port the config names: a second server on the machine could not start.
    Its etcd gets a config file of its own with the client port the config picked and a free peer port."""

    class Config(config_class):  # type: ignore[misc, valid-type]
        def write_config(self) -> None:
            super().write_config()
            configs = Path(self.base_data_dir) / "configs"
            client, peer = self.get("etcd_port"), _free_port()
            (configs / "embedEtcd.yaml").write_text(
                f"name: factcheck-test\n"
                f"listen-client-urls: http://127.0.0.1:{client}\nadvertise-client-urls: http://127.0.0.1:{client}\n"
                f"listen-peer-urls: http://127.0.0.1:{peer}\ninitial-advertise-peer-urls: http://127.0.0.1:{peer}\n"
                f"initial-cluster: factcheck-test=http://127.0.0.1:{peer}\n")
            milvus_yaml = configs / "milvus.yaml"
            etcd = f"\netcd:\n  config:\n    path: {configs / 'embedEtcd.yaml'}\n"
            milvus_yaml.write_text(milvus_yaml.read_text().replace("\netcd:\n", etcd, 1))

    return Config


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:  # noqa: S310
            return b"OK" in resp.read()
    except OSError:
        return False


def _start(server_class: Any, config_class: type, data_dir: Path) -> tuple[Any, str | None]:
    """Start one server in data_dir: (server, None) once healthy, or (stopped server, why it did not start)."""
    config = _with_own_etcd_ports(config_class)(data_dir=str(data_dir))
    config.set("authorization_enabled", True)
    for component in COMPONENTS:
        config.set(f"{component}.ip", "127.0.0.1")
    server = server_class(config, wait_for_started=False)  # its own wait hides the log: ours shows it
    try:
        server.start()  # unpacks the binaries into data_dir, picks free ports from Milvus's defaults up
    except (OSError, RuntimeError) as e:
        server.stop()
        return server, f"the Milvus server could not be started: {e}\n{_log_tail(data_dir)}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _healthy(server.webservice_port):
        proc = server.server_proc
        problem = ("stopped while starting" if proc is None or proc.poll() is not None
                   else f"was not healthy after {START_TIMEOUT_S:.0f} s" if time.monotonic() > deadline else None)
        if problem:
            server.stop()
            return server, f"the Milvus server {problem}:\n{_log_tail(data_dir)}"
        time.sleep(0.25)
    return server, None


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusServer]:
    try:
        from milvus import MilvusServer as Server
        from milvus import MilvusServerConfig
    except ImportError:
        pytest.fail("the Milvus server wheel is not installed: run scripts/setup dev (it brings the "
                    "milvus-server extra)")
    # Ports are picked free, then bound by the server a moment later: another server starting on the machine
    # at that moment can take one. A second try, on ports picked again, gets past that; two failures fail.
    problems: list[str] = []
    for _ in range(2):
        data_dir = tmp_path_factory.mktemp("milvus-server")
        server, problem = _start(Server, MilvusServerConfig, data_dir)
        if problem is None:
            try:
                yield MilvusServer(f"http://127.0.0.1:{server.listen_port}", ROOT_TOKEN, data_dir)
            finally:
                server.stop()  # SIGTERM, then SIGKILL after a second
                shutil.rmtree(data_dir, ignore_errors=True)
            return
        problems.append(problem)
        shutil.rmtree(data_dir, ignore_errors=True)
    pytest.fail("\n\n".join(problems))
