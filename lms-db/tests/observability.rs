//! Observability: a `tracing` span per use case (`lms`, with its `use_case` and the
//! `actor`'s role), sqlx's statement events inside it (rows, time), slow statements at
//! warn with their use case.
#![allow(clippy::unwrap_used)]

mod world;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lms_db::Lms;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use world::world;

/// A span's or an event's fields as text.
#[derive(Default, Clone, Debug)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        ));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An event seen: its level, target, fields, and the fields of its `lms` span.
#[derive(Debug, Clone)]
struct Seen {
    level: Level,
    target: String,
    fields: Fields,
    use_case: Option<Fields>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let use_case = ctx.event_scope(event).and_then(|scope| {
            scope
                .filter(|s| s.name() == "lms")
                .find_map(|s| s.extensions().get::<Fields>().cloned())
        });
        self.0.lock().unwrap().push(Seen {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
            use_case,
        });
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn use_cases_have_spans_and_slow_statements_warn(
    options: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let w = world(
        options.clone().connect_with(connect.clone()).await.unwrap(),
        true,
    )
    .await;
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let url = format!(
        "{}",
        url::Url::parse(&std::env::var("DATABASE_URL").unwrap())
            .map(|mut u| {
                u.set_path(connect.get_database().unwrap());
                u
            })
            .unwrap()
    );
    // every statement is slow over a threshold of zero
    let lms = Lms::connect_with_options(
        Lms::pool_options().max_connections(2),
        Lms::connect_options(&url, Duration::ZERO).unwrap(),
    )
    .await
    .unwrap();
    lms.as_user(w.student).enroll(w.course).await.unwrap();
    lms.as_user(w.student).student_dashboard().await.unwrap();
    let seen = recorder.0.lock().unwrap().clone();
    let in_case = |case: &str| {
        seen.iter()
            .filter(|s| s.use_case.as_ref().and_then(|u| u.get("use_case")) == Some(case))
            .cloned()
            .collect::<Vec<_>>()
    };
    let dashboard = in_case("student_dashboard");
    assert!(!dashboard.is_empty(), "{seen:?}");
    for s in &dashboard {
        assert_eq!(
            s.use_case.as_ref().unwrap().get("actor"),
            Some("authenticated")
        );
    }
    // the statements: at warn (slow), with their rows
    let slow: Vec<&Seen> = dashboard
        .iter()
        .filter(|s| s.target == "sqlx::query" && s.level == Level::WARN)
        .collect();
    assert!(!slow.is_empty(), "{dashboard:?}");
    assert!(slow.iter().all(|s| s.fields.get("rows_returned").is_some()));
    assert!(!in_case("enroll").is_empty());

    // the default threshold (a second): the same calls log nothing at warn
    recorder.0.lock().unwrap().clear();
    let calm = Lms::connect_with_options(
        Lms::pool_options().max_connections(2),
        Lms::connect_options(&url, Lms::DEFAULT_SLOW_STATEMENT).unwrap(),
    )
    .await
    .unwrap();
    calm.as_user(w.student).student_dashboard().await.unwrap();
    let seen = recorder.0.lock().unwrap().clone();
    assert!(seen
        .iter()
        .any(|s| s.target == "sqlx::query" && s.level == Level::DEBUG));
    assert!(!seen.iter().any(|s| s.level == Level::WARN), "{seen:?}");
}
