"""Every preset by name.

Presets take the model from the current configuration (except the small-CNN one, which needs a
model with dropout layers), so they work with random weights or a custom model when the ImageNet
weights are absent.
"""

from __future__ import annotations

from vggcompare.core.studies.presets import checkup, layers, matrix, numerics, pitfalls, popular, runtimes, serving
from vggcompare.core.studies.presets.base import Preset

PRESETS: dict[str, Preset] = {p.name: p for m in (checkup, popular, matrix, pitfalls, serving, runtimes, numerics, layers)
                             for p in m.PRESETS}
