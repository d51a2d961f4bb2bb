"""Knowledge tracing and roadmaps from Python: the pure calls side by side with pyBKT (the
reference implementation, on the same seeded data in one run), and the use cases against
a real database."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lms
from conftest import World, answers

# -- data -------------------------------------------------------------------------------

TRUTH = {
    "loops": {"prior": 0.3, "learn": 0.15, "guess": 0.2, "slip": 0.1, "forget": 0.0},
    "recursion": {"prior": 0.1, "learn": 0.25, "guess": 0.25, "slip": 0.08, "forget": 0.0},
}


def simulate(params: dict[str, dict[str, float]], students: int, length: int, seed: int) -> pd.DataFrame:
    """Students answering each skill `length` times under `params` (numpy seeded), in
    pyBKT's columns; rows interleave skills, order_id unique and increasing."""
    rng = np.random.RandomState(seed)
    rows: list[dict[str, Any]] = []
    for s in range(students):
        state = {k: rng.random_sample() < p["prior"] for k, p in params.items()}
        for t in range(length):
            for skill, p in params.items():
                known = state[skill]
                correct = (rng.random_sample() >= p["slip"]) if known else (rng.random_sample() < p["guess"])
                state[skill] = (rng.random_sample() >= p["forget"]) if known else (rng.random_sample() < p["learn"])
                rows.append({"user_id": f"u{seed}-{s}", "skill_name": skill, "correct": int(correct)})
    df = pd.DataFrame(rows)
    df.insert(0, "order_id", np.arange(1, len(df) + 1))
    return df


def as_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"student": u, "skill": k, "correct": bool(c)}
            for u, k, c in zip(df["user_id"], df["skill_name"], df["correct"])]


def pybkt_model(params: dict[str, dict[str, float]]) -> Any:
    """A pyBKT model with parameters set by hand (pyBKT 1.4 has no public setter)."""
    from pyBKT.models import Model

    m = Model(parallel=False, seed=0)
    m.coef_ = {k: {"prior": p["prior"], "learns": np.array([p["learn"]]), "guesses": np.array([p["guess"]]),
                   "slips": np.array([p["slip"]]), "forgets": np.array([p.get("forget", 0.0)])}
               for k, p in params.items()}
    for k in m.fit_model:
        m.fit_model[k]["resource_names"] = {"default": 1}
        m.fit_model[k]["gs_names"] = {"default": 1}
    m.skills = [re.escape(k) for k in params]
    m.forgets = any(p.get("forget", 0.0) > 0 for p in params.values())
    return m


def pybkt_predictions(model: Any, df: pd.DataFrame) -> np.ndarray:
    out = model.predict(data=df.copy()).set_index("order_id").loc[df["order_id"]]
    return out["correct_predictions"].to_numpy()


# -- the pure calls ---------------------------------------------------------------------


def test_one_update_by_hand() -> None:
    p = {"prior": 0.3, "learn": 0.2, "guess": 0.25, "slip": 0.1, "forget": 0.05}
    step = lms.bkt_update(0.3, True, p)
    k, u = 0.3 * 0.9 / 0.445, 0.7 * 0.25 / 0.445
    assert step["predicted"] == pytest.approx(0.3 * 0.9 + 0.7 * 0.25, abs=1e-15)
    assert step["mastery"] == pytest.approx(k * 0.95 + u * 0.2, abs=1e-15)
    with pytest.raises(lms.InvalidDocument, match="guess"):
        lms.bkt_update(0.3, True, {**p, "guess": 0.5})
    with pytest.raises(lms.InvalidDocument):
        lms.bkt_update(1.5, True)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:pyBKT")
