"""Shared pieces of the sweep tests: a probe model whose output moves with every pixel, and a photo folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vggcompare.core.job_driver import drive as drive_job
from vggcompare.core.resources import sweep_samples_folder

# Reference, a resize filter, and seeded augmentation: every kind of keyed randomness a resume must repeat.
VARIANTS = {
    "reference": {"name": "reference", "changes": {}},
    "variants": [
        {"name": "bilinear", "changes": {"interpolation": "bilinear"}},
        {"name": "augmented", "changes": {"augment": {"enabled": True}}},
    ],
}


@pytest.fixture(scope="session")
def probe_model(tmp_path_factory):
    """Flatten → Dense(10, tiny weights) → softmax: probabilities near 0.1 that move with every pixel."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-4)),
    ])
    path = tmp_path_factory.mktemp("probe") / "probe.keras"
    model.save(path)
    return str(path)


@pytest.fixture()
def photo_folder(tmp_path):
    """The bundled photos in a nested folder, plus a corrupt JPEG, a hidden file and a text file."""
    folder = tmp_path / "photos"
    shutil.copytree(sweep_samples_folder(), folder / "set", ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (folder / ".hidden.jpg").write_bytes(b"ignored")
    (folder / "notes.txt").write_text("not an image\n")
    return folder


def write_variants(tmp_path: Path) -> str:
    path = tmp_path / "variants.json"
    path.write_text(json.dumps(VARIANTS))
    return str(path)


def drive(gen):
    """Run a generator to the end; return its value and the number of reports it yielded."""
    reports: list = []
    value = drive_job(gen, reports.append)
    return value, len(reports)
