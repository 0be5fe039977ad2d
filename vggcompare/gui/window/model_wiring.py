"""Wires the model line, the weights prompt and error boxes' offers to the controls and the image panel, so none of them reads another."""

from __future__ import annotations

from vggcompare.core.catalog import LITE0
from vggcompare.gui.image.model_status import ModelStatus
from vggcompare.gui.window.neighbour_check import check_neighbour_folder


def attach_model_status(window) -> ModelStatus:
    """Make the window's ModelStatus and connect the prompt's choices to the model controls."""
    controls, prompt, panel = window.controls.model, window.prompt, window.image_panel
    status = ModelStatus(window.session.model, prompt, window.controls.config, window)
    window.session.model.model_ready.connect(lambda info: panel.set_model_view(input_size=info.input_size))
    prompt.use_random.connect(controls.use_random)
    prompt.use_lite0.connect(lambda: controls.choose_builtin(LITE0))

    def use_weights_file(path: str) -> None:
        controls.use_weights_file(path)
        window.settings.set_last_folder(path)

    prompt.weights_file_chosen.connect(use_weights_file)
    return status


def follow_controls(window) -> None:
    """The controls changed: the model's input picture and the model line follow, and a new batch-neighbours folder is checked."""
    window.image_panel.set_model_view(**window.controls.model_view())
    window.model_state.controls_changed(window.controls.model.prompt_model())
    check_neighbour_folder(window)


def rerun_with_maps(window, method: str) -> None:
    """An error box's offer was taken: the controls choose ``method`` for the explanation maps, and the run starts again."""
    window.controls.explain_settings.use(method)
    window.start_run()
