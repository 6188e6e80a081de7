from andromede.kernel.filters import removals


def test_each_filter_counts_what_it_removed_from_what_was_left() -> None:
    numbers = list(range(10))
    filters = [
        ("even", lambda n: n % 2 == 0, "odd"),
        ("positive", lambda n: n > 0, "zero"),
        ("none", lambda n: True, "never"),
        ("small", lambda n: n < 3, "3 or more"),
        ("after", lambda n: False, "unreachable"),
    ]
    assert removals(numbers, filters, "numbers") == {
        "even": "5 of 10 numbers odd",
        "positive": "1 of 5 numbers zero",
        "small": "3 of 4 numbers 3 or more",
        "after": "1 of 1 numbers unreachable",
    }
    assert removals([1], [("all", lambda n: False, "gone"), ("x", lambda n: True, "")], "n") == {
        "all": "1 of 1 n gone"
    }  # nothing left: the filters after say nothing
