"""The popular answer's three examples, run as written."""

from __future__ import annotations

from vggcompare.core.catalog import model_label
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.model.small_cnn import ensure_small_cnn
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison, top1, within


# Example 1's generator, argument for argument: ImageDataGenerator(rotation_range=20, width_shift_range=0.2,
# height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode='nearest',
# rescale=1./255), fed x = preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))) via flow(seed=42).
EXAMPLE_1 = AugmentConfig(enabled=True, engine="generator", rotation=20, width_shift=0.2, height_shift=0.2, shear=0.2,
                          zoom=0.2, horizontal_flip=True, fill_mode="nearest", rescale=1.0 / 255, preprocess_first=True)


def _p1_steps(cfg, _image=None):
    written = clean(cfg, seed=42, augment=EXAMPLE_1)
    return [("as written", written), ("without the rescale", written.replace(augment={"rescale": None}))]


def _entropy_words(r) -> str:
    return f"{r.statistics.entropy_of_mean:.5f} nats"


def _spread_words(a, b) -> str:
    sa, sb = a.statistics.max_std, b.statistics.max_std
    if sa == sb:
        return "the passes vary as much with it as without"
    if sa == 0 or sb == 0:
        return f"the largest std over the passes is {fmt(sa)} with it and {fmt(sb)} without"
    ratio = sb / sa
    return (f"the passes vary {ratio:.3g} times less with it (largest std {fmt(sa)} vs {fmt(sb)})" if ratio > 1 else
            f"the passes vary {1 / ratio:.3g} times more with it (largest std {fmt(sa)} vs {fmt(sb)})")


def _p1_sum(o):
    c = record_comparison(o, "as written", "without the rescale")
    a, b = o.runs["as written"], o.runs["without the rescale"]
    o.columns = ["run", "top-1 (mean probability)", "top-1 agreement", "entropy of the mean", "within the run"]
    o.rows = [[k, top1(r), f"{r.statistics.top1_agreement:.0%}", _entropy_words(r), within(r)] for k, r in o.runs.items()]
    rise = a.statistics.entropy_of_mean - b.statistics.entropy_of_mean
    flat = ("flatter" if rise > 0 else "sharper" if rise < 0 else "as flat")
    o.headline = (f"The answer's generator applies rescale=1./255 after preprocess_input, so the model gets inputs 255 times "
                  f"smaller than {model_label(a.config.model)} expects. Against the same passes without it, the largest change in any class's mean "
                  f"probability is {fmt(c.numbers.max_mean_difference)}; top-1 is "
                  f"{'the same' if c.numbers.same_top1 else 'different'} ({top1(a)} vs {top1(b)}); the mean prediction is "
                  f"{flat} (entropy {'higher' if rise > 0 else 'lower'} by {fmt(abs(rise))} nats); "
                  f"{_spread_words(a, b)}.")
    o.notes.append("Run with the generator engine: Keras' legacy ImageDataGenerator, flow(x, batch_size=1, seed=42), "
                   "so pass i is the batch drawn after np.random.seed(42 + i).")


def _p2_steps(cfg, _image=None):
    return [("predict twice, no seed", clean(cfg, seeding="off", passes=2, batch_size=1))]


def _p2_sum(o):
    r = o.runs["predict twice, no seed"]
    s = r.statistics
    o.columns = ["forward call", "top-1", "largest difference from call 1"]
    o.rows = [[f"call {i + 1}", f"{r.labels[int(r.probabilities[i].argmax())]} ({fmt(float(r.probabilities[i].max()))})",
               fmt(float(abs(r.probabilities[i].astype('f8') - r.probabilities[0]).max()))] for i in range(r.passes)]
    o.headline = ("Two forward calls on the same array (one pass per call, as predict in a loop), with no seed, gave "
                  "bit-identical outputs: an unset seed did not make inference vary." if s.all_bit_identical else
                  f"The two forward calls differ by up to {fmt(s.max_abs_deviation_from_first)}.")


def _p3_steps(cfg, _image=None):
    from vggcompare.core.model.small_cnn import small_cnn_path

    model = str(small_cnn_path())
    base = ExperimentConfig(image=cfg.image, model=model, passes=cfg.passes, dropout=0.5)
    return [("seeded run 1", base.replace(seeding="once", seed=42)), ("seeded run 2", base.replace(seeding="once", seed=42)),
            ("unseeded run 1", base.replace(seeding="off")), ("unseeded run 2", base.replace(seeding="off"))]


def _p3_sum(o):
    a = record_comparison(o, "seeded run 1", "seeded run 2")
    b = record_comparison(o, "unseeded run 1", "unseeded run 2")
    o.columns = ["pair", "repeat reproduced?", "largest difference", "within run 1"]
    o.rows = [["seeded (seed 42)", "yes, bit for bit" if a.numbers.bit_identical else "no", fmt(a.numbers.max_abs_difference), within(o.runs["seeded run 1"])],
              ["unseeded", "yes, bit for bit" if b.numbers.bit_identical else "no", fmt(b.numbers.max_abs_difference), within(o.runs["unseeded run 1"])]]
    varied = [k for k in ("seeded run 1", "unseeded run 1") if not o.runs[k].statistics.all_bit_identical]
    varied_words = ("the passes varied within both runs" if len(varied) == 2 else
              f"the passes varied within {len(varied)} of the 2 runs")
    o.headline = (f"With dropout running, {varied_words}; the seeded run {'repeated exactly' if a.numbers.bit_identical else 'did not repeat'}, "
                  f"the unseeded one {'repeated exactly' if b.numbers.bit_identical else 'did not'} "
                  f"(largest difference {fmt(b.numbers.max_abs_difference)}).")
    o.model = "a small CNN with Dropout(0.5), random weights (made by vggcompare)"


PRESETS = [
    Preset("popular-1", "Popular answer, example 1 as written",
           "The answer's ImageDataGenerator, argument for argument, with seed 42: preprocess_input first, then flow, "
           "so its rescale=1./255 lands after preprocess_input. The same passes without that rescale show what it does.",
           _p1_steps, _p1_sum),
    Preset("popular-2", "Popular answer, example 2: predict twice",
           "No seed, fixed weights, the same array sent through the model in two separate forward calls, as "
           "predict would be called twice. The answer says unseeded runs differ; this measures whether they do.", _p2_steps, _p2_sum),
    Preset("popular-3", "Popular answer, example 3: a small CNN with dropout",
           "A small CNN with Dropout, random weights, dropout running at inference. Seeded, the run repeats; "
           "unseeded, it does not.", _p3_steps, _p3_sum, prepare=ensure_small_cnn),
]
