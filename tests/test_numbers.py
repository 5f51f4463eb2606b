"""The precision rule the method paragraph states: the same for text and tables."""

import pytest

from nnreport.report import numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.97731, "0.977"),
        (2.3456, "2.35"),
        (1.6e-08, "1.60e-08"),  # never "2e-08"
        (9.8e-06, "9.80e-06"),
        (-0.000147, "-0.000147"),
        (0.0, "0"),
        (60000.0, "60000"),
        (float("nan"), "—"),
        (None, "—"),
    ],
)
def test_three_significant_digits_and_tiny_values_in_scientific_notation(value, expected):
    assert numbers.sig(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.97731, "0.9773"), (9.8e-06, "9.80e-06"), (0.00004, "4.00e-05"), (0.0, "0.0000")],
)
def test_table_accuracies_have_four_decimals_but_never_hide_a_tiny_value(value, expected):
    text = numbers.fixed(value)
    assert text == expected
    assert text not in {"0.000", "-0.000"} or value == 0


@pytest.mark.parametrize(
    ("low", "high"),
    [(2.301, 2.3049), (0.97612, 0.97649), (1.0e-05, 1.04e-05), (-0.00121, -0.0012), (3.0, 3.0)],
)
def test_an_interval_never_collapses_unless_its_ends_are_equal(low, high):
    left, right = numbers.interval(low, high)
    assert (left == right) == (low == high)
    assert float(left) <= float(right)


def test_an_estimate_gets_the_digits_of_its_interval():
    effect, low, high = numbers.with_interval(2.3031, 2.301, 2.3049)
    assert (effect, low, high) == ("2.303", "2.301", "2.305")


def test_p_values_have_two_significant_digits():
    assert numbers.p_value(0.04321) == "0.043"
    assert numbers.p_value(3.2e-07) == "3.2e-07"


def test_measured_keeps_trailing_zeros_at_three_significant_digits():
    from nnreport.report.numbers import measured

    assert [measured(v) for v in (0.32, 0.049, 0.0003004, 2.3, 5.14e-05, 0.0)] == [
        "0.320",
        "0.0490",
        "0.000300",
        "2.30",
        "5.14e-05",
        "0",
    ]
    assert measured(123.4) == "123" and measured(float("nan")) == "—"
