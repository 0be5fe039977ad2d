"""Model forms that are programs: a SavedModel folder, and an .h5 file read by tf_keras (Keras 2).

TensorFlow's SECURITY.md says a SavedModel is a program: its graph may read and write files and start processes
when it is called, and no safe mode exists for it. tf_keras' .h5 loader does not honour ``safe_mode`` either.
Such a model runs only when the user says they trust it (the CLI's ``--trust-model``, the API's ``trust_model``,
a confirmation in the window); without it the refusal is one sentence and nothing of the model is read into
TensorFlow. A result does not record the trust, so reproducing it asks again.
"""

from __future__ import annotations

from pathlib import Path

from vggcompare.core.errors import ModelError


class UntrustedModelError(ModelError):
    """A model form that is a program was asked to run without the user's trust."""


def is_saved_model(path: str) -> bool:
    """True when ``path`` is a TensorFlow SavedModel folder (it holds saved_model.pb)."""
    p = Path(path).expanduser()
    return p.is_dir() and ((p / "saved_model.pb").is_file() or (p / "saved_model.pbtxt").is_file())


def program_form(model: str, h5_reader: str = "keras") -> str:
    """What makes ``model`` a program, in words ('a SavedModel folder', …), or '' when it loads in a safe mode."""
    if is_saved_model(model):
        return "a SavedModel folder"
    if h5_reader == "tf-keras" and Path(model).suffix.lower() in (".h5", ".hdf5"):
        return "an .h5 file read by tf_keras (Keras 2)"
    return ""


def check_trusted(model: str, h5_reader: str = "keras", trusted: bool = False) -> None:
    """Refuse, in one sentence, to run a model form that is a program unless the user trusts it."""
    form = program_form(model, h5_reader)
    if form and not trusted:
        raise UntrustedModelError(
            f"{Path(model).name} is {form}, which TensorFlow runs as a program (it can read and write files and start "
            "processes) with no safe mode, so it runs only if you say you trust it (the CLI's --trust-model, the "
            "window's confirmation)")
