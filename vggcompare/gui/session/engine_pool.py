"""The window's engine processes: one warm engine at a time, reused while its start settings match.

A reader thread per engine waits on the engine's pipe (the window's GIL is never held by the
backend) and hands each message to the GUI thread through a relay's queued signal. When an engine
dies, the relay says so once; the next job starts a new engine.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import EngineDied, EngineProcess, Job


class EngineRelay(QObject):
    """Carries an engine's messages to the GUI thread."""

    message = Signal(object, object)  # EngineProcess, Message
    died = Signal(object, str)  # EngineProcess, one sentence


class EnginePool:
    """Starts, reuses and stops the engine process (process-wide, shared by every window)."""

    def __init__(self) -> None:
        self.relay = EngineRelay()  # created on the GUI thread and kept for the life of the process
        self.engine: EngineProcess | None = None
        self._readers: list[threading.Thread] = []
        self.starts = 0  # engines started so far (benchmarks and tests read it)

    def engine_for(self, settings: EngineSettings) -> EngineProcess:
        """The warm engine if its settings match and it is alive; else a new one (the old one stops)."""
        if self.engine is not None and (self.engine.settings != settings or not self.engine.alive):
            self.retire()
        if self.engine is None:
            self.engine = EngineProcess(settings)
            self.starts += 1
            reader = threading.Thread(target=self._read, args=(self.engine,), name="vggcompare-engine-reader", daemon=True)
            self._readers = [t for t in self._readers if t.is_alive()] + [reader]
            reader.start()
        return self.engine

    def submit(self, job_id: int, job: Job, settings: EngineSettings) -> EngineProcess:
        """Send a job to an engine with ``settings``; return that engine."""
        engine = self.engine_for(settings)
        try:
            engine.submit(job_id, job)
        except EngineDied:
            self.forget(engine)
            engine = self.engine_for(settings)
            engine.submit(job_id, job)
        return engine

    def forget(self, engine: EngineProcess) -> None:
        """Drop a dead or unwanted engine, killing it if it still runs."""
        if engine is self.engine:
            self.engine = None
        engine.kill()

    def retire(self, timeout_s: float = 10.0) -> None:
        """Let the engine stop in the background (its job is cancelled; killed after ``timeout_s``)."""
        engine, self.engine = self.engine, None
        if engine is not None:
            threading.Thread(target=engine.stop, args=(timeout_s,), name="vggcompare-engine-stop", daemon=True).start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the engine now: cancel its job, wait up to ``timeout_s``, then kill it."""
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop(timeout_s)
        for reader in self._readers:
            reader.join(timeout=2)


    def _read(self, engine: EngineProcess) -> None:
        while True:
            try:
                message = engine.receive()
            except EngineDied as exc:
                self.relay.died.emit(engine, str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - an unreadable message: the engine cannot be trusted
                self.relay.died.emit(engine, f"The engine sent something unreadable ({type(exc).__name__}); "
                                             "the next run starts a new engine.")
                return
            self.relay.message.emit(engine, message)


_pool: EnginePool | None = None


def engine_pool() -> EnginePool:
    """The process-wide pool (created on first use, on the GUI thread)."""
    global _pool
    if _pool is None:
        _pool = EnginePool()
    return _pool


def shutdown_engines(timeout_s: float = 10.0) -> None:
    """Stop the engine process (at application exit)."""
    if _pool is not None:
        _pool.stop(timeout_s)
