//! Personalized roadmaps and knowledge tracing through the use cases, on a real database:
//! generation from answers, staleness and regeneration, proposals and advisors, the
//! knowledge model, and who may read and write what (also as raw SQL).
#![allow(clippy::unwrap_used)]

mod world;

use std::time::Duration;

use async_trait::async_trait;
use lms_core::documents::{RoadmapData, StepKind};
use lms_core::model::*;
use lms_core::repo::LessonPatch;
use lms_core::roadmap::{BktParams, FitOptions, PlanInput, Proposal, Roadmap, RoadmapAdvisor};
use lms_db::{ErrorCode, Lms};
use serde_json::json;
use sqlx::PgPool;
use world::common::act_as;
use world::{answers, user, world, World};

/// The world with skills: lesson 1 teaches `ownership`, lesson 2 `borrowing`; the
/// student is enrolled.
async fn skilled(pool: PgPool) -> World {
    let w = world(pool, true).await;
    let author = w.lms.as_user(w.instructor);
    for (lesson, skill) in [(w.lesson1, "ownership"), (w.lesson2, "borrowing")] {
        author
            .update_lesson(
                lesson,
                LessonPatch {
                    learning_objectives: Some(vec![skill.into()]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    w.lms.as_user(w.student).enroll(w.course).await.unwrap();
    w
}

fn data(r: &lms_db::CourseRoadmap) -> RoadmapData {
    serde_json::from_value(r.roadmap.roadmap_data.clone()).unwrap()
}

fn steps(r: &lms_db::CourseRoadmap) -> Vec<(StepKind, Option<LessonId>, Option<AssessmentId>)> {
    data(r)
        .steps
        .iter()
        .map(|s| (s.kind, s.lesson_id, s.assessment_id))
        .collect()
}

async fn active_count(pool: &PgPool, student: UserId, course: CourseId) -> i64 {
    sqlx::query_scalar(
        "select count(*) from public.personalized_roadmaps \
          where student_id = $1 and course_id = $2 and status = 'active'",
    )
    .bind(student.0)
    .bind(course.0)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_roadmap_follows_the_students_answers(pool: PgPool) {
    let w = skilled(pool).await;
    let me = w.lms.as_user(w.student);
    let first = me.generate_roadmap(w.course).await.unwrap();
    assert_eq!(first.roadmap.course_id, Some(w.course));
    assert!(!first.stale);
    assert_eq!(
        steps(&first),
        vec![
            (StepKind::Study, Some(w.lesson1), Some(w.quiz1)),
            (StepKind::Study, Some(w.lesson2), Some(w.quiz2)),
            (StepKind::Assessment, None, Some(w.final_exam)),
        ]
    );
    assert!(first
        .roadmap
        .ai_reasoning
        .as_deref()
        .unwrap()
        .starts_with("3 steps"));
    assert_eq!(
        me.current_roadmap(w.course).await.unwrap(),
        Some(first.clone())
    );
    // nothing new: the same roadmap, no new row
    let again = me.generate_roadmap(w.course).await.unwrap();
    assert_eq!(again.roadmap.id, first.roadmap.id);
    assert!(again.roadmap.generated_at >= first.roadmap.generated_at);
    let rows: i64 = sqlx::query_scalar("select count(*) from public.personalized_roadmaps")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);

    // a failed quiz makes the roadmap stale; the next one reviews it first
    me.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    assert!(me.current_roadmap(w.course).await.unwrap().unwrap().stale);
    let second = me.generate_roadmap(w.course).await.unwrap();
    assert_eq!(
        steps(&second)[0],
        (StepKind::Review, Some(w.lesson1), Some(w.quiz1))
    );
    assert!(!second.stale);
    assert_eq!(active_count(&w.pool, w.student, w.course).await, 1);
    let previous: String =
        sqlx::query_scalar("select status::text from public.personalized_roadmaps where id = $1")
            .bind(first.roadmap.id.0)
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(previous, "paused");

    // the mastery it was planned from is stored, explained by the default model:
    // two wrong answers on `ownership` from the prior 0.2
    let profile = me.my_profile().await.unwrap();
    let skills = &profile.knowledge_profile["skills"];
    let bkt = BktParams::DEFAULT.model();
    let expected = bkt.update(bkt.update(bkt.start(), false), false).p();
    assert_eq!(skills["ownership"]["evidence"], 2);
    let got = skills["ownership"]["mastery"].as_f64().unwrap();
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    assert!(skills.get("borrowing").is_none());
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn who_may_generate_and_read_roadmaps(pool: PgPool) {
    let w = skilled(pool).await;
    let stranger = w.lms.as_user(w.other_student);
    let e = stranger.generate_roadmap(w.course).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotEnrolled);
    let svc = w.lms.as_service();
    let e = svc.generate_roadmap(w.course).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let made = svc.generate_roadmap_for(w.student, w.course).await.unwrap();
    let e = w
        .lms
        .as_user(w.instructor)
        .generate_roadmap_for(w.student, w.course)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    // reading: the student, the course's instructor, admins; not other students or
    // other instructors
    for (who, sees) in [
        (w.student, true),
        (w.instructor, true),
        (w.admin, true),
        (w.other_student, false),
        (w.other_instructor, false),
    ] {
        let got = w
            .lms
            .as_user(who)
            .current_roadmap_of(w.student, w.course)
            .await
            .unwrap();
        assert_eq!(
            got.map(|r| r.roadmap.id),
            sees.then_some(made.roadmap.id),
            "{who}"
        );
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn nobody_writes_roadmaps_mastery_or_models_directly(pool: PgPool) {
    let w = skilled(pool).await;
    w.lms
        .as_user(w.student)
        .generate_roadmap(w.course)
        .await
        .unwrap();
    let attacks = [
        (w.student, "update public.personalized_roadmaps set roadmap_data = '{\"steps\": []}'"),
        (w.student, "insert into public.personalized_roadmaps (student_id, course_id, roadmap_data) select student_id, course_id, '{\"steps\": []}' from public.enrollments"),
        (w.student, "update public.profiles set knowledge_profile = '{\"skills\": {\"ownership\": {\"mastery\": 1, \"evidence\": 99}}}'"),
        (w.instructor, "update public.personalized_roadmaps set status = 'completed'"),
        (w.instructor, "insert into public.knowledge_models (course_id, skill, prior, learn, guess, slip) select id, 'x', .5, .5, .1, .1 from public.courses"),
        (w.admin, "delete from public.knowledge_models"),
    ];
    for (who, sql) in attacks {
        let mut tx = w.pool.begin().await.unwrap();
        act_as(
            &mut tx,
            "authenticated",
            json!({"sub": who, "role": "authenticated"}),
        )
        .await;
        let e = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert!(e.to_string().contains("permission denied"), "{sql}: {e}");
    }
    // reading the knowledge model: the course's instructor, not its students
    w.lms
        .as_user(w.instructor)
        .set_knowledge_model(w.course, Some("ownership"), BktParams::DEFAULT)
        .await
        .unwrap();
    for (who, rows) in [
        (w.instructor, 1i64),
        (w.student, 0),
        (w.other_instructor, 0),
    ] {
        let mut tx = w.pool.begin().await.unwrap();
        act_as(
            &mut tx,
            "authenticated",
            json!({"sub": who, "role": "authenticated"}),
        )
        .await;
        let n: i64 = sqlx::query_scalar("select count(*) from public.knowledge_models")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, rows, "{who}");
    }
    let e = w
        .lms
        .as_user(w.student)
        .knowledge_model(w.course)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn proposals_are_stored_only_when_they_keep_the_rules(pool: PgPool) {
    let w = skilled(pool).await;
    let me = w.lms.as_user(w.student);
    let input: PlanInput = me.roadmap_input(w.course).await.unwrap();
    let plan = lms_core::roadmap::plan(&input).unwrap();
    // lesson 2 before its prerequisite: refused, nothing stored
    let mut bad = plan.data.clone();
    bad.steps.swap(0, 1);
    let out = me
        .propose_roadmap(
            w.course,
            &serde_json::to_value(&bad).unwrap(),
            "model-x",
            None,
        )
        .await
        .unwrap();
    assert!(!out.accepted);
    assert!(out.roadmap.is_none());
    assert_eq!(
        out.violations[0].code,
        lms_core::roadmap::ViolationCode::PrerequisiteOrder
    );
    assert_eq!(me.current_roadmap(w.course).await.unwrap(), None);
    // not a document at all
    let out = me
        .propose_roadmap(w.course, &json!({"steps": "soon"}), "model-x", None)
        .await
        .unwrap();
    assert_eq!(
        out.violations[0].code,
        lms_core::roadmap::ViolationCode::InvalidDocument
    );
    // annotated: stored, the verdict recorded
    let mut good = plan.data.clone();
    good.steps[0].reason = "Start here: it is short.".into();
    let out = me
        .propose_roadmap(
            w.course,
            &serde_json::to_value(&good).unwrap(),
            "model-x",
            Some("Short lessons first.".into()),
        )
        .await
        .unwrap();
    assert!(out.accepted, "{:?}", out.violations);
    let stored = out.roadmap.unwrap();
    assert_eq!(
        stored.roadmap.ai_reasoning.as_deref(),
        Some("Short lessons first.")
    );
    let note = data(&stored).advisor.unwrap();
    assert!(note.accepted);
    assert_eq!(note.source, "model-x");
    assert_eq!(data(&stored).steps[0].reason, "Start here: it is short.");
}

/// An advisor that answers with `answer` after `delay`.
struct Advisor {
    delay: Duration,
    answer: fn(&Roadmap) -> Result<Proposal, String>,
}

/// The transactions of the test's database left open (none while an advisor thinks).
async fn open_transactions(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select count(*) from pg_stat_activity \
          where datname = current_database() and state like 'idle in transaction%'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[async_trait]
impl RoadmapAdvisor for Advisor {
    fn name(&self) -> &str {
        "test-model"
    }
    async fn propose(&self, _: &PlanInput, plan: &Roadmap) -> Result<Proposal, String> {
        tokio::time::sleep(self.delay).await;
        (self.answer)(plan)
    }
}

/// An advisor that looks at the database while it thinks.
struct Watcher(PgPool, std::sync::Mutex<Option<i64>>);

#[async_trait]
impl RoadmapAdvisor for Watcher {
    fn name(&self) -> &str {
        "watcher"
    }
    async fn propose(&self, _: &PlanInput, plan: &Roadmap) -> Result<Proposal, String> {
        let open = open_transactions(&self.0).await;
        *self.1.lock().unwrap() = Some(open);
        let mut d = plan.data.clone();
        // not a valid document: more minutes than a step may take
        d.steps[0].estimated_minutes = 1_000_000;
        Ok(Proposal {
            roadmap: d,
            reasoning: Some("nul \0 inside".into()),
        })
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_advisor_improves_the_plan_but_never_breaks_it(pool: PgPool) {
    let w = skilled(pool).await;
    let me = w.lms.as_user(w.student);
    let note = |r: &lms_db::CourseRoadmap| data(r).advisor.unwrap();
    let slow = Advisor {
        delay: Duration::from_secs(5),
        answer: |p| {
            Ok(Proposal {
                roadmap: p.data.clone(),
                reasoning: None,
            })
        },
    };
    let r = me
        .generate_roadmap_with(w.course, &slow, Duration::from_millis(50))
        .await
        .unwrap();
    assert!(!note(&r).accepted);
    assert!(
        note(&r).reasons[0].contains("did not answer within 50 ms"),
        "{:?}",
        note(&r)
    );
    let failing = Advisor {
        delay: Duration::ZERO,
        answer: |_| Err("quota exceeded".into()),
    };
    let r = me
        .generate_roadmap_with(w.course, &failing, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        note(&r).reasons,
        vec!["it failed: quota exceeded".to_owned()]
    );
    let dropper = Advisor {
        delay: Duration::ZERO,
        answer: |p| {
            let mut d = p.data.clone();
            d.steps.pop(); // the final exam: mandatory
            Ok(Proposal {
                roadmap: d,
                reasoning: Some("Skip the exam".into()),
            })
        },
    };
    let r = me
        .generate_roadmap_with(w.course, &dropper, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(!note(&r).accepted);
    assert_eq!(data(&r).steps.len(), 3, "the plan stands");
    assert!(r.roadmap.ai_reasoning.unwrap().contains("was refused"));
    let annotator = Advisor {
        delay: Duration::ZERO,
        answer: |p| {
            let mut d = p.data.clone();
            d.steps[0].estimated_minutes = 5;
            Ok(Proposal {
                roadmap: d,
                reasoning: None,
            })
        },
    };
    let r = me
        .generate_roadmap_with(w.course, &annotator, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(note(&r).accepted);
    assert_eq!(data(&r).steps[0].estimated_minutes, 5);
    assert_eq!(active_count(&w.pool, w.student, w.course).await, 1);
    // no transaction is held while the advisor thinks; an invalid document is refused
    // as such and the plan stands
    let watcher = Watcher(w.pool.clone(), std::sync::Mutex::new(None));
    let r = me
        .generate_roadmap_with(w.course, &watcher, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(*watcher.1.lock().unwrap(), Some(0));
    assert!(!note(&r).accepted);
    assert!(note(&r).reasons[0].contains("10000"), "{:?}", note(&r));
    assert_ne!(data(&r).steps[0].estimated_minutes, 1_000_000);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn skills_come_from_any_objective_and_content_changes_make_roadmaps_stale(pool: PgPool) {
    let w = skilled(pool).await;
    // a long objective is a skill name cut to 64 characters
    let long = "Explain how ownership moves between bindings and functions in Rust programs";
    w.lms
        .as_user(w.instructor)
        .update_lesson(
            w.lesson1,
            LessonPatch {
                learning_objectives: Some(vec![long.into(), "  ".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let me = w.lms.as_user(w.student);
    me.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    let r = me.generate_roadmap(w.course).await.unwrap();
    assert!(!r.stale);
    let profile = me.my_profile().await.unwrap();
    let skills = profile.knowledge_profile["skills"].as_object().unwrap();
    let cut: String = long.chars().take(64).collect();
    assert_eq!(skills.keys().collect::<Vec<_>>(), vec![&cut]);
    // null elements cannot be stored (a direct client's raw SQL)
    let mut tx = w.pool.begin().await.unwrap();
    act_as(
        &mut tx,
        "authenticated",
        json!({"sub": w.instructor, "role": "authenticated"}),
    )
    .await;
    let e = sqlx::query("update public.lessons set learning_objectives = array['x', null]::text[]")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("lessons_learning_objectives_no_null"),
        "{e}"
    );
    drop(tx);
    // the course changes: the roadmap is stale; a deleted assessment too
    w.lms
        .as_user(w.instructor)
        .update_lesson(
            w.lesson2,
            LessonPatch {
                title: Some("Borrowing, again".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(me.current_roadmap(w.course).await.unwrap().unwrap().stale);
    me.generate_roadmap(w.course).await.unwrap();
    sqlx::query("delete from public.assessments where id = $1")
        .bind(w.quiz2.0)
        .execute(&w.pool)
        .await
        .unwrap();
    sqlx::query("update public.lessons set updated_at = now() - interval '1 day'")
        .execute(&w.pool)
        .await
        .unwrap();
    assert!(me.current_roadmap(w.course).await.unwrap().unwrap().stale);
    // fits are bounded
    let e = w
        .lms
        .as_user(w.instructor)
        .fit_knowledge_model(
            w.course,
            FitOptions {
                restarts: 0,
                ..FitOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidDocument);
    // a raw roadmap of a course goes to an enrolled student only
    let e = lms_core::repo::RoadmapRepo::create_roadmap(
        &w.lms.as_service(),
        lms_core::repo::NewRoadmap {
            student_id: w.other_student,
            roadmap_data: json!({"course_id": w.course, "steps": []}),
            ai_reasoning: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotEnrolled);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_knowledge_model_is_fitted_set_and_used(pool: PgPool) {
    let w = skilled(pool).await;
    let lms = Lms::from_pool(w.pool.clone());
    // twenty students answer the first quiz: some know it, some do not
    for i in 0..20 {
        let s = user(&w.pool, &format!("s{i}@example.org"), "student").await;
        let me = lms.as_user(s);
        me.enroll(w.course).await.unwrap();
        me.submit_attempt(w.quiz1, &answers(if i % 3 == 0 { 0 } else { 2 }))
            .await
            .unwrap();
    }
    let e = lms
        .as_user(w.student)
        .fit_knowledge_model(w.course, FitOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let fitted = lms
        .as_user(w.instructor)
        .fit_knowledge_model(w.course, FitOptions::default())
        .await
        .unwrap();
    assert_eq!(fitted.answers, 40);
    let own = fitted
        .skills
        .iter()
        .find(|s| s.skill == "ownership")
        .unwrap()
        .fitted;
    assert_eq!(own.answers, 40);
    own.params.checked().unwrap();
    let model = lms
        .as_user(w.instructor)
        .knowledge_model(w.course)
        .await
        .unwrap();
    assert_eq!(model.skills["ownership"], own.params);
    let fitted_at: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "select fitted_at from public.knowledge_models where skill = 'ownership'",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert!(fitted_at.is_some());

    // set by hand: checked; a course default; roadmaps become stale
    let me = lms.as_user(w.student);
    me.generate_roadmap(w.course).await.unwrap();
    let degenerate = BktParams {
        guess: 0.6,
        ..BktParams::DEFAULT
    };
    let e = lms
        .as_user(w.instructor)
        .set_knowledge_model(w.course, None, degenerate)
        .await
        .unwrap_err();
    assert_ne!(e.code(), ErrorCode::Database);
    assert!(e.to_string().contains("guess"), "{e}");
    let default = BktParams {
        prior: 0.6,
        ..BktParams::DEFAULT
    };
    let model = lms
        .as_user(w.instructor)
        .set_knowledge_model(w.course, None, default)
        .await
        .unwrap();
    assert_eq!(model.default, Some(default));
    assert!(me.current_roadmap(w.course).await.unwrap().unwrap().stale);
    // the other instructor may not
    let e = lms
        .as_user(w.other_instructor)
        .set_knowledge_model(w.course, None, default)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    // and the plan uses the course default for skills without evidence
    let input = me.roadmap_input(w.course).await.unwrap();
    assert_eq!(input.settings.unknown_mastery, 0.6);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn stale_roadmaps_are_regenerated_in_a_batch(pool: PgPool) {
    let w = skilled(pool).await;
    let other = w.lms.as_user(w.other_student);
    other.enroll(w.course).await.unwrap();
    let me = w.lms.as_user(w.student);
    me.generate_roadmap(w.course).await.unwrap();
    other.generate_roadmap(w.course).await.unwrap();
    me.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    let e = me.regenerate_roadmaps(w.course).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let done = w
        .lms
        .as_user(w.instructor)
        .regenerate_roadmaps(w.course)
        .await
        .unwrap();
    assert_eq!((done.regenerated, done.fresh), (1, 1));
    let mine = me.current_roadmap(w.course).await.unwrap().unwrap();
    assert!(!mine.stale);
    assert_eq!(steps(&mine)[0].0, StepKind::Review);
    let again = w
        .lms
        .as_service()
        .regenerate_roadmaps(w.course)
        .await
        .unwrap();
    assert_eq!((again.regenerated, again.fresh), (0, 2));
}

/// A batch reads the course once: a change made while it runs leaves the roadmaps it
/// then stores stale, never fresh.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_batch_leaves_what_changed_during_it_stale(pool: PgPool) {
    let w = skilled(pool).await;
    let other = w.lms.as_user(w.other_student);
    other.enroll(w.course).await.unwrap();
    for s in [w.student, w.other_student] {
        let me = w.lms.as_user(s);
        me.generate_roadmap(w.course).await.unwrap();
        me.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    }
    // the batch goes by student id: it waits on the first one's roadmap lock, held here,
    // and starts the second one's transaction after the change below
    let (first, second) = if w.student.0 < w.other_student.0 {
        (w.student, w.other_student)
    } else {
        (w.other_student, w.student)
    };
    let mut holder = w.pool.begin().await.unwrap();
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("lms.roadmap:{first}"))
        .execute(&mut *holder)
        .await
        .unwrap();
    let teacher = w.lms.as_user(w.instructor);
    let batch = tokio::spawn({
        let (teacher, course) = (teacher.clone(), w.course);
        async move { teacher.regenerate_roadmaps(course).await }
    });
    assert!(world::someone_waits_for_a_lock(&w.pool).await);
    // the course changes after the batch read it
    teacher
        .update_lesson(
            w.lesson2,
            LessonPatch {
                title: Some("Borrowing, rewritten".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    holder.commit().await.unwrap();
    let done = batch.await.unwrap().unwrap();
    assert_eq!(done.regenerated, 2, "{done:?}");
    let late = w
        .lms
        .as_user(second)
        .current_roadmap(w.course)
        .await
        .unwrap()
        .unwrap();
    assert!(
        late.stale,
        "planned from the course as it was before the change"
    );
}
