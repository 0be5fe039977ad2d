"""The Python API's run: its arguments (a model object, a file or a name; an image as a path, PIL image or array;
the caller's own loader and preprocessing), its result in a notebook, and the import that stays cheap."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.api_helpers import picture, probe_model


@pytest.fixture(scope="module")
def vc():
    import vggcompare

    return vggcompare


@pytest.fixture(scope="module")
def probe():
    return probe_model()


def test_importing_the_api_imports_no_tensorflow():
    code = ("import sys, vggcompare as vc; vc.run; vc.checkup; vc.compare_pipelines; vc.load; vc.RunResult; "
            "bad = [m for m in ('tensorflow', 'keras', 'PySide6', 'vggcompare.gui') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_unknown_name_is_an_attribute_error(vc):
    with pytest.raises(AttributeError):
        vc.no_such_function


def test_probe_tells_two_resize_filters_apart(vc, probe, photo):
    nearest = vc.run(probe, photo, passes=1, progress=False)
    bilinear = vc.run(probe, photo, passes=1, interpolation="bilinear", progress=False)
    assert not np.array_equal(nearest.probabilities, bilinear.probabilities)


def test_in_memory_model_equals_its_saved_file(vc, probe, photo, tmp_path):
    path = tmp_path / "probe.keras"
    probe.save(path)
    held = vc.run(probe, photo, passes=3, progress=False)
    from_file = vc.run(str(path), photo, passes=3, progress=False)
    assert np.array_equal(held.probabilities, from_file.probabilities)
    assert held.config.model.startswith("in-memory:probe")


def test_image_as_path_pil_and_array_give_the_same_passes(vc, probe, photo):
    array = np.asarray(Image.open(photo).convert("RGB"))
    by_path = vc.run(probe, photo, passes=2, progress=False).probabilities
    by_pil = vc.run(probe, Image.open(photo), passes=2, progress=False).probabilities
    by_array = vc.run(probe, array, passes=2, progress=False).probabilities
    assert np.array_equal(by_path, by_pil) and np.array_equal(by_path, by_array)


def test_own_preprocessing_equal_to_a_mode_gives_that_mode_bit_for_bit(vc, probe, photo):
    def scale_to_unit_range(batch):
        return batch / 127.5 - 1.0

    own = vc.run(probe, photo, passes=2, preprocess=scale_to_unit_range, progress=False)
    mode = vc.run(probe, photo, passes=2, preprocess="tf", progress=False)
    other = vc.run(probe, photo, passes=2, preprocess="torch", progress=False)
    assert np.array_equal(own.probabilities, mode.probabilities)
    assert not np.array_equal(own.probabilities, other.probabilities)  # the probe notices the preprocessing
    assert own.config.preprocess_function.endswith("scale_to_unit_range")
    assert own.environment.preprocess.startswith("your function")


def test_own_loader_equal_to_load_img_gives_it_bit_for_bit(vc, probe, photo):
    import keras

    def my_loader(path):
        return np.asarray(keras.utils.load_img(path, target_size=(32, 32)))

    own = vc.run(probe, photo, passes=1, loader=my_loader, preprocess="caffe", progress=False)
    tool = vc.run(probe, photo, passes=1, preprocess="caffe", progress=False)
    assert np.array_equal(own.probabilities, tool.probabilities)
    assert own.config.loader_function.endswith("my_loader")


def test_own_preprocessing_gets_a_copy_so_working_in_place_changes_nothing_else(vc, probe, photo):
    seen = []

    def in_place(batch):
        seen.append(batch.copy())
        batch -= 100.0  # as keras' preprocess_input does to a float array
        return batch

    first = vc.run(probe, photo, passes=3, batch_size=1, preprocess=in_place, progress=False)
    assert first.statistics.all_bit_identical  # every pass got the picture itself, not the previous pass's result
    assert all(np.array_equal(s, seen[0]) for s in seen)


def test_labels_as_a_list_name_the_classes(vc, probe, photo):
    names = [f"kind {i}" for i in range(10)]
    result = vc.run(probe, photo, passes=1, labels=names, progress=False)
    assert result.labels == names and result.top1 in names


def test_html_holds_the_verdict_top1_and_an_svg_spread_plot(vc, probe, photo):
    result = vc.run(probe, photo, passes=4, augment=True, seeding=3, progress=False)
    page = result._repr_html_()
    assert result.top1 in page and "<svg" in page and "±" in page
    assert result.verdict.split(";")[0][:40].replace("'", "&#x27;") in page


def test_seeding_as_a_number_means_once_with_that_seed(vc, probe, photo):
    a = vc.run(probe, photo, passes=3, augment=True, seeding=11, progress=False)
    b = vc.run(probe, photo, passes=3, augment=True, seeding=11, progress=False)
    assert a.config.seeding == "once" and a.config.seed == 11
    assert np.array_equal(a.probabilities, b.probabilities)


def test_picture_helper_differs_by_seed():
    assert not np.array_equal(picture(0), picture(1))


def test_runtime_serves_the_in_memory_model_through_an_export(vc, probe, photo):
    keras_run = vc.run(probe, photo, passes=1, progress=False)
    served = vc.run(probe, photo, passes=1, runtime="onnxruntime", progress=False)
    assert served.config.runtime == "onnxruntime"
    assert np.abs(served.probabilities - keras_run.probabilities).max() < 1e-5


def test_explain_makes_maps_for_an_in_memory_model(vc, probe, photo):
    result = vc.run(probe, photo, passes=2, explain="occlusion", progress=False)
    assert result.explanation is not None and result.config.explain == "occlusion"


def test_open_refuses_a_missing_result_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "vggcompare", "open", str(tmp_path / "none.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().startswith("error:") and "does not exist" in done.stderr
