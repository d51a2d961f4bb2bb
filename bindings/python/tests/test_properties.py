"""Property tests (hypothesis): no input makes a pure function crash or hang — every
outcome is a value, an `LmsError`, a `TypeError` or a `ValueError`."""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

import lms

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
keys = st.sampled_from(["type", "id", "prompt", "points", "options", "selected", "value", "text", "correct",
                        "fraction", "accepted", "multiple", "kind", "status", "lessons", "prerequisites"])
shaped = st.recursive(
    json_values,
    lambda children: st.dictionaries(keys, children, max_size=6) | st.lists(children, max_size=4),
    max_leaves=40,
)
anything = shaped | st.builds(object) | st.sampled_from([b"bytes", 1j, {1: 2}, (1, 2), float("inf")])

CALLS: list[Callable[[Any, Any], Any]] = [
    lambda a, b: lms.validate("question_set", a),
    lambda a, b: lms.validate("answers", a),
    lambda a, b: lms.validate("content_data", a),
    lambda a, b: lms.validate("learning_preferences", a),
    lambda a, b: lms.validate_content("rich_text", a),
    lambda a, b: lms.score(a, b),
    lambda a, b: lms.score_many(a, [b, b]),
    lambda a, b: lms.grade_essay(a, "q1", 1),
    lambda a, b: lms.may_start(a, b),
    lambda a, b: lms.submission(a, b),
    lambda a, b: lms.grade(a),
    lambda a, b: lms.unlocked(a, b),
    lambda a, b: lms.missing(a, "00000000-0000-4000-8000-000000000001", b),
    lambda a, b: lms.topological_order(a),
    lambda a, b: lms.transition(a, b),
    lambda a, b: lms.apply(a, b),
    lambda a, b: lms.lesson_progress(a),
    lambda a, b: lms.course_complete(a, b),
    lambda a, b: lms.publish_problems(a),
    lambda a, b: lms.student_view(a),
    lambda a, b: lms.call_rule("score", a),
]


@settings(max_examples=300, deadline=2000)
@given(st.integers(0, len(CALLS) - 1), anything, anything)
def test_no_input_crashes_a_pure_function(which: int, a: Any, b: Any) -> None:
    try:
        CALLS[which](a, b)
    except (lms.LmsError, TypeError, ValueError):
        pass


QUESTION = st.fixed_dictionaries({
    "type": st.just("multiple_choice"), "id": st.just("q1"),
    "prompt": st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), min_size=1, max_size=20),
    "points": st.integers(1, 10), "multiple": st.just(True),
    "options": st.just([{"id": "a", "text": "A", "fraction": 0.5}, {"id": "b", "text": "B", "fraction": 0.5},
                        {"id": "c", "text": "C", "fraction": -1.0}]),
})


@settings(max_examples=100, deadline=2000)
@given(QUESTION, st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
def test_a_score_is_always_within_the_points(question: dict[str, Any], selected: list[str]) -> None:
    scored = lms.score([question], {"q1": {"type": "multiple_choice", "selected": selected}})
    assert 0 <= scored["points_earned"] <= scored["total_points"] == question["points"]
    assert scored["score"] is not None and 0 <= scored["score"] <= 100
