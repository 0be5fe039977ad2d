"""The popular answer's three examples, run as written."""

from __future__ import annotations

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.model.small_cnn import ensure_small_cnn
from vggcompare.core.run.presets.base import Preset, clean, record_comparison, top1, within


def _p1_steps(cfg):
    written = clean(cfg, seed=42, augment=AugmentConfig(enabled=True), pitfalls=("rescale-after-preprocess",))
    return [("as written", written), ("without the rescale", written.replace(pitfalls=()))]


def _p1_sum(o):
    c = record_comparison(o, "as written", "without the rescale")
    o.columns = ["run", "top-1 (mean probability)", "top-1 agreement", "within the run"]
    o.rows = [[k, top1(r), f"{r.statistics.top1_agreement:.0%}", within(r)] for k, r in o.runs.items()]
    o.headline = (f"With the rescale after preprocess_input, the largest change in any class's mean probability is "
                  f"{fmt(c.numbers.max_mean_difference)}; top-1 is {'the same' if c.numbers.same_top1 else 'different'} "
                  f"({top1(o.runs['as written'])} vs {top1(o.runs['without the rescale'])}).")


def _p2_steps(cfg):
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


def _p3_steps(cfg):
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
           "Seed 42 with the answer's augmentation, including rescale=1./255 applied after preprocess_input. "
           "The comparison with the same run without that rescale shows the damage the rescale does.", _p1_steps, _p1_sum),
    Preset("popular-2", "Popular answer, example 2: predict twice",
           "No seed, fixed weights, the same array sent through the model in two separate forward calls, as "
           "predict would be called twice. The answer says unseeded runs differ; this measures whether they do.", _p2_steps, _p2_sum),
    Preset("popular-3", "Popular answer, example 3: a small CNN with dropout",
           "A small CNN with Dropout, random weights, dropout running at inference. Seeded, the run repeats; "
           "unseeded, it does not.", _p3_steps, _p3_sum, prepare=ensure_small_cnn),
]
