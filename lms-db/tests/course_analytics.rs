//! Course analytics through the use cases, against values worked out by hand on small
//! fixtures: the completion funnel, item analysis, students at risk, activity, and who
//! may read them (RLS and the use cases' checks).
#![allow(clippy::unwrap_used)]

mod world;

use chrono::{Duration, Utc};
use lms_core::analytics::{RiskReason, RiskThresholds};
use lms_core::model::*;
use lms_core::repo::AssessmentOwner;
use lms_db::analytics::course::queries;
use lms_db::{AttemptFilter, Bucket, Error};
use serde_json::{json, Value};
use sqlx::{PgPool, Row};
use world::{answers, common, user, world, World};

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

async fn sql(pool: &PgPool, statement: &str) {
    sqlx::raw_sql(statement).execute(pool).await.unwrap();
}

/// sam: both blocks of lesson 1 read (30 s each) and quiz 1 passed: lesson 1 completed;
/// kim: block 1 read (30 s), quiz 1 failed; lee: enrolled only.
async fn funnel_world(w: &World) -> UserId {
    let lee = user(&w.pool, "lee@example.org", "student").await;
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    for s in [&sam, &kim, &w.lms.as_user(lee)] {
        s.enroll(w.course).await.unwrap();
    }
    for block in [w.block1, w.block2] {
        sam.record_content_progress(block, &json!({"completed": true}), 30)
            .await
            .unwrap();
    }
    sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    kim.record_content_progress(w.block1, &json!({"completed": true}), 30)
        .await
        .unwrap();
    kim.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    lee
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn completion_funnel_counts_each_lesson(pool: PgPool) {
    let w = world(pool, true).await;
    funnel_world(&w).await;
    let funnel = w
        .lms
        .as_user(w.instructor)
        .completion_funnel(w.course)
        .await
        .unwrap();
    assert_eq!(funnel.enrolled, 3);
    assert_eq!(funnel.completed, 0);
    assert_eq!(funnel.final_assessment_id, Some(w.final_exam));
    assert_eq!(funnel.final_passed, Some(0));
    let [one, two] = &funnel.lessons[..] else {
        panic!("two lessons: {funnel:#?}")
    };
    assert_eq!((one.lesson_id, two.lesson_id), (w.lesson1, w.lesson2));
    // lesson 1: sam and kim started, sam completed and passed its quiz
    assert_eq!((one.enrolled, one.started, one.completed), (3, 2, 1));
    assert_eq!((one.assessment_id, one.passed), (Some(w.quiz1), Some(1)));
    close(one.median_seconds, 45.0); // sam 60 s, kim 30 s
    close(one.drop_off, 1.0 - 1.0 / 3.0);
    // lesson 2: nobody yet; all of lesson 1's one completer lost
    assert_eq!((two.started, two.completed, two.passed), (0, 0, Some(0)));
    assert_eq!(two.median_seconds, None);
    close(two.drop_off, 1.0);

    // the service and an admin see the same; the other instructor and a student may not
    let service = w
        .lms
        .as_service()
        .completion_funnel(w.course)
        .await
        .unwrap();
    assert_eq!(service, funnel);
    let admin = w
        .lms
        .as_user(w.admin)
        .completion_funnel(w.course)
        .await
        .unwrap();
    assert_eq!(admin, funnel);
    for outsider in [w.other_instructor, w.student] {
        let err = w
            .lms
            .as_user(outsider)
            .completion_funnel(w.course)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    }
}

/// The funnel's SQL run raw as the other instructor: Row Level Security alone leaves
/// them nothing of the course (not even the enrolled count), without the use case's
/// check.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn analytics_queries_read_nothing_of_another_instructors_course(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    funnel_world(&w).await;
    let run = |who: UserId, query: &'static str| {
        let pool = pool.clone();
        let course = w.course;
        async move {
            let mut tx = pool.begin().await.unwrap();
            common::act_as(
                &mut tx,
                "authenticated",
                json!({"sub": who, "role": "authenticated"}),
            )
            .await;
            let rows = sqlx::query(query)
                .bind(course.0)
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            tx.rollback().await.unwrap();
            rows
        }
    };
    let theirs = run(w.other_instructor, queries::COMPLETION_FUNNEL).await;
    assert_eq!(theirs[0].get::<i64, _>("enrolled"), 0);
    assert!(theirs.iter().all(|r| r.get::<i64, _>("started") == 0));
    assert!(run(w.other_instructor, queries::RISK_FACTS)
        .await
        .is_empty());
    let own = run(w.instructor, queries::COMPLETION_FUNNEL).await;
    assert_eq!(own[0].get::<i64, _>("enrolled"), 3);
    assert_eq!(run(w.instructor, queries::RISK_FACTS).await.len(), 3);

    // fine-grained progress and the daily activity: the course's instructor reads them
    let mut tx = pool.begin().await.unwrap();
    for (who, rows) in [
        (w.instructor, 3),
        (w.other_instructor, 0),
        (w.other_student, 1),
    ] {
        sqlx::query("savepoint s").execute(&mut *tx).await.unwrap();
        common::act_as(
            &mut tx,
            "authenticated",
            json!({"sub": who, "role": "authenticated"}),
        )
        .await;
        let n: i64 = sqlx::query_scalar("select count(*) from learning_progress")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, rows, "{who}");
        let days: i64 = sqlx::query_scalar("select count(*) from learning_activity")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(days, rows.min(2), "{who}: one row per student and day");
        sqlx::query("rollback to savepoint s")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
}

