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
    assert result.config.model == LITE0 and result.environment["preprocess"] == "lite"
    assert result.labels[result.statistics.top1_mode] == "Egyptian cat"
