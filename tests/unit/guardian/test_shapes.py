"""Value shapes, the shape a field's examples share, clear conflicts and the values a description lists."""

from __future__ import annotations

import pytest

from vitesse.shapes import common_shape, conflicts, described_values, shape


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://api.github.com/repos/octocat/Hello-World/issues/1347/comments", "url"),
        ("jane@example.com", "email"),
        ("b421eaeb-5340-47ca-baf3-897a3e70f16a", "uuid"),
        ("2019-09-15", "date"),
        ("2012-02-22T02:06:58.147Z", "date-time"),
        ("2020-07-09 00:17:55", "date-time"),
        ("12345", "numeric"),
        ("true", "boolean"),
        ("open", "word"),
        ("MDU6SXNzdWUx", "token"),
        ("default_task", "token"),
        ("Buy catnip", "phrase"),
        ("Mittens really likes the stuff from Humboldt.", "prose"),
        ("<body>Mittens <em>really</em> likes it</body>", "html"),
        (True, "boolean"),
        (42, "number"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_shapes(value: object, expected: str | None) -> None:
    assert shape(value) == expected


def test_examples_share_a_shape_or_none() -> None:
    assert common_shape(["2019-09-15", "2020-01-31"]) == "date"
    assert common_shape(['"2020-07-09T00:17:55Z"']) == "date-time"  # GitHub quotes some examples twice
    assert common_shape(["open", "in_progress"]) == "token"  # words and tokens: tokens
    assert common_shape(["Buy catnip", "Mittens really likes the stuff from Humboldt."]) == "phrase"
    assert common_shape(["12345", "https://example.com"]) is None  # inconsistent examples: nothing to check
    assert common_shape(["", None]) is None


def test_only_clear_conflicts_count() -> None:
    assert conflicts("prose", "url") and conflicts("date", "date-time") and conflicts("numeric", "url")
    assert conflicts("email", "word") and conflicts("word", "numeric") and conflicts("url", "prose")
    assert not conflicts("phrase", "word")  # a word is a short text
    assert not conflicts("url", "token")  # example.com/x may be a URL
    assert not conflicts("uuid", "numeric") and not conflicts("token", "email")  # ids and usernames vary
    assert not conflicts(None, "url") and not conflicts("prose", None)


def test_described_values() -> None:
    assert described_values("State of the issue; either 'open' or 'closed'") == ("open", "closed")
    assert described_values("State of this Pull Request. Either `open` or `closed`.") == ("open", "closed")
    assert described_values("Can be one of: `open`, `closed`, or `all`. Default: `open`") == ("open", "closed", "all")
    assert described_values('This can either be the string "me", an email, or the gid of a user.') == ()  # one
    assert described_values("The `id` of the `user` who wrote it") == ()  # quoted words, but no listing