/// An assessment of three one-point questions (a single choice, `a` right; a
/// true/false, `true` right; a short answer, `borrow`), answered by four students.
fn item_questions() -> Value {
    json!([
        {"type": "multiple_choice", "id": "mc", "prompt": "Which borrows?", "points": 1,
         "options": [{"id": "a", "text": "&y", "fraction": 1.0},
                     {"id": "b", "text": "y", "fraction": 0.0},
                     {"id": "c", "text": "*y", "fraction": 0.0}]},
        {"type": "true_false", "id": "tf", "prompt": "One owner.", "points": 1, "correct": true},
        {"type": "short_answer", "id": "sa", "prompt": "What does & do?", "points": 1,
         "accepted": [{"text": "borrow", "fraction": 1.0}]}
    ])
}

/// Makes `quiz` the course's final assessment.
async fn author_sets_final(w: &World, quiz: AssessmentId) {
    w.lms
        .as_user(w.instructor)
        .update_course(
            w.course,
            lms_core::repo::CoursePatch {
                final_assessment_id: Some(Some(quiz)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

fn item_answers(mc: &str, tf: bool, sa: &str) -> Value {
    json!({"mc": {"type": "multiple_choice", "selected": [mc]},
           "tf": {"type": "true_false", "value": tf},
           "sa": {"type": "short_answer", "text": sa}})
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn item_analysis_equals_the_hand_computed_fixture(pool: PgPool) {
    let w = world(pool, true).await;
    let quiz = w
        .lms
        .as_user(w.instructor)
        .create_assessment(lms_core::repo::NewAssessment {
            questions: item_questions(),
            max_attempts: None,
            ..world::new_quiz(AssessmentOwner::Course(w.course), "Practice")
        })
        .await
        .unwrap()
        .id;
    author_sets_final(&w, quiz).await;
    // points per attempt (mc, tf, sa): [1,1,0], [1,0,0], [0,1,1], [1,1,1]
    let sheets = [
        item_answers("a", true, "Move "),
        item_answers("a", false, "\tMOVE \n"),
        item_answers("b", true, "borrow"),
        item_answers("a", true, "Borrow"),
    ];
    let mut students = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let s = user(&w.pool, &format!("s{i}@example.org"), "student").await;
        let scope = w.lms.as_user(s);
        scope.enroll(w.course).await.unwrap();
        scope.submit_attempt(quiz, sheet).await.unwrap();
        students.push(s);
    }
    let author = w.lms.as_user(w.instructor);
    let report = author
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .unwrap();
    assert_eq!(report.test.attempts, 4);
    assert_eq!(report.test.complete_attempts, 4);
    // scores ⌊100·points/3⌋: 66, 33, 66, 100; only the last reaches 70
    close(report.test.mean_score, 66.25);
    close(report.test.pass_rate, 0.25);
    // item variances 1/4, 1/4, 1/3, total variance 2/3: α = 3/2·(1 − (5/6)/(2/3))
    close(report.test.cronbach_alpha, -0.375);
    let [mc, tf, sa] = &report.items[..] else {
        panic!("three items: {report:#?}")
    };
    close(mc.stats.facility, 0.75);
    // mc = [1,1,0,1] against the rest [1,0,2,2]: r = −0.75 / √(0.75 · 2.75)
    close(mc.stats.discrimination, -0.75 / (0.75f64 * 2.75).sqrt());
    close(sa.stats.discrimination, 0.0);
    let shares: Vec<(&str, u64, bool)> = mc
        .options
        .iter()
        .map(|o| (o.option_id.as_str(), o.count, o.correct))
        .collect();
    assert_eq!(shares, [("a", 3, true), ("b", 1, false), ("c", 0, false)]);
    close(Some(mc.options[0].share), 0.75);
    let tf_shares: Vec<(&str, u64, bool)> = tf
        .options
        .iter()
        .map(|o| (o.option_id.as_str(), o.count, o.correct))
        .collect();
    assert_eq!(tf_shares, [("true", 3, true), ("false", 1, false)]);
    assert_eq!(sa.wrong_answers.len(), 1, "{:?}", sa.wrong_answers);
    assert_eq!(sa.wrong_answers[0].answer, "move");
    assert_eq!(sa.wrong_answers[0].count, 2);
    assert_eq!(sa.outcomes["correct"], 2);
    assert_eq!(sa.outcomes["incorrect"], 2);
    let bins: Vec<u64> = report.test.histogram.iter().map(|b| b.count).collect();
    assert_eq!(bins, [0, 0, 0, 1, 0, 0, 2, 0, 0, 1]);

    // a second attempt by the first student, all right: `first` reads the fixture again,
    // `last` reads it with [1,1,1] in place of [1,1,0]
    let first = w.lms.as_user(students[0]);
    first
        .submit_attempt(quiz, &item_answers("a", true, "borrow"))
        .await
        .unwrap();
    let all = author
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .unwrap();
    assert_eq!(all.test.attempts, 5);
    let firsts = author
        .item_analysis(quiz, AttemptFilter::First)
        .await
        .unwrap();
    close(firsts.test.cronbach_alpha, -0.375);
    let lasts = author
        .item_analysis(quiz, AttemptFilter::Last)
        .await
        .unwrap();
    assert_eq!(lasts.test.attempts, 4);
    close(lasts.items[2].stats.facility, 0.75);

    // the questions edited, then the analysis of every attempt
    let revised = |questions: Value| {
        let author = &author;
        async move {
            author
                .update_assessment(
                    quiz,
                    lms_core::repo::AssessmentPatch {
                        questions: Some(questions),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            author
                .item_analysis(quiz, AttemptFilter::All)
                .await
                .unwrap()
        }
    };
    // the single choice made worth 2 points: no attempt answered that version of it
    let mut edited = item_questions();
    edited[0]["points"] = json!(2);
    let after = revised(edited.clone()).await;
    assert_eq!(after.items[0].stats.attempts, 0, "{:?}", after.items[0]);
    assert_eq!(after.items[0].stats.facility, None);
    assert_eq!(after.items[1].stats.attempts, 5);
    assert_eq!(after.test.complete_attempts, 0);
    // the true/false question made a short answer, same id and points: another item
    edited[1] = json!({"type": "short_answer", "id": "tf", "prompt": "One what?", "points": 1,
                       "accepted": [{"text": "owner", "fraction": 1.0}]});
    let after = revised(edited).await;
    assert_eq!(after.items[1].stats.attempts, 0, "{:?}", after.items[1]);
    assert!(after.items[1].wrong_answers.is_empty());
    assert_eq!(after.items[2].stats.attempts, 5);
    // an attempt at the current version among the five at older ones: each row read by
    // its own questions (the current ones come without them)
    w.lms
        .as_user(students[1])
        .submit_attempt(
            quiz,
            &json!({"mc": {"type": "multiple_choice", "selected": ["a"]},
                    "tf": {"type": "short_answer", "text": "owner"},
                    "sa": {"type": "short_answer", "text": "lend"}}),
        )
        .await
        .unwrap();
    let mixed = author
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .unwrap();
    assert_eq!(mixed.test.attempts, 6);
    assert_eq!(mixed.test.complete_attempts, 1);
    let counts: Vec<u64> = mixed.items.iter().map(|i| i.stats.attempts).collect();
    assert_eq!(counts, [1, 1, 6]);
    close(mixed.items[0].stats.facility, 1.0);
    close(mixed.items[1].stats.facility, 1.0);
    // the short answer: right in attempts 3, 4 and 5 (the fixture's [0,1,1], [1,1,1], the
    // second attempt's "borrow"), wrong in the fixture's first two and now
    close(mixed.items[2].stats.facility, 0.5);
    assert!(
        mixed.items[2]
            .wrong_answers
            .iter()
            .any(|w| w.answer == "lend"),
        "{:?}",
        mixed.items[2].wrong_answers
    );

    // a student of the course: refused; the other instructor does not even see the
    // assessment (RLS); an unknown assessment: not found
    let err = w
        .lms
        .as_user(students[1])
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    let err = w
        .lms
        .as_user(w.other_instructor)
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden { .. } | Error::NotFound { .. }),
        "{err:?}"
    );
    let err = author
        .item_analysis(AssessmentId(uuid::Uuid::new_v4()), AttemptFilter::All)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn at_risk_students_come_with_their_reasons(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let lee = funnel_world(&w).await;
    let kim = w.lms.as_user(w.other_student);
    // kim fails quiz 1 twice more: three failures, never passed
    kim.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    kim.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    // lee enrolled 30 days ago and did nothing since; sam's mastery of the course's
    // skill `ownership` is low on enough evidence, of another course's skill too
    sql(
        &pool,
        &format!(
            "update enrollments set enrolled_at = now() - interval '30 days' \
              where student_id = '{lee}';
             update lessons set learning_objectives = '{{ownership}}' where id = '{l1}';
             update profiles set knowledge_profile = \
               '{{\"skills\": {{\"ownership\": {{\"mastery\": 0.2, \"evidence\": 4}}, \
                              \"cooking\": {{\"mastery\": 0.1, \"evidence\": 9}}}}}}' \
              where id = '{sam}';",
            lee = lee.0,
            l1 = w.lesson1.0,
            sam = w.student.0,
        ),
    )
    .await;
    let report = w
        .lms
        .as_user(w.instructor)
        .at_risk_students(w.course, RiskThresholds::default())
        .await
        .unwrap();
    assert_eq!(report.cohort, 3);
    let reasons = |who: UserId| {
        report
            .students
            .iter()
            .find(|s| s.student_id == who)
            .map(|s| s.reasons.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        reasons(w.other_student),
        vec![RiskReason::RepeatedlyFailing {
            assessment_id: w.quiz1,
            failed_attempts: 3
        }]
    );
    let lee_reasons = reasons(lee);
    assert!(
        matches!(
            lee_reasons[..],
            [RiskReason::Inactive {
                days: 30,
                last_active_at: None
            }]
        ),
        "{lee_reasons:?}"
    );
    assert_eq!(
        reasons(w.student),
        vec![RiskReason::LowMastery {
            skill: "ownership".into(),
            mastery: 0.2,
            evidence: 4
        }]
    );
    let lee_row = report
        .students
        .iter()
        .find(|s| s.student_id == lee)
        .unwrap();
    assert_eq!(lee_row.student_email.as_deref(), Some("lee@example.org"));
    assert_eq!(lee_row.completed_lessons, 0);

    // a completed enrolment is never at risk; bad thresholds are explained
    sql(
        &pool,
        &format!(
            "update enrollments set completed_at = now() where student_id = '{}'",
            lee.0
        ),
    )
    .await;
    let report = w
        .lms
        .as_user(w.instructor)
        .at_risk_students(w.course, RiskThresholds::default())
        .await
        .unwrap();
    assert!(report.students.iter().all(|s| s.student_id != lee));
    let err = w
        .lms
        .as_user(w.instructor)
        .at_risk_students(
            w.course,
            RiskThresholds {
                inactive_days: 0,
                ..RiskThresholds::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("inactive_days"), "{err}");
    let err = w
        .lms
        .as_user(w.other_instructor)
        .at_risk_students(w.course, RiskThresholds::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn activity_is_a_series_with_every_bucket(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    funnel_world(&w).await;
    // sam goes back to block 1 for 10 s more: the day's seconds grow by 10 only
    w.lms
        .as_user(w.student)
        .record_content_progress(w.block1, &json!({"completed": true}), 10)
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let author = w.lms.as_user(w.instructor);
    let days = author
        .activity(
            w.course,
            Bucket::Day,
            Some(today - Duration::days(2)),
            Some(today),
        )
        .await
        .unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(days[0].start, today - Duration::days(2));
    assert_eq!((days[0].active_students, days[0].seconds), (0, 0));
    let t = &days[2];
    // sam and kim studied and submitted; lee did nothing
    assert_eq!(t.active_students, 2);
    assert_eq!(t.submissions, 2);
    assert_eq!(t.completions, 1, "sam completed lesson 1");
    let attempt_seconds: i64 = sqlx::query_scalar(
        "select coalesce(sum(time_spent), 0)::bigint from assessment_attempts where course_id = $1",
    )
    .bind(w.course.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(t.seconds, 30 + 30 + 30 + 10 + attempt_seconds);
    let reports: i64 = sqlx::query_scalar("select sum(reports)::bigint from learning_activity")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reports, 4);

    let weeks = author
        .activity(
            w.course,
            Bucket::Week,
            Some(today - Duration::days(13)),
            None,
        )
        .await
        .unwrap();
    assert!((2..=3).contains(&weeks.len()), "{weeks:?}");
    assert_eq!(weeks.last().unwrap().submissions, 2);
    assert!(
        weeks
            .iter()
            .all(|p| p.start.format("%u").to_string() == "1"),
        "Mondays"
    );
    let default = author
        .activity(w.course, Bucket::Day, None, None)
        .await
        .unwrap();
    assert_eq!(default.len(), 1, "from the first enrolment, today");

    let err = author
        .activity(
            w.course,
            Bucket::Day,
            Some(today),
            Some(today - Duration::days(1)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is after"), "{err}");
    let err = author
        .activity(
            w.course,
            Bucket::Day,
            Some(today - Duration::days(5000)),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("buckets"), "{err}");
    let err = w
        .lms
        .as_user(w.other_instructor)
        .activity(w.course, Bucket::Day, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
}

/// The columns the analytics read are kept by triggers, whoever writes: the course of
/// a progress record follows its block, a completion keeps its first time, an attempt's
/// item responses follow its grading.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn derived_columns_follow_their_sources(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    funnel_world(&w).await;
    let items = |attempt: uuid::Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Vec<String>, Vec<f64>, String, Vec<Option<String>>)>(
                "select question_ids, points, outcomes, responses \
                   from assessment_item_responses where attempt_id = $1",
            )
            .bind(attempt)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    };
    let started = w.lms.as_user(w.student).start_attempt(w.quiz2).await;
    // lesson 2's quiz is open to sam (lesson 1 completed): an open attempt has no row
    let open = started.unwrap().attempt.id;
    assert_eq!(items(open.0).await, None);
    let kims: uuid::Uuid = sqlx::query_scalar(
        "select id from assessment_attempts where student_id = $1 and assessment_id = $2",
    )
    .bind(w.other_student.0)
    .bind(w.quiz1.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    let (ids, points, outcomes, responses) = items(kims).await.expect("a graded attempt");
    assert_eq!(ids, ["q1", "q2"]);
    assert_eq!(points, [0.0, 0.0]);
    assert_eq!(outcomes, "ii", "incorrect, incorrect");
    assert_eq!(
        responses,
        [Some(r#"["a"]"#.to_owned()), Some("false".to_owned())]
    );
    w.lms
        .as_user(w.instructor)
        .override_question(AttemptId(kims), "q1", 0.5, Some("half right"))
        .await
        .unwrap();
    let (_, points, outcomes, _) = items(kims).await.unwrap();
    assert_eq!(points, [0.5, 0.0], "the override is the item's points now");
    assert_eq!(outcomes, "pi", "partial, incorrect");
    // a trusted writer's fix of whose attempt it is moves the row with it
    sql(
        &pool,
        &format!("update assessment_attempts set attempt_number = 99 where id = '{kims}'"),
    )
    .await;
    sqlx::query("update assessment_attempts set student_id = $1 where id = $2")
        .bind(w.student.0)
        .bind(kims)
        .execute(&pool)
        .await
        .unwrap();
    let owner: uuid::Uuid = sqlx::query_scalar(
        "select student_id from assessment_item_responses where attempt_id = $1",
    )
    .bind(kims)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(owner, w.student.0);
    // numbers the row cannot hold are stored as null, not a failed write of the attempt
    sqlx::query(
        "update assessment_attempts set feedback = jsonb_set(jsonb_set(feedback, \
           '{questions,0,max_points}', '3000000000'), '{questions,1,points_earned}', '1e400') \
          where id = $1",
    )
    .bind(kims)
    .execute(&pool)
    .await
    .unwrap();
    let (maxes, earned): (Vec<Option<i32>>, Vec<Option<f64>>) = sqlx::query_as(
        "select max_points, points from assessment_item_responses where attempt_id = $1",
    )
    .bind(kims)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((maxes[0], earned[1]), (None, None));
    assert_eq!(earned[0], Some(0.5));
    let completed_at = || async {
        sqlx::query_scalar::<_, Option<chrono::DateTime<Utc>>>(
            "select completed_at from student_progress \
              where student_id = $1 and lesson_id = $2 and assessment_id is null",
        )
        .bind(w.student.0)
        .bind(w.lesson1.0)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let first = completed_at().await.expect("lesson 1 completed");
    w.lms
        .as_user(w.student)
        .record_content_progress(w.block2, &json!({"completed": true}), 5)
        .await
        .unwrap();
    assert_eq!(completed_at().await, Some(first), "kept while completed");
    sql(&pool, "update student_progress set status = 'in_progress'").await;
    assert_eq!(completed_at().await, None);

    // a direct write cannot name another course; moving the block's lesson moves it
    let other = w
        .lms
        .as_user(w.instructor)
        .create_course(lms_core::repo::NewCourse {
            title: "Other".into(),
            description: None,
            instructor_id: w.instructor,
            tags: vec![],
            difficulty_level: None,
            estimated_duration_minutes: None,
        })
        .await
        .unwrap()
        .id;
    sql(
        &pool,
        &format!("update learning_progress set course_id = '{}'", other.0),
    )
    .await;
    let courses: Vec<uuid::Uuid> =
        sqlx::query_scalar("select distinct course_id from learning_progress")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(courses, [w.course.0]);
    sql(
        &pool,
        &format!(
            "update lessons set course_id = '{}' where id = '{}'",
            other.0, w.lesson1.0
        ),
    )
    .await;
    let moved: i64 =
        sqlx::query_scalar("select count(*) from learning_progress where course_id = $1")
            .bind(other.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(moved, 3, "every record of lesson 1's blocks");
}

/// Repeatedly failing counts the failures since the last pass, at an assessment whose
/// grade (by its grading method) is not a pass: under `last`, passing once and failing
/// three times since is failing.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn failures_count_since_the_last_pass(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            lms_core::repo::AssessmentPatch {
                max_attempts: Some(None),
                grading_method: Some(lms_core::attempts::GradingMethod::Last),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    sam.enroll(w.course).await.unwrap();
    kim.enroll(w.course).await.unwrap();
    for right in [0, 2, 0, 1, 0] {
        sam.submit_attempt(w.quiz1, &answers(right)).await.unwrap();
    }
    for right in [0, 0, 0, 2] {
        kim.submit_attempt(w.quiz1, &answers(right)).await.unwrap();
    }
    let report = w
        .lms
        .as_user(w.instructor)
        .at_risk_students(w.course, RiskThresholds::default())
        .await
        .unwrap();
    let ids: Vec<UserId> = report.students.iter().map(|s| s.student_id).collect();
    assert_eq!(ids, [w.student], "kim's last attempt passed");
    assert_eq!(
        report.students[0].reasons,
        vec![RiskReason::RepeatedlyFailing {
            assessment_id: w.quiz1,
            failed_attempts: 3
        }]
    );
}

/// Weeks are whole: a week's figures do not depend on the day `from` falls on.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn weeks_are_whole(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    funnel_world(&w).await;
    let monday = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    sqlx::query(
        "insert into learning_activity (course_id, student_id, day, seconds, reports, last_reported_at) \
         values ($1, $2, $3, 100, 1, now())",
    )
    .bind(w.course.0)
    .bind(w.student.0)
    .bind(monday)
    .execute(&pool)
    .await
    .unwrap();
    let author = w.lms.as_user(w.instructor);
    for from in [
        monday,
        monday + Duration::days(2),
        monday + Duration::days(6),
    ] {
        let weeks = author
            .activity(w.course, Bucket::Week, Some(from), Some(from))
            .await
            .unwrap();
        assert_eq!(weeks.len(), 1, "{from}");
        assert_eq!((weeks[0].start, weeks[0].seconds), (monday, 100), "{from}");
    }
    let days = author
        .activity(
            w.course,
            Bucket::Day,
            Some(monday + Duration::days(2)),
            Some(monday + Duration::days(3)),
        )
        .await
        .unwrap();
    assert_eq!(days.iter().map(|d| d.seconds).sum::<i64>(), 0);
    let err = author
        .activity(w.course, Bucket::Day, Some(chrono::NaiveDate::MIN), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("from"), "{err}");
}

/// The migration fills the derived columns of rows stored before it without touching
/// their `updated_at` (the time of the student's last report) or the audit log; moving
/// a block within its course leaves its records as they are.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_migration_keeps_the_history_of_stored_rows(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    funnel_world(&w).await;
    sql(
        &pool,
        "set session_replication_role = replica;
         update learning_progress set updated_at = updated_at - interval '40 days';
         update student_progress set updated_at = updated_at - interval '40 days',
                                     last_accessed = last_accessed - interval '40 days';
         update enrollments set enrolled_at = enrolled_at - interval '40 days';
         update assessment_attempts set started_at = started_at - interval '40 days',
                                        submitted_at = submitted_at - interval '40 days';
         set session_replication_role = origin;",
    )
    .await;
    let stamps = || async {
        sqlx::query_as::<_, (String, Option<chrono::DateTime<Utc>>)>(
            "select id::text, updated_at from learning_progress \
             union all select id::text, updated_at from student_progress order by 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let audit = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from audit_log")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let (before, logged) = (stamps().await, audit().await);
    lms_db::MIGRATOR.undo(&pool, 20261202000010).await.unwrap();
    lms_db::MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(stamps().await, before);
    assert_eq!(audit().await, logged, "a backfill is not an audited change");
    let days: Vec<chrono::NaiveDate> =
        sqlx::query_scalar("select distinct day from learning_activity")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(days, [Utc::now().date_naive() - Duration::days(40)]);
    let completed: Option<chrono::DateTime<Utc>> = sqlx::query_scalar(
        "select completed_at from student_progress \
          where student_id = $1 and lesson_id = $2 and assessment_id is null",
    )
    .bind(w.student.0)
    .bind(w.lesson1.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(completed.unwrap() < Utc::now() - Duration::days(39));
    // forty days without a report: inactive, though the data was just migrated
    let report = w
        .lms
        .as_user(w.instructor)
        .at_risk_students(w.course, RiskThresholds::default())
        .await
        .unwrap();
    let sam = report
        .students
        .iter()
        .find(|s| s.student_id == w.student)
        .unwrap();
    assert!(
        matches!(sam.reasons[0], RiskReason::Inactive { days: 40, .. }),
        "{:?}",
        sam.reasons
    );
    // a block moved to the other lesson of its course: its records are unchanged
    sql(
        &pool,
        &format!(
            "update content_blocks set lesson_id = '{}', order_index = 5 where id = '{}'",
            w.lesson2.0, w.block1.0
        ),
    )
    .await;
    assert_eq!(stamps().await, before);
}
