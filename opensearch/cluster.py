"""Start and stop a real local OpenSearch cluster (default: two nodes on 127.0.0.1).

The nodes are OpenSearch 2.16.0 run in-process by the small launcher in ``opensearch/node``
(``searchapp.opensearch.EmbeddedNode``), built by Maven from Maven Central artifacts only:
server, Netty4 transport (HTTP REST), analysis-common and analysis-icu. See
``docs/opensearch-cluster.md``.

Stdlib only (urllib, subprocess), so tests and scripts can load it without extra packages.
Load it BY PATH: ``import opensearch.cluster`` does not work once opensearch-py is installed,
because its dependency opensearch-protobufs installs a regular top-level package named
``opensearch`` that wins over this folder (a namespace package)::

    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("searchapp_opensearch_cluster", "opensearch/cluster.py")
    cluster = importlib.util.module_from_spec(spec); sys.modules[spec.name] = cluster
    spec.loader.exec_module(cluster)
    c = cluster.start(nodes=2)              # builds the launcher if needed, waits for green
    c.urls                                  # ['http://127.0.0.1:PORT', ...]
    c.pids
    c.stop()                                # SIGTERM, then SIGKILL after a grace period

Command line::

    python opensearch/cluster.py build
    python opensearch/cluster.py start [--nodes 2] [--dir /tmp/searchapp-opensearch] [--heap 512m]
    python opensearch/cluster.py status [--dir ...]
    python opensearch/cluster.py stop [--dir ...]

Environment: ``OPENSEARCH_JAVA`` (java binary; else ``$JAVA_HOME/bin/java``, else ``java``),
``OPENSEARCH_MVN`` (maven binary, default ``mvn``), ``OPENSEARCH_MVN_OFFLINE=1`` (build with ``-o``),
``OPENSEARCH_JVM_OPTS`` (extra JVM flags for every node, split on whitespace).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

NODE_DIR = Path(__file__).resolve().parent / "node"
TARGET = NODE_DIR / "target"
JAR = TARGET / "opensearch-embedded-node-0.1.0.jar"
CLASSPATH_FILE = TARGET / "classpath.txt"
STAMP = TARGET / "build.stamp"  # touched after a successful build (Maven leaves unchanged outputs as they were)
MAIN_CLASS = "searchapp.opensearch.EmbeddedNode"
DEFAULT_STATE_DIR = Path(tempfile.gettempdir()) / "searchapp-opensearch"

# JVM flags taken from OpenSearch's own config/jvm.options (the parts that matter in-process).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-UsePerfData",
    "-XX:+ExitOnOutOfMemoryError",
    "-Dfile.encoding=UTF-8",
    "-Djava.awt.headless=true",
    "-Djava.locale.providers=SPI,COMPAT",
    "-Dio.netty.noUnsafe=true",
    "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0",
    "-Dio.netty.allocator.numDirectArenas=0",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Dlog4j2.disable.jmx=true",
]


class ClusterError(RuntimeError):
    """The launcher could not be built or the cluster did not come up."""


def java_binary() -> str | None:
    explicit = os.environ.get("OPENSEARCH_JAVA")
    if explicit:
        return explicit if shutil.which(explicit) or Path(explicit).is_file() else None
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def mvn_binary() -> str | None:
    return shutil.which(os.environ.get("OPENSEARCH_MVN", "mvn"))


def is_built() -> bool:
    """True when the jar and classpath file exist, are newer than the sources and every jar is there."""
    if not (JAR.is_file() and CLASSPATH_FILE.is_file() and STAMP.is_file()):
        return False
    built = STAMP.stat().st_mtime
    sources = [NODE_DIR / "pom.xml", *(NODE_DIR / "src").rglob("*")]
    if any(p.is_file() and p.stat().st_mtime > built for p in sources):
        return False
    return all(Path(j).is_file() for j in CLASSPATH_FILE.read_text().strip().split(os.pathsep) if j)


def missing_tools() -> str | None:
    """Why a cluster cannot be started here (None when it can)."""
    if java_binary() is None:
        return "no java found (set OPENSEARCH_JAVA or JAVA_HOME, or install a JDK >= 17)"
    if not is_built() and mvn_binary() is None:
        return "the OpenSearch launcher is not built and mvn is not installed"
    return None


def build(force: bool = False, offline: bool | None = None, verbose: bool = False) -> None:
    """Build opensearch/node with Maven (no-op when up to date). Raises ClusterError on failure."""
    if not force and is_built():
        return
    mvn = mvn_binary()
    if mvn is None:
        raise ClusterError("mvn not found: install Maven (apt-get install maven) to build opensearch/node")
    if offline is None:
        offline = os.environ.get("OPENSEARCH_MVN_OFFLINE") == "1"
    cmd = [mvn, "-B", "-q", "package"]
    if offline:
        cmd.insert(1, "-o")
    env = dict(os.environ)
    java = java_binary()
    if java and "JAVA_HOME" not in env and os.environ.get("OPENSEARCH_JAVA"):
        env["JAVA_HOME"] = str(Path(java).resolve().parent.parent)
    if verbose:
        print("opensearch: building launcher:", " ".join(cmd), f"(in {NODE_DIR})", file=sys.stderr)
    t0 = time.monotonic()
    STAMP.unlink(missing_ok=True)
    proc = subprocess.run(cmd, check=False, cwd=NODE_DIR, env=env, capture_output=True, text=True)
    if proc.returncode == 0 and JAR.is_file() and CLASSPATH_FILE.is_file():
        STAMP.touch()
    if proc.returncode != 0 or not is_built():
        out = (proc.stdout + proc.stderr).strip().splitlines()
        raise ClusterError(
            f"building the OpenSearch launcher failed ({' '.join(cmd)} in {NODE_DIR}, exit "
            f"{proc.returncode}). Is Maven Central reachable, or ~/.m2 prefetched for -o?\n"
            + "\n".join(out[-40:])
        )
    if verbose:
        print(f"opensearch: built in {time.monotonic() - t0:.1f} s", file=sys.stderr)


def classpath() -> str:
    return os.pathsep.join([str(JAR), CLASSPATH_FILE.read_text().strip()])


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """n distinct ports that were free a moment ago (all held open together while choosing)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _get_json(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as dead.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


@dataclass
class Node:
    name: str
    http_port: int
    transport_port: int
    pid: int
    home: Path
    log: Path
    host: str = "127.0.0.1"
    proc: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return _alive(self.pid)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError as e:
            return f"(no log: {e})"
        return "\n".join(text[-lines:])

    def kill(self) -> None:
        """SIGKILL, no clean shutdown (to test failover)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc is not None:
            self.proc.wait(timeout=30)


@dataclass
class Cluster:
    name: str
    nodes: list[Node]
    base_dir: Path
    remove_dir: bool = False

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    @property
    def pids(self) -> list[int]:
        return [n.pid for n in self.nodes]

    def health(self, url: str | None = None, timeout: float = 5.0) -> dict:
        return _get_json((url or self.urls[0]) + "/_cluster/health", timeout=timeout)

    def logs(self, lines: int = 60) -> str:
        return "\n".join(f"----- {n.name} ({n.log}) -----\n{n.log_tail(lines)}" for n in self.nodes)

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM every node, wait up to `grace` seconds, then SIGKILL what is left."""
        stop_pids(self.pids, grace=grace, procs=[n.proc for n in self.nodes])
        if self.remove_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def state(self) -> dict:
        return {
            "name": self.name,
            "base_dir": str(self.base_dir),
            "nodes": [
                {"name": n.name, "url": n.url, "http_port": n.http_port,
                 "transport_port": n.transport_port, "pid": n.pid, "home": str(n.home), "log": str(n.log)}
                for n in self.nodes
            ],
        }

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_pids(pids, grace: float = 30.0, procs=None) -> None:
    procs = {p.pid: p for p in (procs or []) if p is not None}
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    for pid in pids:
        while time.monotonic() < deadline:
            if pid in procs:
                if procs[pid].poll() is not None:
                    break
            elif not _alive(pid):
                break
            time.sleep(0.2)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if pid in procs:
            try:
                procs[pid].wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def start(
    nodes: int = 2,
    heap: str = "512m",
    base_dir: str | Path | None = None,
    cluster_name: str | None = None,
    timeout: float = 120.0,
    wait_status: str = "green",
    build_if_needed: bool = True,
    tie_to_parent: bool = True,
    host: str = "127.0.0.1",
    extra_settings: dict | None = None,
    quick_jit: bool = True,
    verbose: bool = False,
) -> Cluster:
    """Start `nodes` OpenSearch nodes on free ports and wait until they form a cluster.

    Every node is cluster-manager eligible and holds data. Returns once
    /_cluster/health reports all nodes and at least `wait_status`; otherwise stops the nodes
    and raises ClusterError carrying the tail of every node's log. With `tie_to_parent`, the
    nodes also stop when this Python process dies (even by kill -9). `quick_jit` runs the JVMs
    with the C1 compiler only (-XX:TieredStopAtLevel=1): a node then needs about half the CPU to
    start (measured ~5.5 s instead of ~10.5 s), at the cost of peak speed; pass False for benchmarks.
    """
    reason = missing_tools()
    if reason:
        raise ClusterError(reason)
    if build_if_needed:
        build(verbose=verbose)
    elif not is_built():
        raise ClusterError(f"launcher not built: run `mvn -B package` in {NODE_DIR}")
    for attempt in range(3):
        try:
            return _start_once(nodes, heap, base_dir, cluster_name, timeout, wait_status,
                               tie_to_parent, host, extra_settings, quick_jit, verbose)
        except ClusterError as exc:
            # a free port taken by another process before the node bound it (a shared
            # machine's outgoing connections use the same range): again on other ports, in a
            # new temporary folder (a given one may hold the half-formed cluster's state)
            if "Address already in use" not in str(exc) or attempt == 2 or base_dir:
                raise
            print(f"opensearch: a port was taken meanwhile, starting again ({exc!s:.80})",
                  file=sys.stderr)
    raise AssertionError("unreachable")


def _start_once(nodes: int, heap: str, base_dir: str | Path | None, cluster_name: str | None,
                timeout: float, wait_status: str, tie_to_parent: bool, host: str,
                extra_settings: dict | None, quick_jit: bool, verbose: bool) -> Cluster:
    java = java_binary()
    assert java is not None  # missing_tools() said so
    remove_dir = base_dir is None
    base = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="searchapp-opensearch-"))
    base.mkdir(parents=True, exist_ok=True)
    name = cluster_name or f"searchapp-test-{os.getpid()}"
    ports = free_ports(2 * nodes, host)
    http_ports, transport_ports = ports[:nodes], ports[nodes:]
    names = [f"n{i + 1}" for i in range(nodes)]
    seed = ",".join(f"{host}:{p}" for p in transport_ports)
    cp = classpath()
    started: list[Node] = []
    cluster = Cluster(name, started, base, remove_dir)
    t0 = time.monotonic()
    try:
        for i, node_name in enumerate(names):
            home = base / node_name
            (home / "tmp").mkdir(parents=True, exist_ok=True)
            log = base / f"{node_name}.log"
            cmd = [java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS,
                   *(["-XX:TieredStopAtLevel=1"] if quick_jit else []),
                   *os.environ.get("OPENSEARCH_JVM_OPTS", "").split(),
                   f"-Djava.io.tmpdir={home / 'tmp'}",
                   "-cp", cp, MAIN_CLASS,
                   "--name", node_name, "--cluster", name, "--host", host,
                   "--http-port", str(http_ports[i]), "--transport-port", str(transport_ports[i]),
                   "--seed", seed, "--initial-managers", ",".join(names), "--data", str(home)]
            if tie_to_parent:
                cmd += ["--parent-pid", str(os.getpid())]
            for k, v in (extra_settings or {}).items():
                cmd += ["--setting", f"{k}={v}"]
            with open(log, "ab") as out:
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        cwd=home, start_new_session=True)
            started.append(Node(node_name, http_ports[i], transport_ports[i], proc.pid, home, log, host, proc))
        _wait_ready(cluster, nodes, wait_status, t0 + timeout)
    except BaseException:
        cluster.stop(grace=10)
        raise
    if verbose:
        print(f"opensearch: {nodes} nodes {wait_status} in {time.monotonic() - t0:.1f} s: "
              f"{' '.join(cluster.urls)}", file=sys.stderr)
    return cluster


