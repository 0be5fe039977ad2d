"""Checks the chosen batch-neighbours folder off the GUI thread (a file job), so a run never starts on a folder that cannot serve."""

from __future__ import annotations

from vggcompare.gui.session.model_session import sentence


def check_neighbour_folder(window) -> None:
    """Start the check of the controls' batch-neighbours folder when it was not checked yet; its outcome goes back to them."""
    calls = window.controls.call_settings
    path = calls.folder_to_check()
    if path is None:
        return
    from vggcompare.core.passes.neighbours import readable_neighbour_folder  # (not on the window's start-up path)

    calls.checking = path
    window.session.file_job(readable_neighbour_folder, path, done=lambda _count: calls.set_folder_check(path, None),
                            failed=lambda exc, _details: calls.set_folder_check(path, sentence(exc)))
