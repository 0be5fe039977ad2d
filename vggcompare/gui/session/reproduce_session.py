"""Compare → "Reproduce on this machine": re-run the shown result (e.g. a colleague's, opened with
File → Open result JSON…) here, in the engine process, and show both side by side with the verdict.

The work is :func:`vggcompare.core.studies.reproduce.reproduce_result`. A model file named by the result
is loaded only after the user says yes (the window asks; it then loads in Keras' safe mode). When the
result's picture is not on this machine, the picture open in the window is used; the core checks it
by the recorded pixel hash and refuses another picture with one sentence. A reproduction is a run
for the job runner: it replaces a run in progress, and a run replaces it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import Job
from vggcompare.gui.session.job_handle import JobHandle
from vggcompare.gui.session.job_runner import RUN, JobRunner



def needs_model_file(original) -> bool:
    """True when reproducing ``original`` loads a model file it names (the user must allow it first)."""
    return original.config.is_custom_model  # as core.studies.reproduce refuses it: built-in models are not files


def image_to_use(original, loaded) -> str | None:
    """The picture open in the window, when the result's own picture is not on this machine (else None)."""
    source = original.image.source or original.config.image
    if not (source and os.path.isfile(source)) and loaded is not None and os.path.isfile(loaded.source):
        return loaded.source  # checked by the recorded pixel hash in the engine
    return None


class ReproduceSession(QObject):
    """Runs reproductions in the engine and reports them; the window connects its signals to the views."""

    started = Signal(str, str)  # headline, detail
    progress = Signal(object)  # core Progress
    finished = Signal(object)  # core.studies.reproduce.Reproduction
    failed = Signal(str, object, str)  # title, exception, traceback text
    cancelled = Signal()

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._job: JobHandle | None = None

    @property
    def busy(self) -> bool:
        """True while a reproduction is going."""
        return self._job is not None and self._job.live

    def start(self, original, image_path: str | None, allow_model: bool) -> None:
        """Re-run ``original``'s exact configuration here (a run in progress is replaced)."""
        from vggcompare.core.studies.reproduce import reproduce_result  # (the engine's modules load with the first job)

        job = self._job = self.runner.submit(Job(reproduce_result, (original, image_path, allow_model)),
                                             EngineSettings.from_config(original.config), RUN)
        job.progress.connect(self.progress)
        job.succeeded.connect(self.finished)
        job.failed.connect(lambda exc, details: self.failed.emit("The result could not be reproduced", exc, details))
        job.cancelled.connect(self.cancelled)
        self.started.emit("Reproducing the result on this machine…", f"Settings: {original.config.summary()}")

    def cancel(self) -> None:
        """Cancel the reproduction in progress (no other job)."""
        if self._job is not None:
            self._job.cancel()
