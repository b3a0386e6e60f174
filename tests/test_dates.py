import datetime as dt

import pytest

from jirga.extract.dates import find_dates

FRIDAY = dt.date(2018, 7, 20)


def one(text, published=FRIDAY):
    found = find_dates(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("on 16 December 2014", "2014-12-16", "2014-12-16", "day"),
        ("on Dec. 16, 2014", "2014-12-16", "2014-12-16", "day"),
        ("on July 24", "2018-07-24", "2018-07-24", "day"),  # within a week after publication: this year
        ("on August 3", "2017-08-03", "2017-08-03", "day"),  # two weeks ahead: most likely last year
        ("on 3 September", "2017-09-03", "2017-09-03", "day"),  # well after publication: last year
        ("in April", "2018-04-01", "2018-04-30", "month"),
        ("in November last year", "2017-11-01", "2017-11-30", "month"),
        ("last December", "2017-12-01", "2017-12-31", "month"),
        ("in July 2016", "2016-07-01", "2016-07-31", "month"),
        ("in 2014", "2014-01-01", "2014-12-31", "year"),
        ("last year", "2017-01-01", "2017-12-31", "year"),
        ("this week", "2018-07-14", "2018-07-20", "week"),
        ("last week", "2018-07-09", "2018-07-15", "week"),
        ("last month", "2018-06-01", "2018-06-30", "month"),
        ("yesterday", "2018-07-19", "2018-07-19", "day"),
        ("stormed the post overnight", "2018-07-19", "2018-07-20", "days"),  # the night before publication
        ("on Tuesday", "2018-07-17", "2018-07-17", "day"),
        ("on Friday", "2018-07-20", "2018-07-20", "day"),
        ("last Friday", "2018-07-13", "2018-07-13", "day"),
        ("three days ago", "2018-07-17", "2018-07-17", "day"),
        ("in the first six months of this year", "2018-01-01", "2018-06-30", "half"),
    ],
)
def test_resolves_with_precision(text, start, end, precision):
    date = one(text)
    assert (date.start.isoformat(), date.end.isoformat(), date.precision) == (start, end, precision)
    assert text.endswith(date.text) or date.text in text


def test_relative_dates_need_a_publication_date():
    assert find_dates("on Tuesday, last week", None) == []
    assert one("on 16 December 2014", None).precision == "day"


def test_numbers_are_not_years_or_days():
    assert find_dates("killed 2016 people", FRIDAY) == []
    assert find_dates("nearly 1,700 casualties and 52 percent", FRIDAY) == []


def test_overnight_gives_way_to_the_day_it_names_and_an_overnight_thing_is_no_date():
    assert one("struck overnight Tuesday").text == "Tuesday"
    assert one("fighting raged overnight into Thursday").text == "Thursday"
    assert find_dates("an overnight curfew was imposed", FRIDAY) == []


def test_may_the_verb_is_no_month():
    assert find_dates("The group may strike again.", FRIDAY) == []
    assert one("since May 2017").precision == "month"


def test_spans_cover_the_words():
    text = "The attack came on Feb. 13 and talks began in April."
    for date in find_dates(text, dt.date(2017, 2, 24)):
        assert text[date.span.start : date.span.end] == date.text