@pytest.mark.parametrize("forget", [0.0, 0.12])
def test_predictions_equal_pybkts_with_the_same_parameters(forget: float) -> None:
    params = {k: {**p, "forget": forget} for k, p in TRUTH.items()}
    df = simulate(params, students=60, length=25, seed=3)
    ours = np.array(lms.bkt_predict(as_rows(df), {"skills": params}))
    theirs = pybkt_predictions(pybkt_model(params), df)
    assert len(ours) == len(df)
    assert np.max(np.abs(ours - theirs)) <= 1e-10


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:pyBKT")
def test_fits_reach_pybkts_held_out_auc() -> None:
    """The library's EM and pyBKT's, each fitted on the same training students and scored
    on the same held-out ones, classic BKT and BKT with forgets."""
    from pyBKT.models import Model

    report = []
    # pyBKT fits with forgets take seconds per thousand answers: a smaller course there
    for forgets, truth, students in [(False, TRUTH, 150), (True, {k: {**p, "forget": 0.1} for k, p in TRUTH.items()}, 80)]:
        train = simulate(truth, students=students, length=15, seed=11)
        test = simulate(truth, students=students, length=15, seed=12)
        started = time.perf_counter()
        fits = lms.fit_bkt(as_rows(train), seed=7, forgets=forgets)
        ours_s = time.perf_counter() - started
        model = {"skills": {f["skill"]: f["params"] for f in fits}}
        ours = lms.auc(lms.bkt_predict(as_rows(test), model), [bool(c) for c in test["correct"]])
        reference = Model(seed=7, num_fits=5, parallel=False)
        started = time.perf_counter()
        reference.fit(data=train.copy(), forgets=forgets)
        theirs_s = time.perf_counter() - started
        theirs = float(reference.evaluate(data=test.copy(), metric="auc"))
        assert ours is not None
        report.append(f"forgets={forgets}: AUC lms {ours:.4f} (fit {ours_s:.2f} s), pyBKT {theirs:.4f} "
                      f"(fit {theirs_s:.2f} s)")
        assert abs(ours - theirs) <= 0.005, report[-1]
        for f in fits:
            assert f["params"]["guess"] < 0.5 and f["params"]["slip"] < 0.5
            assert (f["params"]["forget"] > 0) == forgets
    print("\n" + "\n".join(report))


def test_plans_and_proposals_are_the_librarys() -> None:
    lesson = lambda n, pre=(): {"id": str(uuid.UUID(int=n)), "title": f"L{n}", "order_index": n,  # noqa: E731
                                "prerequisites": [str(uuid.UUID(int=p)) for p in pre], "skills": [f"s{n}"],
                                "minutes": 20}
    plan_input = {"course_id": str(uuid.UUID(int=99)), "lessons": [lesson(1), lesson(2, [1]), lesson(3)],
                  "knowledge": {"skills": {"s3": {"mastery": 0.1, "evidence": 4}}}}
    plan = lms.plan_roadmap(plan_input)
    order = [s["lesson_id"] for s in plan["data"]["steps"]]
    # the weak skill s3 first, then the course order with 2 after its prerequisite 1
    assert order == [str(uuid.UUID(int=n)) for n in (3, 1, 2)]
    assert plan["reasoning"].startswith("3 steps")
    swapped = {**plan["data"], "steps": [plan["data"]["steps"][i] for i in (0, 2, 1)]}
    violations = lms.check_roadmap(plan_input, swapped)
    assert [v["code"] for v in violations] == ["prerequisite_order"]
    decision = lms.decide_roadmap(plan_input, swapped, source="my-model")
    assert not decision["accepted"]
    assert decision["roadmap"]["data"]["steps"] == plan["data"]["steps"]
    assert decision["roadmap"]["data"]["advisor"]["source"] == "my-model"
    assert lms.check_roadmap(plan_input, plan["data"]) == []
    assert lms.check_roadmap(plan_input, {"steps": 3})[0]["code"] == "invalid_document"
    traced = lms.trace_knowledge([{"skill": "s1", "question_id": "q1", "correct": True}])
    assert traced["changes"][0]["before"] == 0.2
    assert traced["profile"]["skills"]["s1"]["evidence"] == 1
    assert lms.auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    with pytest.raises(lms.InvalidDocument):
        lms.plan_roadmap({**plan_input, "lessons": [lesson(1, [2]), lesson(2, [1])]})


# -- the database -----------------------------------------------------------------------


def skilled(world: World) -> lms.Scope:
    author = world.client.as_user(world.instructor)
    author.update_lesson(world.lesson1, learning_objectives=["ownership"])
    author.update_lesson(world.lesson2, learning_objectives=["borrowing"])
    me = world.client.as_user(world.student)
    me.enroll(world.course)
    return me


