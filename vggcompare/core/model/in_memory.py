"""Models the caller holds in memory (the Python API), known to the configuration by a name.

:func:`hold` gives a ``keras.Model`` object a name, ``in-memory:<model name>#<serial>``, that a configuration's
``model`` field records; :func:`prepare_model` then uses the object itself. The registry keeps only weak
references, so holding a model here never keeps it alive; one object keeps its serial while it lives.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from vggcompare.core.catalog import IN_MEMORY_PREFIX as PREFIX, in_memory_name as display, is_in_memory  # noqa: F401
from vggcompare.core.errors import ModelError

_SERIALS: "weakref.WeakKeyDictionary[Any, int]" = weakref.WeakKeyDictionary()
_MODELS: "weakref.WeakValueDictionary[str, Any]" = weakref.WeakValueDictionary()
_COUNTER = itertools.count(1)


def hold(model: Any) -> str:
    """The name under which ``model`` is known to configurations (the same name for the same object)."""
    serial = _SERIALS.get(model)
    if serial is None:
        serial = _SERIALS[model] = next(_COUNTER)
    name = f"{PREFIX}{getattr(model, 'name', 'model')}#{serial}"
    _MODELS[name] = model
    return name


def held_model(model_field: str) -> Any:
    """The model object ``model_field`` names; ModelError when it is no longer held in this process."""
    model = _MODELS.get(model_field)
    if model is None:
        raise ModelError(f"the model {display(model_field)} was held in memory by the Python API and is not in this "
                         "process; save the result with .save(path) to keep a copy of the model beside it")
    return model
