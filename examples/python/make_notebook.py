"""Writes analytics.ipynb (kept as the source of the notebook, so that its cells are
plain Python that mypy and review can read): `python examples/python/make_notebook.py`."""

from __future__ import annotations

import pathlib

import nbformat

CELLS = [
    ("markdown", """# Learning analytics with `lms`

A demo course with a few hundred simulated students, built through the library (the same
rules and Row Level Security as every client), then its gradebook and dashboards as
DataFrames and two plots. It needs a PostgreSQL: `DATABASE_URL` (a throwaway one with
`scripts/with-postgres`). The plots are also written as PNG files under
`target/notebook/`."""),
    ("code", """import os, pathlib, random
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import lms

client = lms.connect(os.environ["DATABASE_URL"])
client.migrate()
out = pathlib.Path(os.environ.get("LMS_NOTEBOOK_OUT", "target/notebook"))
out.mkdir(parents=True, exist_ok=True)
random.seed(7)"""),
    ("markdown", "## A course of three lessons, each with a quiz, and a final exam"),
    ("code", """service = client.as_service()
run = random.randrange(10**9)
teacher = service.sign_up(f"teacher-{run}@example.org", role="instructor", first_name="Ada", last_name="Lovelace")["id"]
author = client.as_user(teacher)
course = author.create_course("Data structures", teacher, tags=["cs"], difficulty_level="beginner")["id"]

def quiz(topic):
    return [
        {"type": "true_false", "id": "q1", "prompt": f"{topic}: statement 1", "points": 1, "correct": True},
        {"type": "multiple_choice", "id": "q2", "prompt": f"{topic}: pick one", "points": 2,
         "options": [{"id": "a", "text": "A", "fraction": 1}, {"id": "b", "text": "B", "fraction": 0}]},
        {"type": "multiple_choice", "id": "q3", "prompt": f"{topic}: pick all right", "points": 2, "multiple": True,
         "options": [{"id": "a", "text": "A", "fraction": 0.5}, {"id": "b", "text": "B", "fraction": 0.5},
                     {"id": "c", "text": "C", "fraction": -0.5}]},
    ]

lessons, quizzes, blocks = [], [], []
previous = []
for i, topic in enumerate(["Arrays", "Lists", "Trees"]):
    lesson = author.create_lesson(course, topic, i, prerequisites=previous)["id"]
    blocks.append(author.create_block(lesson, "rich_text", {"rich_text": {"html": f"<p>{topic}</p>"}}, 0)["id"])
    quizzes.append(author.create_assessment(f"{topic} quiz", quiz(topic), lesson_id=lesson, max_attempts=3)["id"])
    lessons.append(lesson)
    previous = [lesson]
final = author.create_assessment("Final exam", quiz("Everything"), course_id=course)["id"]
author.publish_course(course)
len(lessons), len(quizzes)"""),
    ("markdown", "## Simulated students: each studies as far as their skill takes them"),
    ("code", """def sheet(skill):
    right = lambda: random.random() < skill
    return {
        "q1": {"type": "true_false", "value": right()},
        "q2": {"type": "multiple_choice", "selected": ["a" if right() else "b"]},
        "q3": {"type": "multiple_choice", "selected": [o for o, ok in (("a", right()), ("b", right())) if ok] or ["c"]},
    }

students = []
for n in range(int(os.environ.get("LMS_NOTEBOOK_STUDENTS", "300"))):
    sid = service.sign_up(f"s{n}-{run}@example.org", first_name=f"Student {n}")["id"]
    students.append(sid)
    me = client.as_user(sid)
    me.enroll(course)
    skill = random.betavariate(4, 2)
    for block, assessment in zip(blocks, quizzes):
        me.record_content_progress(block, {"completed": True, "percent": 100}, seconds=random.randint(60, 900))
        passed = False
        for _ in range(3):
            passed = me.submit_attempt(assessment, sheet(skill))["attempt"]["passed"]
            if passed:
                break
        if not passed:
            break
len(students)"""),
    ("markdown", "## The gradebook as a DataFrame"),
    ("code", """book = pd.DataFrame(author.gradebook(course))
book[["student_name", "assessment_title", "attempts", "best_score", "passed"]].head()"""),
    ("code", """summary = book.groupby("assessment_title").agg(students=("student_id", "nunique"),
    mean_best=("best_score", "mean"), pass_rate=("passed", "mean")).round(2)
summary"""),
    ("markdown", "## Score distribution per assessment"),
    ("code", """fig, ax = plt.subplots(figsize=(7, 4))
for title, group in book.groupby("assessment_title"):
    ax.hist(group["best_score"].dropna(), bins=range(0, 105, 10), alpha=0.5, label=title)
ax.set_xlabel("best score"); ax.set_ylabel("students"); ax.legend(); ax.set_title("Best score per assessment")
fig.savefig(out / "score_distribution.png", dpi=100, bbox_inches="tight")"""),
    ("markdown", """## The completion funnel

`completion_funnel` counts, per lesson in course order, the enrolled students who started
it, completed it and passed its quiz (one SQL query over the course's progress rows, read
as the instructor under Row Level Security), with the median time spent and the drop-off
from the previous lesson."""),
    ("code", """funnel = author.completion_funnel(course)
steps = pd.DataFrame(funnel["lessons"]).set_index("title")
fig, ax = plt.subplots(figsize=(7, 3.5))
steps[["started", "completed", "passed"]].plot.bar(ax=ax, rot=0)
ax.axhline(funnel["enrolled"], color="grey", linestyle="--", label="enrolled")
ax.set_xlabel("lesson"); ax.set_ylabel("students"); ax.set_title("Completion funnel"); ax.legend()
fig.savefig(out / "completion_funnel.png", dpi=100, bbox_inches="tight")
steps[["started", "completed", "passed", "median_seconds", "drop_off"]].round(2)"""),
    ("markdown", """## Item difficulty against discrimination

`item_analysis` gives each question's facility (mean credit: 1 is easy) and its
discrimination (the corrected item-total correlation: does the question separate the
students who do well on the rest of the test from those who do not?). Questions low on
the chart are the ones to rewrite."""),
    ("code", """items = pd.concat(
    [pd.DataFrame(author.item_analysis(q)["items"]).assign(quiz=f"quiz {i + 1}") for i, q in enumerate(quizzes)],
    ignore_index=True)
fig, ax = plt.subplots(figsize=(6, 4))
for quiz_name, group in items.groupby("quiz"):
    ax.scatter(group["facility"], group["discrimination"], label=quiz_name)
    for _, row in group.iterrows():
        ax.annotate(row["question_id"], (row["facility"], row["discrimination"]), fontsize=8)
ax.set_xlabel("facility (mean credit)"); ax.set_ylabel("discrimination (item-rest r)")
ax.set_title("Item difficulty vs discrimination"); ax.legend()
fig.savefig(out / "item_difficulty_discrimination.png", dpi=100, bbox_inches="tight")
first_quiz = author.item_analysis(quizzes[0])
first_quiz["cronbach_alpha"], first_quiz["pass_rate"], pd.DataFrame(first_quiz["options"]).head()"""),
    ("markdown", "## Students at risk, with the reasons"),
    ("code", """risk = author.at_risk_students(course, failed_attempts=3)
at_risk = pd.DataFrame(risk["students"])
at_risk["why"] = at_risk["reasons"].map(lambda rs: ", ".join(r["reason"] for r in rs))
at_risk[["student_name", "completed_lessons", "why"]].head()"""),
    ("markdown", "## One student's dashboard"),
    ("code", """dash = client.as_user(students[0]).student_dashboard()
pd.DataFrame(dash["courses"])"""),
    ("code", """assert len(book) > 0 and (out / "score_distribution.png").exists() and (out / "completion_funnel.png").exists()
assert (out / "item_difficulty_discrimination.png").exists() and len(items) == 9
client.close()"""),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in CELLS:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
    path = pathlib.Path(__file__).with_name("analytics.ipynb")
    nbformat.write(nb, path)
    print(path)


if __name__ == "__main__":
    main()
