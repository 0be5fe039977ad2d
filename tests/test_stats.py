"""Statistics and comparisons, checked against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vggcompare.core.analysis.compare import compare_probabilities
from vggcompare.core.analysis.stats import compute_statistics

LABELS = ["a", "b", "c"]


def test_statistics_match_hand_computation():
    p = np.array([[0.5, 0.3, 0.2], [0.7, 0.1, 0.2], [0.2, 0.6, 0.2]], dtype=np.float32)
    s = compute_statistics(p, LABELS)
    p64 = p.astype(np.float64)
    # means: a=(0.5+0.7+0.2)/3, b=(0.3+0.1+0.6)/3, c=0.2
    assert s.mean == pytest.approx([1.4 / 3, 1.0 / 3, 0.2], abs=1e-7)
    assert s.variance[0] == pytest.approx(((p64[:, 0] - p64[:, 0].mean()) ** 2).mean(), rel=1e-12)
    assert s.variance[2] == 0.0
    assert s.top1_mode == 0 and s.top1_mode_count == 2 and s.top1_agreement == pytest.approx(2 / 3)
    assert s.distinct_top1 == 2
    assert s.max_abs_deviation_from_first == pytest.approx(0.3, abs=1e-6)  # b: 0.6 vs 0.3
    assert not s.all_bit_identical
    assert [c.label for c in s.top5] == ["a", "b", "c"]
    assert s.top5[0].min == pytest.approx(0.2) and s.top5[0].max == pytest.approx(0.7)
    mean = p64.mean(axis=0)
    h_mean = -(mean * np.log(mean)).sum()
    h_each = np.mean([-(r * np.log(r)).sum() for r in p64])
    assert s.entropy_of_mean == pytest.approx(h_mean, rel=1e-6)
    assert s.mutual_information == pytest.approx(h_mean - h_each, rel=1e-5)
    assert s.max_std_class == int(np.argmax(p64.std(axis=0)))


def test_identical_passes_give_exact_zero_variance():
    row = np.array([0.1, 0.2, 0.7], dtype=np.float32)
    s = compute_statistics(np.tile(row, (5, 1)), LABELS)
    assert s.all_bit_identical and s.variance.max() == 0.0 and s.mutual_information == 0.0
    assert s.top1_agreement == 1.0 and s.max_abs_deviation_from_first == 0.0


def test_a_one_ulp_difference_is_not_bit_identical():
    row = np.array([0.1, 0.2, 0.7], dtype=np.float32)
    other = row.copy()
    other[1] = np.nextafter(other[1], np.float32(1))
    s = compute_statistics(np.stack([row, other]), LABELS)
    assert not s.all_bit_identical
    assert s.max_abs_deviation_from_first == pytest.approx(float(other[1]) - float(row[1]))


def test_zero_probabilities_have_zero_entropy_terms():
    s = compute_statistics(np.array([[1.0, 0.0, 0.0]], dtype=np.float32), LABELS)
    assert s.entropy_of_mean == 0.0 and math.isfinite(s.mean_entropy)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        compute_statistics(np.zeros((0, 3), np.float32), LABELS)
    with pytest.raises(ValueError):
        compute_statistics(np.zeros((2, 4), np.float32), LABELS)


def test_comparison_reports_identity_and_largest_difference():
    a = np.array([[0.5, 0.3, 0.2], [0.4, 0.4, 0.2]], dtype=np.float32)
    b = a.copy()
    sa, sb = compute_statistics(a, LABELS), compute_statistics(b, LABELS)
    same = compare_probabilities(a, b, sa, sb)
    assert same.bit_identical and same.max_abs_difference == 0.0 and same.top5_overlap == 3
    b[1, 2] = 0.25
    diff = compare_probabilities(a, b, sa, compute_statistics(b, LABELS), ["seed"])
    assert not diff.bit_identical
    assert diff.max_abs_difference == pytest.approx(0.05, abs=1e-6)
    assert diff.max_difference_class == 2
    assert diff.config_differences == ("seed",)
