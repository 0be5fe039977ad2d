"""A first checkup in a new process against a bare Keras script that makes the same first calls.

Setup: ``efficientnet-lite0`` (real ImageNet weights, built in) on ``resources/sweep/brick.jpg``, in-process causes
(``--in-process-only``: the kernel library and the thread count need new processes of their own in either case).

(a) checkup: ``python -m vggcompare checkup brick.jpg --model efficientnet-lite0 --in-process-only --no-layers``, the
    whole command's wall time in a new process (import, model, every cause, checkup.json);
(a') the same with the layer comparison (the CLI's default), against (b') below;
(b) floor: this file run as ``--floor`` in a new process: a bare script, written here without the engine, that
    imports TensorFlow, builds the same model from the same cached weights, and makes the same first calls a
    checkup makes: the three loaders (``load_img`` nearest and bilinear, ``tf.io.decode_jpeg`` with both DCT
    methods and ``tf.image.resize`` with and without antialias, ``cv2.imread`` + ``cv2.resize``), the
    preprocessing variants, the 15 neighbour photos, an augmentation of the image, and one call of each path at the
    batch size the checkup uses: ``tf.function`` at batch 1, 8 and 16; in training mode at 1 (twice: whole, and with
    the Dropout layer off) and 16; ``predict``, eager and XLA (``jit_compile``) at 1; a dropout-on call at 1; one
    eager training-mode call; a bfloat16 copy of the model and its call at 1; and each exported runtime's first
    call, as an app serving that file makes it: ``tf.saved_model.load(path).serve``, a LiteRT ``Interpreter`` for
    each of the four .tflite files (``allocate_tensors``, ``set_tensor``, ``invoke``, ``get_tensor``; the int8
    one's input quantized) and an ONNX Runtime ``InferenceSession.run``, on the same exported files the checkup's
    runtime rows load. Those files are made (or found in the exports' cache) once, untimed, before any timed side:
    an app's export exists before it is served.
(b') the floor ``--layers``: the same, and each path's call (at the same batch sizes, on the same model variants)
    also made once on a Keras model whose outputs are every layer's output, as a script localising a difference
    layer by layer makes it (the checkup's instrumented pass traces that graph once per path).

``checkup_vs_floor`` = best (a) / best (b), alternating, ``--repeats`` each. Target <= 1.25. Beside it,
``checkup_with_layers_vs_floor_with_layers`` = best (a') / best (b') (no target of its own).

Run: ``.venv/bin/python benchmarks/bench_checkup_floor.py [--repeats 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import _common as C

IMAGE = str(C.ROOT / "resources" / "sweep" / "brick.jpg")
SIZE = (224, 224)


def export_paths() -> None:
    """Print the exported files the checkup's runtime rows serve (made now when the cache lacks them), as JSON."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.runtime_rules import RUNTIMES

    reference = ExperimentConfig(image=IMAGE, model="efficientnet-lite0")
    paths = {r: prepare_model(reference.replace(runtime=r), allow_download=False).served.file for r in RUNTIMES if r != "keras"}
    print("PATHS " + json.dumps(paths))


def serve_each(paths: dict[str, str], x, layers: bool = False) -> None:
    """Each exported runtime's first call on ``x``, as an app serving that file makes it.

    With ``layers``, each file is also run keeping its intermediate tensors, as a script comparing them makes it: a
    second LiteRT interpreter with ``experimental_preserve_all_tensors=True`` (every tensor read), and a second ONNX
    Runtime session on a copy of the graph listing every node output as a graph output."""
    import numpy as np
    import onnxruntime as ort
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    loaded = tf.saved_model.load(paths["savedmodel"])  # kept: its variables live as long as it does
    loaded.serve(tf.constant(x)).numpy()
    for runtime, path in paths.items():
        if not runtime.startswith("tflite"):
            continue
        interpreter = Interpreter(model_path=path)
        interpreter.allocate_tensors()
        inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        value = x
        if np.dtype(inp["dtype"]).kind != "f":
            scale, zero = inp["quantization"]
            value = np.clip(np.round(x / scale) + zero, -128, 127).astype(inp["dtype"])
        interpreter.set_tensor(inp["index"], value)
        interpreter.invoke()
        interpreter.get_tensor(out["index"])
        if layers:
            kept = Interpreter(model_path=path, experimental_preserve_all_tensors=True)
            kept.allocate_tensors()
            kept.set_tensor(inp["index"], value)
            kept.invoke()
            for detail in kept.get_tensor_details():
                try:
                    kept.get_tensor(detail["index"])
                except ValueError:  # a tensor with no data (an unused slot)
                    pass
    session = ort.InferenceSession(paths["onnxruntime"], providers=["CPUExecutionProvider"])
    session.run(None, {session.get_inputs()[0].name: x})
    if layers:
        import onnx

        graph = onnx.load(paths["onnxruntime"])
        listed = {o.name for o in graph.graph.output}
        for node in graph.graph.node:
            for name in node.output:
                if name and name not in listed:
                    graph.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
        every = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
        every.run(None, {every.get_inputs()[0].name: x})