def _wait_ready(cluster: Cluster, nodes: int, wait_status: str, deadline: float) -> None:
    last = "no answer yet"
    while True:
        dead = [n for n in cluster.nodes if not n.alive()]
        if dead:
            raise ClusterError(
                f"OpenSearch node(s) {', '.join(n.name for n in dead)} exited during startup\n" + cluster.logs())
        for node in cluster.nodes:
            url = (f"{node.url}/_cluster/health?wait_for_nodes={nodes}"
                   f"&wait_for_status={wait_status}&timeout=2s")
            try:
                health = _get_json(url, timeout=10)
            except (urllib.error.URLError, OSError, ValueError) as e:
                last = f"{node.name}: {e}"
                continue
            last = f"{node.name}: {health}"
            if not health.get("timed_out") and health.get("number_of_nodes") == nodes:
                return
        if time.monotonic() > deadline:
            raise ClusterError(
                f"OpenSearch cluster not {wait_status} with {nodes} nodes in time; last health: {last}\n"
                + cluster.logs())
        time.sleep(0.5)


# ----------------------------------------------------------------------------- command line

def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="opensearch/cluster.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="build the launcher with Maven (if not up to date)").add_argument(
        "--force", action="store_true")
    p_start = sub.add_parser("start", help="start a cluster in the background and wait for green")
    p_start.add_argument("--nodes", type=int, default=2)
    p_start.add_argument("--heap", default="512m")
    p_start.add_argument("--timeout", type=float, default=120)
    p_start.add_argument("--full-jit", action="store_true",
                         help="use the C2 compiler too (slower start, faster steady state: for benchmarks)")
    for name in ("start", "stop", "status"):
        sp = p_start if name == "start" else sub.add_parser(name)
        sp.add_argument("--dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"cluster directory holding data, logs and cluster.json (default {DEFAULT_STATE_DIR})")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "build":
            build(force=args.force, verbose=True)
            print(f"built: {JAR}")
            return 0
        state_file = args.dir / "cluster.json"
        if args.cmd == "start":
            if state_file.exists():
                old = json.loads(state_file.read_text())
                if any(_alive(n["pid"]) for n in old["nodes"]):
                    print(f"a cluster is already running from {args.dir}; stop it first", file=sys.stderr)
                    return 1
            c = start(nodes=args.nodes, heap=args.heap, base_dir=args.dir, timeout=args.timeout,
                      tie_to_parent=False, cluster_name="searchapp-dev", quick_jit=not args.full_jit,
                      verbose=True)
            state_file.write_text(json.dumps(c.state(), indent=2))
            for n in c.nodes:
                print(f"{n.name} {n.url} pid={n.pid} log={n.log}")
            return 0
        if not state_file.exists():
            print(f"no cluster state in {state_file}", file=sys.stderr)
            return 1
        state = json.loads(state_file.read_text())
        if args.cmd == "status":
            for n in state["nodes"]:
                print(f"{n['name']} {n['url']} pid={n['pid']} {'running' if _alive(n['pid']) else 'dead'}")
            try:
                print(json.dumps(_get_json(state["nodes"][0]["url"] + "/_cluster/health")))
            except (urllib.error.URLError, OSError, ValueError) as e:
                print(f"health: {e}")
            return 0
        stop_pids([n["pid"] for n in state["nodes"]])
        state_file.unlink()
        print("stopped")
        return 0
    except ClusterError as e:
        print(f"opensearch: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main())
