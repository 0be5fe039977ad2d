"""The experiment configuration in plain words: the one-line summary and the causes switched on.

:class:`ConfigWords` is a base class of :class:`vggcompare.core.config.ExperimentConfig`, kept apart
so that the configuration module is about the fields and their checks.
"""

from __future__ import annotations


class ConfigWords:
    """Plain-words views of an experiment configuration (the subclass supplies the fields)."""

    def summary(self) -> str:
        """Return a one-line, human summary of the settings that matter."""
        head = [_model_words(self), f"{self.passes} pass{'es' if self.passes != 1 else ''}", _seeding_words(self)]
        return ", ".join(head + self.causes())

    def causes(self) -> list[str]:
        """The sources of variation switched on besides model, N and seeding, in words (for summaries and tables)."""
        parts: list[str] = []
        if self.augment.enabled:
            parts.append("augmentation on")
        if self.reinit_weights:
            parts.append("new weights every pass")
        if self.dropout is not None:
            parts.append(f"dropout {self.dropout:g}")
        loader = getattr(self, "loader", "load-img")
        own_loader, own_preprocess = getattr(self, "loader_function", None), getattr(self, "preprocess_function", None)
        if own_loader:
            parts.append(f"your loader {own_loader}")
        elif loader != "load-img":
            parts.append(f"{loader} loader")
        if not own_loader and self.interpolation != {"tf-dataset": "bilinear", "opencv": "bilinear"}.get(loader, "nearest"):
            parts.append(f"{self.interpolation} resize")
        if getattr(self, "antialias", False):
            parts.append("antialias")
        if getattr(self, "dct_method", "default") != "default":
            parts.append(f"DCT {self.dct_method}")
        if getattr(self, "call", "compiled") != "compiled":
            parts.append(f"{self.call} call")
        if getattr(self, "training_mode", False):
            part = getattr(self, "training_part", "all")
            parts.append({"batchnorm": "training mode, BatchNorm only", "dropout": "training mode, Dropout only"}.get(part, "training mode"))
        if getattr(self, "batch_neighbours", "none") != "none":
            parts.append(f"batch neighbours {self.batch_neighbours.replace(chr(92), '/').rstrip('/').rsplit('/', 1)[-1]}")
        if own_preprocess:
            parts.append(f"your preprocessing {own_preprocess}")
        elif self.preprocess != "auto" and (self.is_custom_model or self.preprocess != self.model_preprocess):
            parts.append(f"{self.effective_preprocess} preprocessing")
        parts.extend(f"pitfall {p}" for p in self.pitfalls)
        if self.batch_size is not None:
            parts.append(f"{self.batch_size} per call")
        if self.precision != "float32":
            parts.append(self.precision)
        if self.deterministic_ops:
            parts.append("deterministic ops")
        if self.threads is not None:
            parts.append(f"{self.threads} thread{'s' if self.threads != 1 else ''}")
        if self.kernels != "default":
            parts.append({"onednn": "oneDNN kernels", "eigen": "Eigen kernels"}[self.kernels])
        if self.backend != "tensorflow":
            parts.append(f"{self.backend.upper() if self.backend == 'jax' else self.backend} backend")
        return parts


def _model_words(cfg) -> str:
    from vggcompare.core.catalog import display_name
    from vggcompare.core.catalog import in_memory_name as display, is_in_memory

    if is_in_memory(cfg.model):
        return f"model {display(cfg.model)} (in memory)"
    return display_name(cfg.model) if not cfg.is_custom_model else f"model {display_name(cfg.model)}"


def _seeding_words(cfg) -> str:
    if cfg.seeding == "off":
        return "unseeded"
    if cfg.seeding == "once":
        return f"seed {cfg.seed} once"
    return f"seed {cfg.seed} every pass"
