"""Presenter mode: the run or a demonstration, full screen, in type a room reads from 5 m.

View → Present (F11) or ``vggcompare --present``. :mod:`.deck` orders the steps, :mod:`.runs` runs a
demonstration through the session's job handles, :mod:`.window` shows them; the numbers come from the core.
"""

from __future__ import annotations


def present(window, step=None):
    """Enter presenter mode over the main ``window`` (its PresentWindow is built on first use); returns it."""
    view = getattr(window, "present_view", None)
    if view is None:
        from vggcompare.gui.present.window import PresentWindow

        view = window.present_view = PresentWindow(window)
    view.enter(step)
    return view


def toggle(window) -> None:
    """View → Present (F11): enter presenter mode, or leave it when it is on."""
    view = getattr(window, "present_view", None)
    if view is not None and view.active:
        view.leave()
    else:
        present(window)
