"""The checkup's causes that need a new Python process (the kernel library, the thread count): started before the
reference, so they work while the in-process causes run, then waited for in turn."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any, Generator

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled, VggCompareError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.studies.checkup_causes import Cause


class FreshProcessError(VggCompareError):
    """A new-process cause failed (its process's own sentence): the row says why; the checkup goes on."""


def without_file(cause: Cause, image: LoadedImage, new_processes: bool, ref: ExperimentConfig | None = None,
                 model_file: str | None = None) -> Cause:
    """A new-process cause that cannot start here becomes 'not applicable', with the reason."""
    from vggcompare.core.model.in_memory import is_in_memory

    if not cause.fresh_process or cause.not_applicable:
        return cause
    if not new_processes:
        return replace(cause, not_applicable="left out on request (it needs a new Python process)")
    if ref is not None and is_in_memory(ref.model) and not model_file:
        return replace(cause, not_applicable="the model is held in memory and has no saved copy a new Python process could load")
    if not image.source or not os.path.isfile(image.source):
        return replace(cause, not_applicable="the image has no file a new Python process could read")
    return cause


def start_fresh(causes: list[Cause], ref_cfg: ExperimentConfig, image: LoadedImage, model_file: str | None = None,
                layers: bool = False) -> dict[str, Any]:
    """Start every applicable new-process cause now, so it runs while the in-process causes do.

    ``model_file`` replaces the reference's model (a saved copy of a model held in memory); with ``layers`` each
    also runs the instrumented pass and hands its activations back."""
    from vggcompare.core.process.fresh import start_all

    if model_file:
        ref_cfg = ref_cfg.replace(model=model_file)
    return start_all({c.key: (ref_cfg.replace(**c.changes).validate(), image.source)
                      for c in causes if c.fresh_process and not c.not_applicable}, layers)


def wait_fresh(key: str, run, results: dict, probs: dict, cancel, progress) -> Generator[Any, None, None]:
    """Wait for a new-process cause, yielding progress five times a second; keep its result."""
    try:
        while not run.poll(cancel):
            yield progress()
            time.sleep(0.2)
        results[key] = run.result()
    except RunCancelled:
        raise RunCancelled("the checkup was cancelled") from None
    except VggCompareError as exc:  # it failed or ran past the time limit: the row says so
        raise FreshProcessError(str(exc)) from exc
    probs[key] = results[key].probabilities
