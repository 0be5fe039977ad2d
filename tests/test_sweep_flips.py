"""The images behind a flip rate: the flipped rows of one variant, largest change first, and the worst variant."""

from __future__ import annotations

from sweep_helpers import photo_folder, probe_model  # noqa: F401 - fixtures

from vggcompare.core.analysis.sweep_flips import flipped_images, worst_variant


def _row(image: int, variant: int, name: str, changed: bool, change: float, p: float, error=None) -> dict:
    return {"image_index": image, "variant_index": variant, "image": f"img{image}.jpg", "variant": name,
            "top1_label": "tabby" if not changed else "tiger", "top1_probability": p, "reference_top1_label": "tabby",
            "top1_changed": changed if variant else False, "largest_change": change, "largest_change_label": "tiger",
            "error": error}


ROWS = [
    _row(0, 0, "reference", False, 0.0, 0.81), _row(0, 1, "bgr", True, 0.30, 0.44), _row(0, 2, "blur", True, 0.05, 0.40),
    _row(1, 0, "reference", False, 0.0, 0.66), _row(1, 1, "bgr", True, 0.52, 0.58), _row(1, 2, "blur", False, 0.2, 0.6),
    _row(2, 0, "reference", False, 0.0, 0.90), _row(2, 1, "bgr", False, 0.70, 0.5),  # moved most, but kept its top-1
    _row(3, 0, "reference", False, 0.0, 0.5), _row(3, 1, "bgr", True, 0.9, 0.5, error="cannot read"),
]


def test_only_flipped_rows_of_the_variant_come_back_sorted_by_largest_change_with_both_probabilities():
    flips = flipped_images(ROWS, "bgr", {0: b"png0", 1: b"png1"})
    assert [f.image for f in flips] == ["img1.jpg", "img0.jpg"]  # img2 kept its top-1, img3 has an error
    first = flips[0]
    assert (first.reference_top1_label, first.reference_top1_probability) == ("tabby", 0.66)
    assert (first.top1_label, first.top1_probability, first.largest_change) == ("tiger", 0.58, 0.52)
    assert first.thumbnail == b"png1" and first.variant == "bgr"
    assert [f.image for f in flipped_images(ROWS, "blur")] == ["img0.jpg"] and flipped_images(ROWS, "blur")[0].thumbnail is None
    assert flipped_images(ROWS, "reference") == [] and flipped_images(ROWS, "nothing") == []


def test_a_missing_reference_row_leaves_its_probability_unknown():
    flips = flipped_images([r for r in ROWS if not (r["image_index"] == 1 and r["variant_index"] == 0)], "bgr")
    assert flips[0].image == "img1.jpg" and flips[0].reference_top1_probability is None


def test_the_worst_variant_has_the_highest_flip_rate_and_more_flips_break_a_tie():
    def v(name, rate, changed):
        return {"variant": name, "flip_rate": rate, "top1_changed": changed}

    assert worst_variant({"variants": [v("a", 0.2, 2), v("b", 0.5, 1), v("c", None, 0)]}) == "b"
    assert worst_variant({"variants": [v("a", 0.5, 2), v("b", 0.5, 5)]}) == "b"
    assert worst_variant({"variants": [v("c", None, 0)]}) is None and worst_variant({"variants": []}) is None


def test_a_sweep_asked_for_maps_says_it_makes_none_and_keeps_the_same_table(probe_model, photo_folder, tmp_path):
    from sweep_helpers import VARIANTS, drive

    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.run.sweep import NO_MAPS, run_sweep
    from vggcompare.core.run.sweep.plan import variants_from_changes
    from vggcompare.core.storage.sweep_table import SweepTable

    listing = photo_folder / "one.txt"
    listing.write_text("set/coffee.jpg\n")
    cfg = ExperimentConfig(model=probe_model, passes=2, seeding="once", seed=7, preprocess="caffe")
    asked = drive(run_sweep(str(listing), str(tmp_path / "o"), cfg, variants=variants_from_changes(cfg.replace(explain="occlusion"), VARIANTS)))[0]
    assert NO_MAPS in asked.notes and "--explain was left out" in NO_MAPS
    with SweepTable(tmp_path / "o", create=False) as table:
        assert all("explain" not in v["config"] for v in table.settings["variants"])
    again = drive(run_sweep(str(listing), str(tmp_path / "o"), cfg, variants=variants_from_changes(cfg, VARIANTS)))[0]
    assert again.groups_run == 0 and NO_MAPS not in again.notes  # the same sweep: it resumes to nothing
