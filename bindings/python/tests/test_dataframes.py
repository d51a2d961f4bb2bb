"""Read models as columns, straight into pandas and polars."""

from __future__ import annotations

import pandas as pd
import polars as pl

from conftest import World, answers


def test_gradebook_and_dashboard_into_dataframes(world: World) -> None:
    c = world.client
    for student in (world.student, world.other_student):
        me = c.as_user(student)
        me.enroll(world.course)
        me.submit_attempt(world.quiz1, answers(1))
    c.as_user(world.student).submit_attempt(world.quiz1, answers(2))
    book = c.as_user(world.instructor).gradebook(world.course)

    frame = pd.DataFrame(book)
    assert len(frame) == 2
    assert set(frame.columns) >= {"student_id", "best_score", "attempts", "assessment_title", "student_email"}
    by_email = frame.set_index("student_email")
    assert by_email.loc["sam@example.org", "best_score"] == 100
    assert by_email.loc["kim@example.org", "attempts"] == 1
    assert frame["last_submitted_at"].dt.tz is not None

    polars = pl.DataFrame(book)
    assert polars.height == 2
    assert polars.filter(pl.col("student_email") == "sam@example.org")["best_score"].to_list() == [100]

    dashboard = c.as_user(world.student).student_dashboard()
    courses = pd.DataFrame(dashboard["courses"])
    assert courses["title"].tolist() == ["Rust"]
    assert pl.DataFrame(dashboard["assessments"]).height == 1


def test_empty_read_models_still_have_their_columns(world: World) -> None:
    book = world.client.as_user(world.instructor).gradebook(world.course)
    frame = pd.DataFrame(book)
    assert len(frame) == 0 and "best_score" in frame.columns
    assert pl.DataFrame(book).width == len(book)
