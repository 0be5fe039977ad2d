"""``vggcompare.checkup``: every cause the tool knows against the caller's pipeline, on one image, ranked."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from vggcompare.api.checkup_result import Checkup


def checkup(
    model: Any,
    image: Any,
    *,
    preprocess: str | Callable = "auto",
    loader: str | Callable = "load-img",
    interpolation: str | None = None,
    call: str = "compiled",
    labels: str | os.PathLike | Sequence[str] | None = None,
    new_processes: bool = True,
    progress: bool = True,
    **settings: Any,
) -> "Checkup":
    """Try every cause of "different outputs" against your pipeline on ``image``, one variant each, and rank them.

    The reference is your pipeline (model, loader, preprocessing, call path) with nothing random on, one pass.
    Causes that cannot apply say why: a cause that would change something inside your own function (for example
    preprocessing applied twice) is "not applicable", while one that swaps your function for a pipeline the tool
    knows still runs. The kernel-library and thread-count causes run in new Python processes on a saved copy
    of an in-memory model; with your own function they cannot (a function cannot cross processes).

    Parameters
    ----------
    model, image, preprocess, loader, interpolation, call, labels
        As for :func:`vggcompare.run`.
    new_processes : bool
        Run the causes that need a new Python process (kernel library, threads).
    progress : bool
        Show a progress bar.
    **settings
        Other fields of the reference's configuration.

    Returns
    -------
    Checkup
        ``rows`` ranked (largest change first), ``headline()``; shown as a table in a notebook.

    Examples
    --------
    >>> def my_preprocess(batch):
    ...     return batch / 127.5 - 1.0
    >>> report = vc.checkup(model, "cat.png", preprocess=my_preprocess)
    >>> report.row("preprocess_input twice").reason
    'your own preprocessing function: the tool cannot apply it twice on your behalf'
    """
    from vggcompare.api.arguments import build_config, image_argument, model_argument, pipeline_arguments, scratch_folder
    from vggcompare.api.caller_state import caller_state
    from vggcompare.api.checkup_result import Checkup
    from vggcompare.api.files import save_model_copy
    from vggcompare.api.progress import drive
    from vggcompare.api.run import check_label_count
    from vggcompare.core.errors import ModelError
    from vggcompare.core.studies.checkup import run_checkup

    chosen = model_argument(model, labels)
    picture = image_argument(image)
    changes, pipeline = pipeline_arguments(preprocess, loader)
    changes.update(interpolation=interpolation, call=call, **settings)
    config = build_config(chosen, picture, changes)
    with caller_state(chosen.held):
        check_label_count(chosen, config)
        model_file = None
        if chosen.held is not None and new_processes and pipeline is None:
            try:
                model_file = str(save_model_copy(chosen.held, os.path.join(scratch_folder(), f"model-{id(chosen.held):x}.keras"))[0])
            except ModelError:
                model_file = None  # the new-process causes then say the model has no saved copy
        found = drive(run_checkup(config, picture, new_processes=new_processes, pipeline=pipeline, model_file=model_file),
                      "vggcompare checkup", progress)
    return Checkup.from_core(found)
