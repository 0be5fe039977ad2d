"""The Python API's checkup on the caller's own model and functions: causes inside a function are "not applicable"
with the reason, causes that swap it for a pipeline the tool knows still run, and the new-process causes run on a
saved copy of an in-memory model."""

from __future__ import annotations

import numpy as np
import pytest

from tests.api_helpers import probe_model


@pytest.fixture(scope="module")
def vc():
    import vggcompare

    return vggcompare


@pytest.fixture(scope="module")
def own_preprocess_checkup(vc, photo):
    def my_preprocess(batch):
        return batch / 127.5 - 1.0

    return vc.checkup(probe_model(), photo, preprocess=my_preprocess, progress=False)


def test_own_preprocessing_makes_the_causes_inside_it_not_applicable(own_preprocess_checkup):
    row = own_preprocess_checkup.row("preprocess_input twice")
    assert row.status == "not applicable"
    assert row.reason == "your own preprocessing function: the tool cannot apply it twice on your behalf"
    assert own_preprocess_checkup.row("no BGR swap").reason.startswith("your own preprocessing function")
    for cause in ("kernel library", "threads"):
        assert "cannot cross into a new Python process" in own_preprocess_checkup.row(cause).reason


def test_every_other_cause_still_runs_with_own_preprocessing(own_preprocess_checkup):
    swapped = own_preprocess_checkup.row("another architecture's preprocessing")
    assert swapped.status == "measured" and swapped.largest_change > 0 and "my_preprocess" in swapped.setting
    for cause in ("resize filter", "loader tf-dataset", "loader opencv", "precision", "batch size", "call eager"):
        assert own_preprocess_checkup.row(cause).status == "measured", cause


def test_checkup_html_holds_the_ranked_table_and_the_reasons(own_preprocess_checkup):
    page = own_preprocess_checkup._repr_html_()
    assert "largest probability change" in page and "<svg" in page
    assert "cannot apply it twice on your behalf" in page


def test_own_loader_keeps_the_loader_causes_as_swaps(vc, photo):
    import keras

    def my_loader(path):
        return np.asarray(keras.utils.load_img(path, target_size=(32, 32), interpolation="bilinear"))

    found = vc.checkup(probe_model(), photo, loader=my_loader, new_processes=False, progress=False)
    assert found.row("resize filter").reason == "your own loader function: the tool cannot change the resize filter inside it"
    assert found.row("loader load-img").status == "measured" and found.row("loader load-img").largest_change > 0
    bilinear = vc.run(probe_model(), photo, passes=1, interpolation="bilinear", seeding="once", progress=False)
    assert found.reference_top1 == bilinear.top1


def test_new_process_causes_run_on_a_saved_copy_of_an_in_memory_model(vc, photo):
    found = vc.checkup(probe_model(), photo, progress=False)
    for cause in ("kernel library", "threads"):
        row = found.row(cause)
        assert "in memory" not in row.reason and "fresh process failed" not in row.reason, row.reason
        assert row.status == "measured" or "same" in row.reason or "one core" in row.reason, row.reason
    assert found.row("kernel library").status == "measured"


@pytest.mark.parametrize("option, changes", [
    ("pitfalls=double-preprocess", {"pitfalls": ("double-preprocess",)}),
    ("pitfalls=apply-exif", {"pitfalls": ("apply-exif",)}),
    ("interpolation", {"interpolation": "bilinear"}),
])
def test_a_setting_inside_an_own_function_is_refused_with_the_checkups_reason(vc, photo, option, changes):
    from vggcompare.core.errors import ConfigError
    from vggcompare.core.option_rules import why_not

    own = {"preprocess": lambda b: b} if option == "pitfalls=double-preprocess" else {"loader": lambda p: np.zeros((32, 32, 3))}
    with pytest.raises(ConfigError) as caught:
        vc.run(probe_model(), photo, passes=1, progress=False, **own, **changes)
    field = "preprocess_function" if "preprocess" in own else "loader_function"
    assert str(caught.value) == why_not(option, {field: "<lambda>"}) and str(caught.value).startswith("your own")
