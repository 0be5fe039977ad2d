"""The core's own exception types. Every message is one sentence a user can act on."""


class VggCompareError(Exception):
    """Base class for every error the core raises on purpose."""


class ConfigError(VggCompareError, ValueError):
    """An experiment setting is out of range or inconsistent."""


class ImageError(VggCompareError):
    """An image cannot be read or used."""


class ModelError(VggCompareError):
    """A model or weights file cannot be loaded or used."""


class WeightsUnavailableError(ModelError):
    """The ImageNet weights are neither cached nor downloadable right now."""

    def __init__(self, message: str, filename: str = "") -> None:
        super().__init__(message)
        self.filename = filename


class GradcamUnavailableError(ModelError):
    """Grad-CAM cannot explain this model (no convolutional layer, or nothing after it); occlusion can."""


class ExportError(ModelError):
    """A converter refuses the model (an op or layer it cannot convert), or its library is not installed."""


class LabelsError(VggCompareError):
    """A labels file cannot be read or does not match the model."""


class ResultFileError(VggCompareError):
    """A saved result file is missing, damaged or of an unknown version."""


class RunCancelled(VggCompareError):
    """The run was cancelled before it finished; no result exists."""


class UserFunctionError(VggCompareError):
    """The caller's own loader or preprocessing function raised, or returned something the model cannot take."""
