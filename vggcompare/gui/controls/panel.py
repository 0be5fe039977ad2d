"""The configuration panel: common settings always visible, the rest in collapsible groups."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QVBoxLayout, QWidget

from vggcompare.core.config import MAX_PASSES, MAX_SEED, ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.option_rules import why_not
from vggcompare.gui.controls.advanced import NumericsSettings, PreprocessSettings
from vggcompare.gui.controls.pipeline import CallSettings, LoadingSettings
from vggcompare.gui.controls.serving import TITLE as SERVING_TITLE, ServingSettings
from vggcompare.gui.controls.augment import AugmentSettings
from vggcompare.gui.controls.explain import ExplainSettings
from vggcompare.gui.common.collapsible import Collapsible
from vggcompare.gui.controls.fields import combo, float_box, int_box
from vggcompare.gui.controls.model import ModelControls

SEEDING_TEXT = (
    ("off", "Off: a new random seed every run"),
    ("once", "Once, before the run"),
    ("every-pass", "Before every pass"),
)
SEEDING_TIP = (
    "Off: nothing is seeded, so a repeat of the run draws different random numbers.\n"
    "Once: the seed is set once before the run; the passes still differ, but the whole run repeats exactly.\n"
    "Every pass: the seed is set again before each pass, so every pass draws the same random numbers."
)


class ControlsPanel(QWidget):
    """Every core setting; ``config()`` returns a validated ExperimentConfig or raises ConfigError."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ModelControls()
        self.passes = int_box(1, MAX_PASSES, 20, " passes", "How many times the same image goes through the model (N). "
                              "VGG19 needs about 0.1 s per pass on a fast CPU.")
        self.seeding = combo()
        for key, text in SEEDING_TEXT:
            self.seeding.addItem(text, key)
        self.seeding.setToolTip(SEEDING_TIP)
        self.seed = QDoubleSpinBox()  # a double holds every seed up to 2**32 - 1 exactly; QSpinBox stops at 2**31 - 1
        self.seed.setDecimals(0)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(42)
        self.seed.setToolTip(f"The seed: a whole number from 0 to {MAX_SEED:,}. Used only when seeding is on.")
        self.augment = QCheckBox("Random augmentation")
        self.augment.setToolTip("Each pass sees a randomly rotated, shifted, sheared, zoomed and flipped copy of the image "
                                "(ranges under 'Augmentation settings').")
        self.dropout = QCheckBox("Dropout at inference")
        self.dropout.setToolTip("Keep dropout switched on while predicting (Monte Carlo dropout), so each pass drops "
                                "a random share of the network's units. VGG19 gets dropout after its two big dense layers.")
        self.dropout_rate = float_box(0.01, 0.99, 0.5, 0.05, 2, "rate ", "", "The share of units dropped in each pass (0.5 = half).")
        dropout_row = QHBoxLayout()
        dropout_row.addWidget(self.dropout, 1)
        dropout_row.addWidget(self.dropout_rate)
        common = QGroupBox("Experiment")
        form = QFormLayout(common)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Model", self.model)
        form.addRow("Passes (N)", self.passes)
        form.addRow("Seeding", self.seeding)
        form.addRow("Seed", self.seed)
        form.addRow("Random sources", self.augment)
        form.addRow("", dropout_row)
        self.augment_settings = AugmentSettings()
        self.preprocess_settings = PreprocessSettings()
        self.loading_settings = LoadingSettings()
        self.numerics_settings = NumericsSettings()
        self.call_settings = CallSettings()
        self.explain_settings = ExplainSettings()
        self.serving_settings = ServingSettings()
        self.groups: dict[str, Collapsible] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(common)
        for key, title, content in (
            ("augmentation", "Advanced: augmentation settings", self.augment_settings),
            ("loading", "Advanced: loading, as your code does it", self.loading_settings),
            ("preprocessing", "Advanced: preprocessing, pitfalls", self.preprocess_settings),
            ("calls", "Advanced: call path, training mode, batch neighbours", self.call_settings),
            ("numerics", "Advanced: numerics", self.numerics_settings),
            ("serving", SERVING_TITLE, self.serving_settings),
            ("maps", "Where the model looked: explanation maps", self.explain_settings),
        ):
            group = Collapsible(title)
            group.addWidget(content)
            layout.addWidget(group)
            self.groups[key] = group
            content.changed.connect(self._on_changed)
        layout.addStretch(1)
        self.model.changed.connect(self._on_changed)
        self.passes.valueChanged.connect(lambda n: self.passes.setSuffix(" pass" if n == 1 else " passes"))
        self.passes.valueChanged.connect(self._on_changed)
        self.seeding.currentIndexChanged.connect(self._on_changed)
        self.seed.valueChanged.connect(self._on_changed)
        self.augment.toggled.connect(self._on_changed)
        self.dropout.toggled.connect(self._on_changed)
        self.dropout_rate.valueChanged.connect(self._on_changed)
        self._on_changed()

    def config(self, image: str | None = None) -> ExperimentConfig:
        """Build and validate the configuration; raise ConfigError with one sentence if it is not usable."""
        problem = self.model.problem()
        if problem:
            raise ConfigError(problem)
        cfg = ExperimentConfig(
            image=image,
            passes=self.passes.value(),
            seeding=self.seeding.currentData(),
            seed=int(self.seed.value()),
            dropout=self.dropout_rate.value() if self.dropout.isChecked() else None,
        )
        cfg = self.model.apply_to(cfg)
        cfg = self.augment_settings.apply_to(cfg).replace(augment=dict(enabled=self.augment.isChecked()))
        cfg = self.loading_settings.apply_to(self.preprocess_settings.apply_to(cfg))
        cfg = self.call_settings.apply_to(self.numerics_settings.apply_to(cfg))
        cfg = self.explain_settings.apply_to(cfg)
        cfg = self.serving_settings.apply_to(cfg)
        return cfg.validate()

    def model_view(self) -> dict:
        """How the model will see the image, as keywords for ``ImagePanel.set_model_view``."""
        switches = tuple(name for name, box in self.preprocess_settings.pitfalls.items() if box.isChecked())
        loading = self.loading_settings
        switches += ("opencv-bgr",) if loading.bgr.isChecked() else ()
        view = dict(interpolation=loading.interpolation.currentData(), switches=switches, loader=loading.loader.currentData())
        size = self.model.input_size()
        return view | (dict(input_size=size) if size is not None else {})

    def problem(self) -> str | None:
        """Why the current settings cannot run, in one sentence, or None."""
        try:
            self.config()
        except ConfigError as exc:
            text = str(exc)
            return text[:1].upper() + text[1:].rstrip(".") + "."
        return None

    def set_config(self, config: ExperimentConfig) -> None:
        """Show ``config`` in the controls, emitting ``changed`` once."""
        widgets = (self, self.model, self.passes, self.seeding, self.seed, self.augment, self.dropout, self.dropout_rate,
                   self.augment_settings, self.preprocess_settings, self.numerics_settings, self.loading_settings,
                   self.call_settings, self.explain_settings, self.serving_settings)
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.model.set_from(config)
            self.passes.setValue(config.passes)
            self.seeding.setCurrentIndex(max(0, self.seeding.findData(config.seeding)))
            self.seed.setValue(config.seed)
            self.augment.setChecked(config.augment.enabled)
            self.dropout.setChecked(config.dropout is not None)
            if config.dropout is not None:
                self.dropout_rate.setValue(config.dropout)
            self.augment_settings.set_from(config)
            self.preprocess_settings.set_from(config)
            self.numerics_settings.set_from(config)
            self.loading_settings.set_from(config)
            self.call_settings.set_from(config)
            self.explain_settings.set_from(config)
            self.serving_settings.set_from(config)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._on_changed()

    def expanded_groups(self) -> list[str]:
        """The advanced groups that are open."""
        return [key for key, group in self.groups.items() if group.isExpanded()]

    def set_expanded_groups(self, keys: list[str]) -> None:
        """Open exactly the advanced groups named in ``keys`` (no animation)."""
        for key, group in self.groups.items():
            if key in keys:
                group.expand(animate=False)
            else:
                group.collapse(animate=False)

    def _on_changed(self, *_args) -> None:
        self.seed.setEnabled(self.seeding.currentData() != "off")
        self.dropout_rate.setEnabled(self.dropout.isChecked())
        self.augment_settings.setEnabled(self.augment.isChecked())
        self._follow_rules()
        self.changed.emit()

    def _follow_rules(self) -> None:
        """A pitfall switch whose rule (core.option_rules) the other settings break is off, and its tooltip says why."""
        settings = self.preprocess_settings
        context = self.loading_settings.apply_to(self.model.apply_to(ExperimentConfig(preprocess=settings.mode.currentData())))
        for name, box in settings.pitfalls.items():
            reason = why_not(f"pitfalls={name}", context)
            box.setEnabled(not reason)
            box.setToolTip(f"Not available: {reason[:1].upper()}{reason[1:]}.\n\n{settings.tips[name]}" if reason else settings.tips[name])
