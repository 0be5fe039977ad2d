"""The window's environment parts: numerics switches, environment differences, reproduce on this machine."""

from __future__ import annotations

import json

import pytest

from vggcompare.core.analysis.compare import compare_results
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.resources import sample_path
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.storage.result_file import load_result, save_result

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


def test_jax_disables_the_tensorflow_only_settings_with_the_reason(window):
    numerics = window.controls.numerics_settings
    numerics.deterministic.setChecked(True)
    numerics.kernels.setCurrentIndex(numerics.kernels.findData("eigen"))
    assert window.controls.config().kernels == "eigen" and window.controls.config().deterministic_ops
    numerics.backend.setCurrentIndex(numerics.backend.findData("jax"))
    config = window.controls.config()
    assert config.backend == "jax" and config.kernels == "default" and not config.deterministic_ops and config.threads is None
    for widget in (numerics.deterministic, numerics.auto_threads, numerics.kernels):
        assert not widget.isEnabled() and "TensorFlow setting: not available under JAX" in widget.toolTip()
    config.validate()
    numerics.backend.setCurrentIndex(numerics.backend.findData("tensorflow"))
    assert numerics.deterministic.isEnabled() and "JAX" not in numerics.deterministic.toolTip()
    numerics.precision.setCurrentIndex(numerics.precision.findData("bfloat16"))
    assert not numerics.bf16_note.isHidden() and "bfloat16" in numerics.bf16_note.text()


def test_choosing_bfloat16_says_before_the_run_whether_it_is_native_here(qtbot, window, tiny_config):
    window.controls.set_config(tiny_config.replace(precision="bfloat16"))
    window.start_background_work()  # the model check, which measures bfloat16 in the engine
    note = window.controls.numerics_settings.bf16_note
    qtbot.waitUntil(lambda: "matrix product ran" in note.text(), timeout=TIMEOUT_MS)  # measured in the engine
    assert note.text().startswith("bfloat16 on this machine: ") and not note.isHidden()


def _tiny_result(gui_model, tmp_path):
    config = ExperimentConfig(image=str(sample_path("cat")), model=gui_model["model"], labels=gui_model["labels"], passes=3,
                              seeding="once", seed=2, augment=AugmentConfig(enabled=True), batch_size=1)
    path = tmp_path / "colleague.json"
    save_result(run_experiment(config), path)
    return path


def test_the_compare_view_lists_environment_differences_beside_the_settings(window, gui_model, tmp_path):
    path = _tiny_result(gui_model, tmp_path)
    a = load_result(path)
    doc = json.loads(path.read_text())
    other = "oneDNN" if doc["environment"]["kernels"] == "Eigen" else "Eigen"  # whichever this machine did not run
    doc["environment"].update(cpu="AMD EPYC 7B13", cpu_flags=["avx2"], kernels=other)
    edited = tmp_path / "other.json"
    edited.write_text(json.dumps(doc))
    b = load_result(edited)
    window.tabs.compare_view.show_pair(a, b, compare_results(a, b))
    table = window.tabs.compare_view.table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert rows["environment: cpu_flags"][1] == "avx2" and rows["environment: kernels"][1] == other
    assert rows["environment: cpu"] == (a.environment.cpu, "AMD EPYC 7B13")
    assert table.item(0, 0).text().startswith("environment: ") and table.item(0, 0).font().bold()


def test_an_opened_result_is_reproduced_on_this_machine(qtbot, window, gui_model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    path = _tiny_result(gui_model, tmp_path)
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS):
        window.session.open_result_file(str(path))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    action = next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == "Reproduce on this machine")
    with qtbot.waitSignal(window.reproducer.finished, timeout=TIMEOUT_MS) as blocker:
        action.trigger()
    assert len(asked) == 1  # the result names a model file: the user was asked before it was loaded
    rep = blocker.args[0]
    assert rep.comparison.numbers.bit_identical
    banner = window.tabs.compare_view.banner
    assert banner.headline.text() == "Reproduced bit for bit on this machine"
    assert "reproduces the result bit for bit" in banner.verdict.text()


def test_a_refused_model_file_is_not_reproduced(qtbot, window, gui_model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window.session.show_result(load_result(_tiny_result(gui_model, tmp_path)))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    started = []
    window.reproducer.started.connect(lambda *a: started.append(a))
    from vggcompare.gui.window.reproduce_actions import reproduce_shown

    reproduce_shown(window)
    assert not started and "model file was not allowed" in window.statusBar().currentMessage()


def test_only_a_model_file_asks_before_reproducing_a_built_in_model_does_not(gui_model):
    from types import SimpleNamespace

    from vggcompare.gui.session.reproduce_session import needs_model_file

    def result(model):
        return SimpleNamespace(config=ExperimentConfig(model=model))

    assert needs_model_file(result(gui_model["model"]))
    assert not any(needs_model_file(result(m)) for m in ("vgg19", "vgg19-random", "efficientnet-lite0", "resnet50"))


def test_a_jax_run_from_the_window(qtbot, window, tiny_config):
    pytest.importorskip("jax")
    window.controls.set_config(tiny_config.replace(backend="jax", passes=4))
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS) as blocker:
        window.start_run()
    result = blocker.args[0]
    assert result.config.backend == "jax" and result.environment.backend == "jax" and result.environment.kernels == "XLA"
    assert not result.statistics.all_bit_identical  # augmentation and dropout ran under JAX
    assert "on JAX" in window.results.environment.text()
