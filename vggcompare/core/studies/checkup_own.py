"""The checkup's causes against the caller's own functions (the Python API): which still run, and why others cannot.

A cause that swaps the user's loader or preprocessing for one the tool knows still runs (it measures the
user's function against that one). A cause that would change something inside the user's function (its
resize filter, preprocessing applied twice) cannot, and says so. A function cannot cross into a new
Python process, so the kernel-library and thread causes cannot run with one either.
"""

from __future__ import annotations

from dataclasses import replace

from vggcompare.core.config import DEFAULT_INTERPOLATION, ExperimentConfig
from vggcompare.core.option_rules import why_not
from vggcompare.core.studies.checkup_causes import _LOADER_SENTENCES, Cause

# The causes that would change something inside the caller's function, and the option each sets: the reason
# is that option's rule against the function (core.option_rules)
_LOADER_INSIDE = {"resize filter": "interpolation", "EXIF orientation": "pitfalls=apply-exif",
                  "transparency on white": "pitfalls=alpha-on-white"}
_PREPROCESS_INSIDE = {"preprocess_input twice": "pitfalls=double-preprocess",
                      "rescale after preprocess_input": "pitfalls=rescale-after-preprocess",
                      "no BGR swap": "pitfalls=no-bgr-swap"}


def own_function_causes(causes: list[Cause], ref: ExperimentConfig) -> list[Cause]:
    """``causes`` adjusted for the caller's own loader or preprocessing function named in ``ref``."""
    own_loader, own_preprocess = ref.loader_function, ref.preprocess_function
    if not own_loader and not own_preprocess:
        return causes
    out: list[Cause] = []
    if own_loader and not any(c.key == f"loader {ref.loader}" for c in causes):
        name = ref.loader
        out.append(Cause(f"loader {name}", f"{name} at its defaults instead of {own_loader}",
                         {"loader": name, "interpolation": DEFAULT_INTERPOLATION[name], "pitfalls": (), "dct_method": "default",
                          "antialias": False}, _LOADER_SENTENCES[name]))
    for cause in causes:
        out.append(_adjusted(cause, own_loader, own_preprocess))
    return [_loader_replaced(c, own_loader) for c in out]


def _adjusted(cause: Cause, own_loader: str | None, own_preprocess: str | None) -> Cause:
    if own_loader and cause.key in _LOADER_INSIDE:
        return replace(cause, not_applicable=why_not(_LOADER_INSIDE[cause.key], {"loader_function": own_loader}))
    if own_preprocess and cause.key in _PREPROCESS_INSIDE:
        return replace(cause, not_applicable=why_not(_PREPROCESS_INSIDE[cause.key], {"preprocess_function": own_preprocess}))
    if cause.not_applicable:
        return cause
    if cause.fresh_process:
        what = "loader" if own_loader else "preprocessing"
        return replace(cause, not_applicable=f"your own {what} function cannot cross into a new Python process, where this "
                                             "cause must run")
    if own_preprocess and "preprocess" in cause.changes:
        mode = cause.changes["preprocess"]
        return replace(cause, setting=f"{mode} mode instead of {own_preprocess}",
                       changes={**cause.changes, "preprocess_function": None},
                       sentence=f"Your code uses keras' preprocess_input in {mode} mode instead of {own_preprocess}.")
    return cause


def _loader_replaced(cause: Cause, own_loader: str | None) -> Cause:
    """A cause that picks one of the tool's loaders puts the caller's loader aside."""
    if own_loader and "loader" in cause.changes and not cause.not_applicable:
        return replace(cause, changes={**cause.changes, "loader_function": None})
    return cause
