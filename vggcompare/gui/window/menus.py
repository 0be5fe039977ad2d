"""The window's menus: File, Run, Compare, Demos, Export, View and Help. Actions call the window's methods.

``w.run_action``, ``w.checkup_action``, ``w.cancel_action`` and ``w.demo_actions`` are set here; the window enables them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.gui.present import toggle as toggle_present
from vggcompare.gui.window import exports
from vggcompare.gui.common.dialogs import show_help
from vggcompare.gui.window.reproduce_actions import reproduce_shown
from vggcompare.gui.window.tabs import COMPARE_TAB


def _action(window, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window, triggered=slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    return action


def build_menus(w) -> None:
    """Fill ``w``'s menu bar and set ``w.run_action`` and ``w.cancel_action``."""
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(_action(w, "Open image…", w.image_panel.open_dialog, QKeySequence.StandardKey.Open))
    file_menu.addAction(_action(w, "Paste image", w.image_panel.paste, QKeySequence.StandardKey.Paste))
    file_menu.addAction(_action(w, "Open result JSON…", w.exports.open_result_dialog))
    file_menu.addMenu(w.image_panel.recent_menu).setText("Recent images")
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "Quit", w.close, QKeySequence.StandardKey.Quit))
    run_menu = bar.addMenu("&Run")
    w.run_action = _action(w, "Run", w.start_run, "Ctrl+R")
    w.cancel_action = _action(w, "Cancel run", w.cancel_run, Qt.Key.Key_Escape)
    w.cancel_action.setEnabled(False)
    run_menu.addAction(w.run_action)
    w.checkup_action = _action(w, "Check every cause", w.start_checkup, "Ctrl+K",
                               "Run the checkup on the Checkup tab: every cause against your pipeline, ranked")
    run_menu.addAction(w.checkup_action)
    run_menu.addAction(w.cancel_action)
    tip = "Re-run the shown run's exact configuration and say whether it is the same, bit for bit"
    cmp = bar.addMenu("&Compare")
    cmp.addAction(_action(w, "Repeat this run and compare", lambda: w.repeat(False), "Ctrl+Shift+R", tip))
    cmp.addAction(_action(w, "Repeat in a fresh Python process and compare", lambda: w.repeat(True), None, tip))
    cmp.addAction(_action(w, "Reproduce on this machine", lambda: reproduce_shown(w), None,
                          "Re-run the shown result (for example a colleague's, opened with File → Open result JSON…) "
                          "here and list what differs: numbers, settings and environment"))
    cmp.addAction(_action(w, "Show history", lambda: w.tabs.setCurrentIndex(COMPARE_TAB)))
    demos = bar.addMenu("&Demos")
    w.demo_actions = [_action(w, p.title, lambda _c=False, n=p.name: w.start_demo(n), None, p.explanation) for p in PRESETS.values()]
    for action in w.demo_actions:
        demos.addAction(action)
    demos.setToolTipsVisible(True)
    _export_menu(w, bar.addMenu("&Export"))
    w.present_action = _action(w, "Present", lambda: toggle_present(w), Qt.Key.Key_F11,
                               "Full screen for a room: the picture, the top 5, the map and the verdict, then each "
                               "demonstration as a question and its answer (Esc leaves)")
    bar.addMenu("&View").addAction(w.present_action)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(_action(w, "How to read this window", lambda: show_help(w), QKeySequence.StandardKey.HelpContents))


def _export_menu(w, menu) -> None:
    x = w.exports
    for scale in (1, 2):
        menu.addAction(_action(w, f"Window as PNG ({scale}×)…", lambda _c=False, s=scale: x.save_png(w, "window", s)))
    panels = menu.addMenu("Panel as PNG")
    for name, getter in x.panels().items():
        for scale in (1, 2):
            panels.addAction(_action(w, f"{name} ({scale}×)…", lambda _c=False, g=getter, n=name, s=scale: x.save_png(g(), n, s)))
    menu.addAction(_action(w, "Copy window to clipboard", lambda: exports.copy_to_clipboard(w)))
    menu.addAction(_action(w, "Copy result panel to clipboard", lambda: exports.copy_to_clipboard(w.results)))
    menu.addSeparator()
    for key, (title, _f, _e, _fn) in exports.EXPORTERS.items():
        menu.addAction(_action(w, f"{title}…", lambda _c=False, k=key: x.export_data(k)))
    menu.addSeparator()
    menu.addAction(_action(w, "PDF report of this run…", lambda: x.export_pdf("run")))
    menu.addAction(_action(w, "PDF report of the comparison…", lambda: x.export_pdf("comparison")))
    menu.addAction(_action(w, "PDF report of the demonstration…", lambda: x.export_pdf("demo")))
    menu.addSeparator()
    x.figures.add_to_menu(menu)  # Figure (SVG, PDF or PNG), Show full paths, Include every run