def test_a_students_roadmap_follows_their_answers(world: World) -> None:
    me = skilled(world)
    first = me.generate_roadmap(world.course)
    assert first["course_id"] == world.course and first["stale"] is False
    kinds = [(s["kind"], s.get("lesson_id")) for s in first["roadmap_data"]["steps"]]
    assert kinds == [("study", str(world.lesson1)), ("study", str(world.lesson2)), ("assessment", None)]
    # the same plan from the input the library sees
    assert lms.plan_roadmap(me.roadmap_input(world.course))["data"] == first["roadmap_data"]
    me.submit_attempt(world.quiz1, answers(0))
    stale = me.current_roadmap(world.course)
    assert stale is not None and stale["stale"] is True
    second = me.generate_roadmap(world.course)
    assert second["roadmap_data"]["steps"][0]["kind"] == "review"
    assert me.my_profile()["knowledge_profile"]["skills"]["ownership"]["evidence"] == 2
    teacher = world.client.as_user(world.instructor)
    seen = teacher.current_roadmap(world.course, world.student)
    assert seen is not None and seen["id"] == second["id"]
    assert world.client.as_user(world.other_student).current_roadmap(world.course, world.student) is None
    with pytest.raises(lms.NotEnrolled):
        world.client.as_user(world.other_student).generate_roadmap(world.course)
    with pytest.raises(lms.Forbidden):
        world.client.as_service().generate_roadmap(world.course)
    assert world.client.as_service().generate_roadmap(world.course, world.student)["stale"] is False


def test_proposals_models_and_regeneration(world: World) -> None:
    me = skilled(world)
    plan = lms.plan_roadmap(me.roadmap_input(world.course))["data"]
    bad = {**plan, "steps": plan["steps"][1:]}
    out = me.propose_roadmap(world.course, bad, source="my-model")
    assert out["accepted"] is False and out["roadmap"] is None
    assert "required_step_dropped" in {v["code"] for v in out["violations"]}
    assert me.current_roadmap(world.course) is None
    good = {**plan, "steps": [{**plan["steps"][0], "reason": "Short first."}, *plan["steps"][1:]]}
    out = me.propose_roadmap(world.course, good, source="my-model", reasoning="Mine.")
    assert out["accepted"] is True and out["roadmap"] is not None
    assert out["roadmap"]["ai_reasoning"] == "Mine."
    assert out["roadmap"]["roadmap_data"]["advisor"] == {"source": "my-model", "accepted": True}

    teacher = world.client.as_user(world.instructor)
    for i in range(6):
        s = world.client.as_service().sign_up(f"learner{i}@example.org")["id"]
        learner = world.client.as_user(s)
        learner.enroll(world.course)
        learner.submit_attempt(world.quiz1, answers(2 if i % 2 else 0))
    with pytest.raises(lms.Forbidden):
        me.fit_knowledge_model(world.course)
    fitted = teacher.fit_knowledge_model(world.course, seed=1)
    assert fitted["answers"] == 12 and [f["skill"] for f in fitted["skills"]] == ["ownership"]
    assert teacher.knowledge_model(world.course)["skills"]["ownership"] == fitted["skills"][0]["params"]
    with pytest.raises(lms.InvalidDocument, match="slip"):
        teacher.set_knowledge_model(world.course, {"prior": 0.2, "learn": 0.1, "guess": 0.1, "slip": 0.7})
    model = teacher.set_knowledge_model(world.course, {"prior": 0.5, "learn": 0.1, "guess": 0.1, "slip": 0.1})
    assert model["default"] == {"prior": 0.5, "learn": 0.1, "guess": 0.1, "slip": 0.1, "forget": 0.0}
    assert me.roadmap_input(world.course)["settings"]["unknown_mastery"] == 0.5
    mine = me.current_roadmap(world.course)
    assert mine is not None and mine["stale"] is True
    assert teacher.regenerate_roadmaps(world.course) == {"regenerated": 1, "fresh": 0, "failed": []}