def floor(paths: dict[str, str], layers: bool = False) -> None:
    """The bare script: the same first calls as a checkup, without vggcompare's engine.

    With ``layers``, each path's call (but the runtimes') is also made on a Keras model whose outputs are every
    layer's output, as a script localising a difference layer by layer would make it."""
    t0 = time.perf_counter()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import cv2
    import keras
    import numpy as np
    import tensorflow as tf

    from vggcompare.core.model.lite0 import efficientnet_lite0  # the same cached weights (a Keras file)

    model, _ = efficientnet_lite0()
    prep = lambda a: (np.asarray(a, np.float32) - 127.5) / 128.0  # noqa: E731 - Lite0's input scaling
    # the loaders and preprocessing passes
    pil = [keras.utils.img_to_array(keras.utils.load_img(IMAGE, target_size=SIZE, interpolation=m)) for m in ("nearest", "bilinear")]
    data = tf.io.read_file(IMAGE)
    decoded = [tf.io.decode_jpeg(data, channels=3, dct_method=m) for m in ("", "INTEGER_ACCURATE")]
    tfd = [tf.image.resize(tf.cast(d, tf.float32), SIZE, antialias=a).numpy() for d in decoded for a in (False, True)]
    bgr = cv2.imread(IMAGE)
    cvs = [cv2.resize(bgr, SIZE[::-1], interpolation=cv2.INTER_LINEAR), cv2.cvtColor(cv2.resize(bgr, SIZE[::-1]), cv2.COLOR_BGR2RGB)]
    x = prep(pil[0])[None]
    twice, rescaled = prep(prep(pil[0]))[None], (prep(pil[0]) / 255.0)[None]
    caffe = (pil[0][..., ::-1] - np.array([103.939, 116.779, 123.68], np.float32))[None]
    folder = C.ROOT / "resources" / "sweep"
    neighbours = [prep(keras.utils.img_to_array(keras.utils.load_img(str(p), target_size=SIZE)))
                  for p in sorted(folder.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg", ".png") and p.name != "brick.jpg"]
    neighbours = (neighbours * 2)[:15]  # repeated when the folder has too few, as the engine does
    from scipy import ndimage

    augmented = np.stack([ndimage.affine_transform(pil[0][..., c], np.eye(2) * 1.1, order=1, mode="nearest") for c in range(3)], -1)
    batch16 = np.concatenate([x, np.stack(neighbours)])

    every = {}

    def every_layer(m):
        if id(m) not in every:
            every[id(m)] = keras.Model(m.inputs, [layer.output for layer in m.layers[1:]])
        return every[id(m)]

    def compiled(m, training, shape):
        one = tf.function(lambda t: m(t, training=training), input_signature=[tf.TensorSpec(shape, tf.float32)])
        if not layers:
            return one
        probe = every_layer(m)
        instrumented = tf.function(lambda t: probe(t, training=training), input_signature=[tf.TensorSpec(shape, tf.float32)])
        calls = {"n": 0}

        def both(t):
            out = one(t)
            if calls["n"] == 0:  # the checkup's instrumented pass: one per path, model and batch size
                instrumented(t)
            calls["n"] += 1
            return out

        return both

    # each path's first call, at the checkup's batch sizes
    infer1 = compiled(model, False, (1, *SIZE, 3))
    for inputs in (x, prep(pil[1])[None], *(prep(t)[None] for t in tfd), *(prep(c)[None] for c in cvs), twice, rescaled,
                   caffe, prep(augmented)[None]):
        infer1(inputs)
    compiled(model, False, (8, *SIZE, 3))(np.repeat(x, 8, 0))
    compiled(model, False, (16, *SIZE, 3))(batch16)
    saved = [v.numpy() for v in model.non_trainable_variables]
    compiled(model, True, (1, *SIZE, 3))(x)
    compiled(model, True, (1, *SIZE, 3))(x)  # training mode's BatchNorm part alone: its own trace
    compiled(model, True, (16, *SIZE, 3))(batch16)
    model(x, training=True)  # an earlier training-mode call, kept
    for v, s in zip(model.non_trainable_variables, saved):
        v.assign(s)
    infer1(x)
    dropout = model.get_layer("dropout")
    tf.function(lambda t: model.get_layer("predictions")(dropout(t, training=True)))(np.zeros((1, 1280), np.float32))
    compiled(model, False, (1, *SIZE, 3))(x)  # the dropout-on variant's own trace of the whole model
    model.predict(x, batch_size=1, verbose=0)
    model(x, training=False)
    tf.function(lambda t: model(t, training=False), jit_compile=True)(x)
    if layers:
        every_layer(model).predict(x, batch_size=1, verbose=0)
        every_layer(model)(x, training=False)
        tf.function(lambda t: every_layer(model)(t, training=False), jit_compile=True)(x)

    def half(layer):
        cfg = layer.get_config()
        if layer is not model.layers[-1] and "dtype" in cfg:
            cfg["dtype"] = "mixed_bfloat16"
        return layer.__class__.from_config(cfg)

    bf16 = keras.models.clone_model(model, clone_function=half)
    bf16.set_weights(model.get_weights())
    compiled(bf16, False, (1, *SIZE, 3))(x)
    serve_each(paths, x, layers)
    print("FLOOR " + json.dumps({"seconds": time.perf_counter() - t0}))


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=C.ROOT)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--floor", metavar="PATHS_JSON", help="run the bare script, serving these exported files")
    parser.add_argument("--layers", action="store_true", help="with --floor: also each path's every-layer call")
    parser.add_argument("--export-paths", action="store_true", help="print the exported files the checkup serves")
    args = parser.parse_args()
    if args.floor:
        floor(json.loads(args.floor), args.layers)
        return
    if args.export_paths:
        export_paths()
        return
    found = subprocess.run([sys.executable, __file__, "--export-paths"], check=True, capture_output=True, text=True, cwd=C.ROOT)
    paths = next(line[len("PATHS "):] for line in found.stdout.splitlines() if line.startswith("PATHS "))
    out = tempfile.mkdtemp(prefix="bench-checkup-floor-")
    checkup = [sys.executable, "-m", "vggcompare", "checkup", IMAGE, "--model", "efficientnet-lite0", "--in-process-only",
               "--out-dir", out, "--force", "--quiet"]
    sides = {"floor": [sys.executable, __file__, "--floor", paths], "checkup": checkup + ["--no-layers"],
             "floor with layers": [sys.executable, __file__, "--floor", paths, "--layers"], "checkup with layers": checkup}
    _timed(sides["floor"])  # untimed: the model's Keras cache written once, files in the page cache
    times: dict[str, list[float]] = {k: [] for k in sides}
    others = []
    for _ in range(args.repeats):
        for name, cmd in sides.items():
            C.wait_for_quiet()
            with C.Contention() as c:
                _timed(cmd)
            times[name].append(c.seconds)
            others.append(c.others)
    print(C.machine_line())
    for name, values in times.items():
        print(f"{name}: {C.fmt_list(values, 2)} s")
    print(f"other processes used {max(others):.2f} cores at most during a timed side")
    ratio = min(times["checkup"]) / min(times["floor"])
    with_layers = min(times["checkup with layers"]) / min(times["floor with layers"])
    print(f"RESULT checkup_vs_floor={ratio:.3f} (target <= 1.25) checkup_with_layers_vs_floor_with_layers={with_layers:.3f}")


if __name__ == "__main__":
    main()
