"""What else the machine is doing: CPU use overall and per process, from /proc (Linux).

The machine may be shared (tests running beside the bench); the bench waits for a quiet moment
before each measurement and, for the notifications, accounts for the CPU each party used.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, total


def busy_seconds() -> float:
    """CPU seconds spent by all CPUs on anything but idling (and waiting for I/O) since boot."""
    idle, total = _cpu_times()
    return (total - idle) / CLK_TCK


def wait_for_quiet(limit: float = 90.0, threshold: float = 0.15) -> str:
    """Wait (at most `limit` s) for a second in which the CPUs are below `threshold` busy.

    The machine may be shared (tests running beside the bench); measuring during someone
    else's burst would say more about them than about the API. Returns what was seen.
    """
    started = time.monotonic()
    busy = 1.0
    try:
        while time.monotonic() - started < limit:
            idle0, total0 = _cpu_times()
            time.sleep(1.0)
            idle1, total1 = _cpu_times()
            busy = 1 - (idle1 - idle0) / max(1, total1 - total0)
            if busy < threshold:
                break
    except (OSError, ValueError, IndexError):
        return "unknown"
    waited = time.monotonic() - started
    state = "quiet" if busy < threshold else "BUSY"
    return f"{state} ({busy:.0%} CPU busy after {waited:.0f} s)"


def _processes() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/<pid>/stat after the command name) of every live process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces or ")": the fields start after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(entry.name), fields


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) so far of process `root`, its live children, and its children
    that ended (the kernel adds those to the parent once it has reaped them): a PostgreSQL
    server's backends, connections that closed included, or a worker's pool."""
    total = 0
    for pid, fields in _processes():
        if pid == root:
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def stop_group(process: "subprocess.Popen | None", *, grace: float) -> None:
    """Stop a child started with `start_new_session=True` and everything it started: SIGTERM to
    its process group (a warm shutdown), then SIGKILL if it lingers after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (a gunicorn master's workers), from /proc."""
    return sorted(child for child, fields in _processes() if int(fields[1]) == pid)


def peak_rss_kb(pid: int) -> int:
    """VmHWM of `pid`: the most resident memory it ever held, in kB (the kernel's high-water
    mark, so a peak between two readings is not missed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")
