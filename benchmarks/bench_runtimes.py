"""Passes through each exported runtime against a bare loop of that runtime's own call, and the export cache's reuse.

Setup: ``efficientnet-lite0`` (real ImageNet weights, built in) on ``resources/sweep/brick.jpg``, 64 passes, 16 per
forward call, seeded, nothing random on. Every export is made once first (untimed; 5–7 s each on 2 cores).

(a) engine: ``run_experiment`` with ``runtime=R`` (the export reused, its interpreter or session loaded), timed as a
    whole run: loading the image, the 4 forward calls through R's own call, statistics and verdict.
(b) bare: the same 4 batches (the engine's own inputs) through R's own call in a loop, as a user's script calls it:
    ``loaded.serve(tf.constant(x))``, ``Interpreter.set_tensor/invoke/get_tensor``, ``InferenceSession.run``.

``runtime_vs_bare`` = best (a) / best (b), per runtime and the largest of them; target <= 1.10.
``export_reuse_s`` = the longest second use of an export from the cache, in a process that has not used it yet: the
model's fingerprint (its config and weights hashed), the key, and the export's SHA-256 checked; target < 1 s.
``load_s`` (reported beside it, no target) = loading that export in its runtime, which the user's own code pays too:
``tf.saved_model.load``, ``Interpreter(...)`` with ``allocate_tensors``, ``InferenceSession(...)``.

Run: ``.venv/bin/python benchmarks/bench_runtimes.py [--repeats 3]`` (about 3 minutes on 2 cores, exports included).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import _common as C

IMAGE = str(C.ROOT / "resources" / "sweep" / "brick.jpg")
RUNTIMES = ("savedmodel", "tflite", "tflite-float16", "tflite-int8-dynamic", "tflite-int8", "onnxruntime")
PASSES, PER_CALL = 64, 16


def bare_call(runtime: str, path, batch: np.ndarray):
    """The runtime's own call on ``path``, loaded here as a user's script loads it (no vggcompare code in the loop)."""
    if runtime == "savedmodel":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))
        return lambda x: loaded.serve(tf.constant(x)).numpy()
    if runtime == "onnxruntime":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda x: session.run(None, {name: x})[0]
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    detail = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(detail["index"], list(batch.shape))
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    if inp["dtype"] == np.int8:  # full-integer int8: the app quantizes the input and dequantizes the output
        (s_in, z_in), (s_out, z_out) = inp["quantization"], out["quantization"]

        def int8_call(x):
            interpreter.set_tensor(inp["index"], np.clip(np.round(x / np.float32(s_in)) + z_in, -128, 127).astype(np.int8))
            interpreter.invoke()
            return (interpreter.get_tensor(out["index"]).astype(np.float32) - np.float32(z_out)) * np.float32(s_out)

        return int8_call

    def float_call(x):
        interpreter.set_tensor(inp["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(out["index"])

    return float_call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    C.start_tensorflow()
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.input.images import load_image
    from vggcompare.core.input.loaders import loader_input
    from vggcompare.core.input.preprocess import preprocess
    from vggcompare.core.model import prepare
    from vggcompare.core.model.runtimes.served import serve
    from vggcompare.core.passes.engine import run_experiment

    base = ExperimentConfig(image=IMAGE, model="efficientnet-lite0", passes=PASSES, batch_size=PER_CALL, seeding="once")
    image = load_image(IMAGE)
    keras_prepared = prepare.prepare_model(base)
    picture, _ = loader_input(image, keras_prepared.input_size, base)
    batch = preprocess(np.broadcast_to(picture, (PER_CALL, *picture.shape)).copy(), base.effective_preprocess)
    batch = np.ascontiguousarray(batch, dtype=np.float32)
    ratios, reuse, load = {}, {}, {}
    for runtime in RUNTIMES:
        cfg = base.replace(runtime=runtime)
        run_experiment(cfg, image)  # the export made (or reused) and its runtime loaded, untimed
        served = serve(keras_prepared.model, cfg, keras_prepared.input_size)  # a second use: the cache hit, loaded afresh
        reuse[runtime], load[runtime] = served.lookup_seconds, served.load_seconds
        call = bare_call(runtime, served.export.path, batch)
        call(batch)
        engine, bare = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            run_experiment(cfg, image)
            engine.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _call in range(PASSES // PER_CALL):
                call(batch)
            bare.append(time.perf_counter() - t0)
        ratios[runtime] = min(engine) / min(bare)
        print(f"{runtime:20s} engine {C.fmt_list(engine)} s  bare {C.fmt_list(bare)} s  ratio {ratios[runtime]:.3f}  "
              f"reuse {reuse[runtime]:.3f} s  load {load[runtime]:.3f} s", flush=True)
    print(C.machine_line())
    worst = max(ratios, key=ratios.get)
    print("RESULT " + " ".join(f"runtime_vs_bare[{k}]={v:.3f}" for k, v in ratios.items())
          + f" runtime_vs_bare={ratios[worst]:.3f} ({worst}) export_reuse_s={max(reuse.values()):.3f}"
          + " " + " ".join(f"load_s[{k}]={v:.3f}" for k, v in load.items()))


if __name__ == "__main__":
    main()
