//! The analytics part of the load tool (`examples/load.rs`): on the demo data of
//! `benches/support/demo.rs`, each read model of the flagship course (and the course-wide
//! ones of the course nearest 2,000 students) is called as its instructor (under Row
//! Level Security) and as the service (`service_role`, which bypasses it), alternately,
//! and the medians compared.

use std::time::Instant;

use chrono::Duration;
use lms::core::analytics::RiskThresholds;
use lms::core::repo::Page;
use lms::db::{AttemptFilter, Bucket, Lms, Scope};

use crate::demo::Demo;

/// One read model's figures.
pub struct Timing {
    /// The read model.
    pub name: String,
    /// What it read (e.g. "2,000 students").
    pub size: String,
    /// Median milliseconds as the course's instructor.
    pub instructor_ms: f64,
    /// p99 milliseconds as the instructor.
    pub instructor_p99_ms: f64,
    /// Median milliseconds as the service.
    pub service_ms: f64,
}

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times.get(i).copied().unwrap_or(f64::NAN)
}

/// Calls `op` as `staff` and as `service`, alternately, `calls` times each after one
/// warm-up call each; returns the instructor's median and p99 and the service's median.
async fn compare<F, Fut>(staff: &Scope, service: &Scope, calls: usize, op: F) -> (f64, f64, f64)
where
    F: Fn(Scope) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    op(staff.clone()).await;
    op(service.clone()).await;
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..calls {
        for (scope, into) in [(staff, &mut mine), (service, &mut theirs)] {
            let t = Instant::now();
            op(scope.clone()).await;
            into.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let p99 = percentile(&mut mine.clone(), 0.99);
    (
        percentile(&mut mine, 0.5),
        p99,
        percentile(&mut theirs, 0.5),
    )
}

/// Each read model of the flagship course (the largest; item analysis of its practice
/// quiz), then the course-wide ones again on the course whose enrolment is nearest 2,000
/// students (the size the analytics issue states its targets at).
pub async fn run(lms: &Lms, demo: &Demo, calls: usize) -> Vec<Timing> {
    let flagship = demo.flagship();
    let mut out = course_wide(lms, flagship, demo, calls).await;
    let staff = lms.as_user(flagship.instructor);
    let quiz = demo.flagship_assessment;
    let attempts = staff
        .item_analysis(quiz, AttemptFilter::All)
        .await
        .expect("item analysis")
        .test
        .attempts;
    // after the gradebook, as the table has always listed it
    out.insert(
        1,
        timing(
            "`item_analysis`",
            format!("{attempts} attempts"),
            compare(&staff, &lms.as_service(), calls, |s| async move {
                s.item_analysis(quiz, AttemptFilter::All)
                    .await
                    .expect("item analysis");
            })
            .await,
        ),
    );
    let nearest = demo
        .courses
        .iter()
        .filter(|c| c.id != flagship.id)
        .min_by_key(|c| c.students.len().abs_diff(2_000));
    if let Some(course) = nearest {
        out.extend(course_wide(lms, course, demo, calls).await);
    }
    out
}

/// Gradebook, funnel, students at risk and activity of a course.
async fn course_wide(
    lms: &Lms,
    course: &crate::demo::DemoCourse,
    demo: &Demo,
    calls: usize,
) -> Vec<Timing> {
    let staff = lms.as_user(course.instructor);
    let service = lms.as_service();
    let students = course.students.len();
    let (id, today) = (course.id, demo.now.date_naive());
    let size = format!("{students} students");
    vec![
        timing(
            "`gradebook` (first page of 50)",
            size.clone(),
            compare(&staff, &service, calls, |s| async move {
                s.gradebook(id, Page::new(50, 0)).await.expect("gradebook");
            })
            .await,
        ),
        timing(
            "`completion_funnel`",
            format!("{students} students × {} lessons", course.lessons.len()),
            compare(&staff, &service, calls, |s| async move {
                s.completion_funnel(id).await.expect("funnel");
            })
            .await,
        ),
        timing(
            "`at_risk_students`",
            size.clone(),
            compare(&staff, &service, calls, |s| async move {
                s.at_risk_students(id, RiskThresholds::default())
                    .await
                    .expect("at risk");
            })
            .await,
        ),
        timing(
            "`activity` (120 days)",
            size,
            compare(&staff, &service, calls, |s| async move {
                s.activity(
                    id,
                    Bucket::Day,
                    Some(today - Duration::days(119)),
                    Some(today),
                )
                .await
                .expect("activity");
            })
            .await,
        ),
    ]
}

/// A [`Timing`] from [`compare`]'s figures.
fn timing(name: &str, size: String, (a, p99, b): (f64, f64, f64)) -> Timing {
    Timing {
        name: name.into(),
        size,
        instructor_ms: a,
        instructor_p99_ms: p99,
        service_ms: b,
    }
}

/// The figures as a markdown table.
pub fn table(timings: &[Timing]) -> String {
    let mut md = String::from(
        "| read model | data | instructor p50 ms | instructor p99 ms | `service_role` p50 ms | RLS × service |\n|---|---|---|---|---|---|\n",
    );
    for t in timings {
        md.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.2}× |\n",
            t.name,
            t.size,
            t.instructor_ms,
            t.instructor_p99_ms,
            t.service_ms,
            t.instructor_ms / t.service_ms
        ));
    }
    md
}
