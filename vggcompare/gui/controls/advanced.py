"""The advanced settings: preprocessing, pitfalls and loading switches, numerics (augmentation: augment_controls)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QWidget

from vggcompare.core.config import MAX_BATCH, MAX_THREADS, PITFALLS, ExperimentConfig
from vggcompare.core.input.preprocess import PITFALL_EXPLANATIONS
from vggcompare.gui.controls.fields import combo, int_box

LOADING_SWITCH_TEXT = {"apply-exif": "Apply EXIF orientation (as photo viewers do)",
                       "alpha-on-white": "Transparent pixels on white (as browsers show them)"}
PREPROCESS_TEXT = {
    "auto": "Automatic (caffe for VGG19, none for your model)",
    "caffe": "caffe: RGB→BGR, subtract ImageNet means",
    "tf": "tf: scale to −1…1",
    "torch": "torch: scale to 0…1, normalise",
    "none": "none: raw 0…255 pixels",
}


def _changed(group: "SettingsGroup"):
    return lambda *_args: group.changed.emit()


class SettingsGroup(QWidget):
    """A form of settings that says when any of them changed."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(4, 0, 0, 4)


class PreprocessSettings(SettingsGroup):
    """Preprocessing mode and the pitfalls that reproduce common mistakes (resizing: controls.pipeline)."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = combo()
        for name, text in PREPROCESS_TEXT.items():
            self.mode.addItem(text, name)
        self.mode.setToolTip("How pixel values are transformed before the model sees them. VGG19 was trained with caffe.")
        self.form.addRow("Preprocessing", self.mode)
        self.pitfalls: dict[str, QCheckBox] = {}
        self.tips: dict[str, str] = {}  # each switch's own tooltip (a switch that does not apply says why first)
        for name in (p for p in PITFALLS if p != "opencv-bgr"):  # OpenCV's BGR order sits with the opencv loader
            box = QCheckBox(LOADING_SWITCH_TEXT.get(name, f"Pitfall: {name}"))
            self.tips[name] = (f"Load the picture as other programs do: {PITFALL_EXPLANATIONS[name]}." if name in LOADING_SWITCH_TEXT
                               else f"Reproduce a common mistake: {PITFALL_EXPLANATIONS[name]}.")
            box.setToolTip(self.tips[name])
            box.toggled.connect(_changed(self))
            self.pitfalls[name] = box
            self.form.addRow("", box)
        self.mode.currentIndexChanged.connect(_changed(self))

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with this preprocessing and these pitfalls (the loader's own pitfall is kept)."""
        chosen = tuple(name for name, box in self.pitfalls.items() if box.isChecked())
        kept = tuple(p for p in config.pitfalls if p not in self.pitfalls)
        return config.replace(preprocess=self.mode.currentData(), pitfalls=chosen + kept)

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the preprocessing settings of ``config``."""
        self.mode.setCurrentIndex(max(0, self.mode.findData(config.preprocess)))
        for name, box in self.pitfalls.items():
            box.setChecked(name in config.pitfalls)


KERNEL_TEXT = {"default": "the CPU's default", "onednn": "oneDNN (forced)", "eigen": "Eigen (forced)"}
BACKEND_TEXT = {"tensorflow": "TensorFlow", "jax": "JAX (optional extra)"}
TF_ONLY = "a TensorFlow setting: not available under JAX"


def bfloat16_expectation() -> str:
    """What this CPU's flags say about bfloat16, before any run (the run measures it and says so in its verdict)."""
    from vggcompare.core.model.cpu import cpu_flags

    flags = cpu_flags()
    if "avx512_bf16" in flags or "amx" in flags:
        return "This CPU has bfloat16 instructions (AVX512_BF16/AMX): native with oneDNN, emulated with Eigen; the run measures it."
    return "This CPU has no AVX512_BF16 or AMX: bfloat16 is emulated here and slower than float32; the run measures it."


def connect_bfloat16_note(numerics: "NumericsSettings", model_session) -> None:
    """Show under Precision the engine's measured bfloat16 sentence, which the model check brings for a bfloat16 model."""
    model_session.model_ready.connect(lambda info: getattr(info, "bfloat16", "") and numerics.bf16_note.setText(info.bfloat16))


