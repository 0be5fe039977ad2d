"""The built-in models in the window: the grouped list with sizes, and EfficientNet-Lite0 offered by the weights prompt."""

from __future__ import annotations

import pytest

from vggcompare.core.catalog import LITE0, MODELS
from vggcompare.gui.controls.model import BUILTIN, IMAGENET, RANDOM, ModelControls

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


def test_the_list_holds_every_built_in_model_by_family_with_its_size(qtbot):
    controls = ModelControls()
    qtbot.addWidget(controls)
    combo = controls.builtin
    names = [combo.itemData(i) for i in range(combo.count())]
    assert set(n for n in names if n) == set(MODELS) - {"vgg19"}  # VGG19 has the first three choices
    headers = [combo.itemText(i) for i, n in enumerate(names) if n is None]
    assert "— ResNet —" in headers and "— MobileNet —" in headers and "— EfficientNet-Lite —" in headers
    assert not combo.model().item(names.index(None)).isEnabled()  # a header cannot be chosen
    text = combo.itemText(names.index("resnet50"))
    assert "ResNet50" in text and "224×224" in text and "caffe" in text and "98 MB" in text
    assert "no download" in combo.itemText(names.index(LITE0))


def test_a_built_in_choice_goes_into_the_configuration_and_back(qtbot, tiny_config):
    controls = ModelControls()
    qtbot.addWidget(controls)
    controls.choose_builtin("mobilenetv2-random")
    config = controls.apply_to(tiny_config)
    assert controls.choice.currentIndex() == BUILTIN and config.model == "mobilenetv2-random"
    assert config.effective_preprocess == "tf" and config.labels is None
    other = ModelControls()
    qtbot.addWidget(other)
    other.set_from(config.replace(model="inceptionv3"))
    assert other.apply_to(tiny_config).model == "inceptionv3" and not other.builtin_random.isChecked()
    other.set_from(config.replace(model=LITE0))
    assert other.apply_to(tiny_config).model == LITE0 and other.builtin_random.isHidden()


def test_the_weights_prompt_offers_efficientnet_lite0_and_switches_only_on_the_click(qtbot, window):
    window.model_state.enabled = False  # no background model checks in this test
    assert window.controls.model.choice.currentIndex() == IMAGENET
    prompt = window.prompt
    prompt.show_reason("The weights are not cached.")
    assert prompt.lite0.text() == "EfficientNet-Lite0 (real ImageNet weights, no download)" and prompt.lite0.isVisible()
    assert window.controls.model.choice.currentIndex() == IMAGENET  # nothing switched by itself
    prompt.lite0.click()
    assert window.controls.model.choice.currentIndex() == BUILTIN
    assert window.controls.config().model == LITE0
    assert not prompt.isVisible()
    window.controls.model.choice.setCurrentIndex(RANDOM)
    assert window.controls.config().model == "vgg19-random"


def test_a_run_of_the_real_model_in_the_window_names_the_cat(qtbot, window):
    window.controls.model.choose_builtin(LITE0)
    with qtbot.waitSignal(window.session.result_ready, timeout=TIMEOUT_MS) as blocker:
        window.start_run()
    result = blocker.args[0]
    assert result.config.model == LITE0 and result.environment.preprocess == "lite"
    assert result.labels[result.statistics.top1_mode] == "Egyptian cat"


@pytest.fixture
def fresh_engine():
    """Stop the shared engine before and after the test, so environment changes reach a new one."""
    from vggcompare.gui.session.engine_pool import engine_pool

    engine_pool().stop()
    yield
    engine_pool().stop()


def test_without_vgg19s_weights_the_demonstrations_run_on_the_real_model_and_the_cards_say_so(
        qtbot, window, tmp_path, monkeypatch, fresh_engine):
    from vggcompare.gui.demos.fallback import NOTE
    from vggcompare.gui.session.model_session import WEIGHTS_MISSING

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # an empty cache: VGG19's weights are missing
    cards = window.tabs.gallery.cards
    assert not any(card.note.text() for card in cards.values())
    with qtbot.waitSignal(window.session.model.state_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda state, _s: state == WEIGHTS_MISSING):
        window.start_background_work()
    window.model_state.enabled = False
    assert all(NOTE in card.note.text() and not card.note.isHidden() for card in cards.values())
    started = []
    monkeypatch.setattr(window.session, "run_preset", lambda name, config: started.append((name, config)))
    window.start_preset("pitfalls")
    assert started[0][0] == "pitfalls" and started[0][1].model == LITE0
    assert window.controls.config().model == "vgg19" and window.controls.model.choice.currentIndex() == IMAGENET
    window.controls.model.choice.setCurrentIndex(RANDOM)  # another chosen model: the demonstrations run it
    assert not any(card.note.text() for card in cards.values())
    window.start_preset("pitfalls")
    assert started[1][1].model == "vgg19-random"


def test_a_missing_keras_model_gets_the_prompt_with_its_size_and_its_own_ways_on(
        qtbot, window, tmp_path, monkeypatch, fresh_engine):
    from vggcompare.gui.session.model_session import WEIGHTS_MISSING

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # an empty cache: ResNet50's weights are missing
    window.controls.model.choose_builtin("resnet50")
    with qtbot.waitSignal(window.session.model.state_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda state, _s: state == WEIGHTS_MISSING):
        window.start_background_work()
    window.model_state.enabled = False
    prompt = window.prompt
    assert prompt.isVisible() and "The ImageNet ResNet50 weights are not available." in prompt.reason.text()
    assert "resnet50_weights_tf_dim_ordering_tf_kernels.h5 (98 MB)" in prompt.reason.text()
    assert prompt.download.text() == "Download the weights (98 MB)" and prompt.pick.isHidden()
    assert not any(card.note.text() for card in window.tabs.gallery.cards.values())  # VGG19's fallback is not this
    asked = []
    monkeypatch.setattr(window.session.model, "download", lambda config=None: asked.append(config))
    prompt.download.click()
    assert asked[0].model == "resnet50"  # the engine downloads it with Keras (core.studies.jobs.fetch_model_weights)
    prompt.random.click()
    assert window.controls.config().model == "resnet50-random" and window.controls.model.choice.currentIndex() == BUILTIN


def test_the_keras_download_is_an_engine_job_and_vgg19s_stays_local(tiny_config):
    from unittest.mock import MagicMock

    from vggcompare.core.studies import jobs
    from vggcompare.gui.session.model_session import ModelSession

    runner = MagicMock()
    engine_handle, local_handle = MagicMock(), MagicMock()
    runner.submit.return_value = engine_handle
    runner.run_local.return_value = local_handle
    session = ModelSession(runner)
    session.download(tiny_config.replace(model="mobilenetv2"))
    job = runner.submit.call_args.args[0]
    assert job.function is jobs.fetch_model_weights and job.args[0].model == "mobilenetv2"
    assert not runner.run_local.called
    session.cancel_download()
    engine_handle.cancel.assert_called_once()  # its own job only, through its handle
    session._download_ended(False, "")
    session.download(tiny_config.replace(model="vgg19"))
    assert runner.run_local.called  # VGG19's own md5-checked download, in the window's file thread
