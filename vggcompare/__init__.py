"""vggcompare: find out, by experiment, why a Keras model gives different outputs for the same image.

Importing this package is cheap: TensorFlow is imported only by the functions that need it, and the API's
names below load on first use.

>>> import vggcompare as vc
>>> result = vc.run(model, "cat.png", passes=20)          # a keras.Model, a model file or a built-in name
>>> checkup = vc.checkup(model, "cat.png", preprocess=my_preprocess)
>>> vc.compare_pipelines(model, "cat.png", training=load_for_training, serving=load_for_serving)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_NAMES = {
    "run": "vggcompare.api.run",
    "checkup": "vggcompare.api.checkup",
    "compare": "vggcompare.api.comparison",
    "compare_pipelines": "vggcompare.api.pipelines",
    "sweep": "vggcompare.api.sweep",
    "load": "vggcompare.api.loading",
    "show": "vggcompare.api.window",
    "match_pipeline": "vggcompare.api.pipelines",
    "RunResult": "vggcompare.api.run_result",
    "Checkup": "vggcompare.api.checkup_result",
    "Comparison": "vggcompare.api.comparison",
    "Sweep": "vggcompare.api.sweep",
    "VggCompareError": "vggcompare.core.errors",
}
__all__ = sorted(_NAMES) + ["__version__"]

if TYPE_CHECKING:
    from vggcompare.api.checkup import checkup
    from vggcompare.api.checkup_result import Checkup
    from vggcompare.api.comparison import Comparison, compare
    from vggcompare.api.loading import load
    from vggcompare.api.pipelines import compare_pipelines, match_pipeline
    from vggcompare.api.run import run
    from vggcompare.api.run_result import RunResult
    from vggcompare.api.sweep import Sweep, sweep
    from vggcompare.api.window import show
    from vggcompare.core.errors import VggCompareError


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'vggcompare' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))
