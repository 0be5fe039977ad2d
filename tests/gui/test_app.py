"""``vggcompare`` with no arguments, in a fresh process: the window, the background check, a run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui

SCRIPT = textwrap.dedent(
    """
    import sys
    import vggcompare.gui.window.main_window as mw
    from vggcompare.core.config import ExperimentConfig

    original = mw.MainWindow.start_background_work

    def hooked(self):
        print("TF_BEFORE_SHOWN", "tensorflow" in sys.modules, self.isVisible(), flush=True)
        print("PYQTGRAPH_BEFORE_SHOWN", "pyqtgraph" in sys.modules, flush=True)
        self.results.plots_ready.connect(lambda: print("PLOTS_READY", self.results.variance.plot_widget is not None, flush=True))
        fn = lambda: sys.modules["pyqtgraph.functions"]  # noqa: E731
        self.results.plots_ready.connect(lambda: print("LOADED_AS_USUAL", type(fn().__loader__).__name__,
                                                       fn().__spec__.loader is fn().__loader__,
                                                       any("Prepared" in type(f).__name__ for f in sys.meta_path), flush=True))
        original(self)
        self.session.image_changed.connect(lambda im: print("SAMPLE", im.source.endswith("cat.png"), flush=True))
        if self.session.image is not None:
            print("SAMPLE", self.session.image.source.endswith("cat.png"), flush=True)

        def on_state(state, text):
            print("STATE", state, flush=True)
            if state == "weights-missing" and not self.session.busy:
                self.controls.set_config(ExperimentConfig(model=sys.argv[1], labels=sys.argv[2], passes=6))
                self.start_run()

        self.session.model.state_changed.connect(on_state)

        def done(result):
            print("RESULT", result.passes, flush=True)
            print("TF_IN_WINDOW", "tensorflow" in sys.modules, "keras" in sys.modules, flush=True)
            self.close()

        self.session.result_ready.connect(done)
        self.session.failed.connect(lambda t, e, d: (print("FAILED", e, flush=True), self.close()))

    mw.MainWindow.start_background_work = hooked
    from vggcompare.gui.app import main

    sys.exit(main([]))
    """
)


def test_the_app_opens_checks_the_model_in_the_background_and_runs(gui_model, tmp_path):
    """The start-up check starts the engine process after the first paint; the window's process never imports TensorFlow."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERAS_HOME=str(tmp_path / "keras"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, gui_model["model"], gui_model["labels"]],
                          capture_output=True, text=True, env=env, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr[-3000:]
    assert "TF_BEFORE_SHOWN False True" in out  # TensorFlow was not imported before the window was shown
    assert "PYQTGRAPH_BEFORE_SHOWN False" in out  # the first screen has no plot yet: pyqtgraph comes after it
    assert "PLOTS_READY True" in out  # then pyqtgraph is loaded in pieces and the plots are built
    assert "LOADED_AS_USUAL SourceFileLoader True False" in out  # from prepared bytecode, but its modules look as usual
    assert "SAMPLE True" in out
    assert "STATE weights-missing" in out
    assert "RESULT 6" in out
    assert "TF_IN_WINDOW False False" in out  # the engine ran in its own process