class NumericsSettings(SettingsGroup):
    """Passes per forward call, precision, deterministic ops, threads, kernel library and Keras backend.

    The kernel library and the backend are fixed when the engine starts, so a change starts a fresh
    engine process. Op determinism and threads are TensorFlow settings, disabled with a reason under JAX.
    """

    def __init__(self) -> None:
        super().__init__()
        self.auto_batch = QCheckBox("Automatic")
        self.batch = int_box(1, MAX_BATCH, 16, " passes", "How many passes go through the model in one call. Batches are faster; "
                             "the batch size can change the last digits of the outputs.")
        self.auto_batch.setToolTip("Let the program choose (16 passes per call, or 1 with new weights every pass).")
        self.precision = combo()
        self.precision.addItem("float32 (full precision)", "float32")
        self.precision.addItem("bfloat16 (faster, less exact)", "bfloat16")
        self.precision.setToolTip(
            "The number format of the computation. Measured on an Intel Xeon with AVX-512, AVX512_BF16 and AMX (native "
            "bfloat16): VGG19 ran 2.4–3.2× faster at bfloat16, its probabilities differing by about 1e-6; EfficientNet-Lite0 "
            "was no faster, and moved by up to 0.0016 (top-1 changed on 2 of 15 photos). With Eigen kernels or on an "
            "AVX2-only CPU bfloat16 is emulated and slower (0.4–0.9× float32's speed).")
        self.deterministic = QCheckBox("Deterministic operations")
        self.deterministic.setToolTip("Ask TensorFlow to use only deterministic kernels (same hardware, same numbers).")
        self.auto_threads = QCheckBox("TensorFlow's default")
        self.auto_threads.setToolTip("Let TensorFlow use one thread per CPU core.")
        self.threads = int_box(1, MAX_THREADS, 1, " threads", "Threads per operation. TensorFlow fixes this when it starts: "
                               "a different count needs a fresh process.")
        for label, check, box in (("Passes per call", self.auto_batch, self.batch), ("Threads", self.auto_threads, self.threads)):
            row = QHBoxLayout()
            row.addWidget(check)
            row.addWidget(box, 1)
            self.form.addRow(label, row)
            check.toggled.connect(box.setDisabled)
            check.toggled.connect(_changed(self))
            box.valueChanged.connect(_changed(self))
        self.form.addRow("Precision", self.precision)
        self.bf16_note = QLabel(bfloat16_expectation())
        self.bf16_note.setWordWrap(True)
        self.form.addRow("", self.bf16_note)
        self.form.addRow("", self.deterministic)
        self.kernels, self.backend = combo(), combo()
        for box, texts in ((self.kernels, KERNEL_TEXT), (self.backend, BACKEND_TEXT)):
            for value, text in texts.items():
                box.addItem(text, value)
            box.currentIndexChanged.connect(_changed(self))
            box.currentIndexChanged.connect(self._update_backend_rules)
        self.kernels.setToolTip("TensorFlow's CPU kernel library. oneDNN is the default on CPUs with AVX512_VNNI, AVX512_BF16 "
                                "or AMX, Eigen elsewhere; the two sum in different orders. Runs in a fresh engine process.")
        self.backend.setToolTip("The Keras backend that computes the passes. JAX needs pip install -e \".[jax]\". "
                                "Runs in a fresh engine process.")
        self.form.addRow("Kernel library", self.kernels)
        self.form.addRow("Keras backend", self.backend)
        self.precision.currentIndexChanged.connect(_changed(self))
        self.precision.currentIndexChanged.connect(self._update_backend_rules)
        self.deterministic.toggled.connect(_changed(self))
        self.auto_batch.setChecked(True)
        self.auto_threads.setChecked(True)
        self._update_backend_rules()

    def _update_backend_rules(self, *_args) -> None:
        """Disable, with the reason as tooltip, what the chosen backend does not have."""
        jax = self.backend.currentData() == "jax"
        self.bf16_note.setVisible(self.precision.currentData() == "bfloat16")
        for widget, tip in ((self.deterministic, "Ask TensorFlow to use only deterministic kernels (same hardware, same numbers)."),
                            (self.auto_threads, "Let TensorFlow use one thread per CPU core."),
                            (self.kernels, self.kernels.toolTip().split(" — ")[0])):
            widget.setEnabled(not jax)
            widget.setToolTip(f"{tip} — {TF_ONLY}" if jax else tip.split(" — ")[0])
        if jax:
            self.deterministic.setChecked(False)
            self.auto_threads.setChecked(True)
            self.kernels.setCurrentIndex(0)

    def apply_to(self, config: ExperimentConfig) -> ExperimentConfig:
        """Return ``config`` with these numerics settings."""
        return config.replace(
            batch_size=None if self.auto_batch.isChecked() else self.batch.value(),
            threads=None if self.auto_threads.isChecked() else self.threads.value(),
            precision=self.precision.currentData(), deterministic_ops=self.deterministic.isChecked(),
            kernels=self.kernels.currentData(), backend=self.backend.currentData(),
        )

    def set_from(self, config: ExperimentConfig) -> None:
        """Show the numerics settings of ``config``."""
        self.auto_batch.setChecked(config.batch_size is None)
        if config.batch_size is not None:
            self.batch.setValue(config.batch_size)
        self.auto_threads.setChecked(config.threads is None)
        if config.threads is not None:
            self.threads.setValue(config.threads)
        self.precision.setCurrentIndex(max(0, self.precision.findData(config.precision)))
        self.deterministic.setChecked(config.deterministic_ops)
        self.kernels.setCurrentIndex(max(0, self.kernels.findData(config.kernels)))
        self.backend.setCurrentIndex(max(0, self.backend.findData(config.backend)))
