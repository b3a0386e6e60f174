import pytest

from jirga.extract.numbers import find_quantities


@pytest.mark.parametrize(
    ("text", "low", "best", "high", "qualifier"),
    [
        ("72 people", 72, 72, 72, None),
        ("about 150", None, 150, None, "about"),
        ("over 100", 100, 100, None, "over"),
        ("more than 300", 300, 300, None, "over"),
        ("at least 20", 20, 20, None, "at_least"),
        ("nearly 1,700", None, 1700, 1700, "nearly"),
        ("some 40", None, 40, None, "about"),
        ("twenty-two", 22, 22, 22, None),
        ("one hundred and five", 105, 105, 105, None),
        ("dozens", 24, None, 99, "vague"),
        ("scores", 40, None, 99, "vague"),
    ],
)
def test_low_best_high_keep_the_qualifier(text, low, best, high, qualifier):
    (quantity,) = find_quantities(text)
    figure = quantity.figure
    assert (figure.low, figure.best, figure.high, figure.qualifier) == (low, best, high, qualifier)
    assert text[quantity.span.start : quantity.span.end] == figure.text


def test_percentages_and_decimals_are_not_counts():
    assert find_quantities("52 percent of 3.5 km") == []
