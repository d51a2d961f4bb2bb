//! The documents already stored, checked by the library's own rules: which rows hold a
//! document the library would refuse ([`Scope::check_documents`]), and rewriting those
//! whose only fault is their form — unsanitized rich-text HTML, defaults left out
//! ([`Scope::repair_documents`]).
//!
//! New writes cannot store such documents any more (migration
//! `20261201000008_documents_at_the_boundary`: API roles write documents only with the
//! library's receipt); rows written before it, or by trusted code that bypassed the
//! library (`service_role`, the owner), may. [`crate::Lms::migrate`] repairs once, when it
//! applies that migration.

use futures_util::TryStreamExt;
use lms_core::documents::{
    Answers, BlockMetadata, ContentData, Document, Feedback, GradingScheme, InvalidDocument,
    KnowledgeProfile, LearningPreferences, Problem, ProgressData, QuestionSet, RoadmapData,
};
use lms_core::model::ContentType;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;
use crate::session::Scope;

/// A JSONB column holding a document of `lms_core::documents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentColumn {
    /// The table, in `public`.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// The document it holds ([`Document::NAME`]).
    pub document: &'static str,
}

/// Every document column of the schema (the table of `lms_core::documents`).
pub const DOCUMENT_COLUMNS: [DocumentColumn; 11] = [
    column(
        "profiles",
        "learning_preferences",
        LearningPreferences::NAME,
    ),
    column("profiles", "knowledge_profile", KnowledgeProfile::NAME),
    column("content_blocks", "content", ContentData::NAME),
    column("content_blocks", "metadata", BlockMetadata::NAME),
    column("assessments", "questions", QuestionSet::NAME),
    column("assessment_attempts", "answers", Answers::NAME),
    column("assessment_attempts", "feedback", Feedback::NAME),
    column("enrollments", "progress", ProgressData::NAME),
    column("personalized_roadmaps", "roadmap_data", RoadmapData::NAME),
    column("learning_progress", "progress_data", ProgressData::NAME),
    column("courses", "grading_scheme", GradingScheme::NAME),
];

const fn column(
    table: &'static str,
    column: &'static str,
    document: &'static str,
) -> DocumentColumn {
    DocumentColumn {
        table,
        column,
        document,
    }
}

/// What is wrong with a stored document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentIssue {
    /// The library refuses it: every problem, with its JSON pointer.
    Invalid {
        /// The problems, as validation reports them.
        problems: Vec<Problem>,
    },
    /// Valid, but not as the library stores it (e.g. rich-text HTML not sanitized, a
    /// default left out): [`Scope::repair_documents`] rewrites it.
    NotNormalized,
}

/// One stored document the library would not store as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredDocument {
    /// Where it is.
    pub column: DocumentColumn,
    /// The row's id.
    pub row_id: Uuid,
    /// What is wrong.
    pub issue: DocumentIssue,
}

/// What [`Scope::check_documents`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentReport {
    /// Documents checked (null columns are not documents).
    pub checked: u64,
    /// Documents the library refuses.
    pub invalid: u64,
    /// Valid documents not in the library's form.
    pub not_normalized: u64,
    /// The documents found, at most [`DocumentReport::MAX_LISTED`] (the counts are
    /// complete).
    pub documents: Vec<StoredDocument>,
}

impl DocumentReport {
    /// Most documents listed in a report.
    pub const MAX_LISTED: usize = 1_000;

    /// Whether every stored document is as the library would store it.
    pub fn is_clean(&self) -> bool {
        self.invalid == 0 && self.not_normalized == 0
    }

    fn add(&mut self, column: DocumentColumn, row_id: Uuid, issue: DocumentIssue) {
        match issue {
            DocumentIssue::Invalid { .. } => self.invalid += 1,
            DocumentIssue::NotNormalized => self.not_normalized += 1,
        }
        if self.documents.len() < Self::MAX_LISTED {
            self.documents.push(StoredDocument {
                column,
                row_id,
                issue,
            });
        }
    }
}

/// What [`Scope::repair_documents`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentRepair {
    /// Documents rewritten in the library's form.
    pub repaired: u64,
    /// What is left: the documents the library refuses (which only their authors can
    /// fix), and any changed meanwhile.
    pub remaining: DocumentReport,
}

/// The normalized JSON of a valid document of `T`.
fn normalized<T: Document>(value: &Value) -> std::result::Result<Value, InvalidDocument> {
    let document = T::validate(value)?;
    serde_json::to_value(document)
        .map_err(|e| InvalidDocument::new(T::NAME, "", format!("cannot be stored: {e}")))
}

/// Validates a stored document of `column` (`kind`: the block's type, for content).
fn validate(
    column: DocumentColumn,
    value: &Value,
    kind: Option<&str>,
) -> std::result::Result<Value, InvalidDocument> {
    match (column.table, column.column) {
        ("profiles", "learning_preferences") => normalized::<LearningPreferences>(value),
        ("profiles", "knowledge_profile") => normalized::<KnowledgeProfile>(value),
        ("content_blocks", "content") => {
            let kind: ContentType = kind.unwrap_or_default().parse().map_err(|_| {
                InvalidDocument::new(ContentData::NAME, "", "the block's type is unknown")
            })?;
            let content = ContentData::validate_for(kind, value)?;
            serde_json::to_value(content).map_err(|e| {
                InvalidDocument::new(ContentData::NAME, "", format!("cannot be stored: {e}"))
            })
        }
        ("content_blocks", "metadata") => normalized::<BlockMetadata>(value),
        ("assessments", "questions") => normalized::<QuestionSet>(value),
        ("courses", "grading_scheme") => normalized::<GradingScheme>(value),
        ("assessment_attempts", "answers") => normalized::<Answers>(value),
        ("assessment_attempts", "feedback") => normalized::<Feedback>(value),
        ("personalized_roadmaps", _) => normalized::<RoadmapData>(value),
        _ => normalized::<ProgressData>(value),
    }
}

/// Whether two JSON values are the same document: numbers compare by value (`1` and
/// `1.0` are one number to PostgreSQL's `jsonb`, and to the library's `f64` fields).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A row's document, checked: `Ok(None)` when it is as the library stores it,
/// `Ok(Some(normalized))` when only its form differs, `Err` when it is refused.
fn check(
    column: DocumentColumn,
    value: &Value,
    kind: Option<&str>,
) -> std::result::Result<Option<Value>, InvalidDocument> {
    let fixed = validate(column, value, kind)?;
    Ok((!same(&fixed, value)).then_some(fixed))
}

/// Visits every stored document of `column` as `(row id, document, fix)`: `fix` as
/// [`check`] gives it. Rows stream in id order, so memory does not grow with the table.
async fn scan<F>(conn: &mut sqlx::PgConnection, column: DocumentColumn, mut visit: F) -> Result<()>
where
    F: FnMut(Uuid, Value, std::result::Result<Option<Value>, InvalidDocument>),
{
    let kind = if column.table == "content_blocks" && column.column == "content" {
        "type::text"
    } else {
        "null::text"
    };
    let sql = format!(
        "select id, {col}, {kind} from public.{table} where {col} is not null order by id",
        col = column.column,
        table = column.table,
    );
    let mut rows = sqlx::query_as::<_, (Uuid, Value, Option<String>)>(&sql).fetch(conn);
    while let Some((id, value, kind)) = rows.try_next().await? {
        let verdict = check(column, &value, kind.as_deref());
        visit(id, value, verdict);
    }
    Ok(())
}

impl Scope {
    /// Checks every stored document by the library's rules (the service only: it reads
    /// every row, answer keys included). Changes nothing.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "check_documents", actor = self.actor.role_name()))]
    pub async fn check_documents(&self) -> Result<DocumentReport> {
        self.require_service("checks and repairs every stored document")?;
        let mut tx = self.begin().await?;
        let mut report = DocumentReport::default();
        for column in DOCUMENT_COLUMNS {
            scan(tx.conn(), column, |id, _, verdict| {
                report.checked += 1;
                match verdict {
                    Ok(None) => {}
                    Ok(Some(_)) => report.add(column, id, DocumentIssue::NotNormalized),
                    Err(e) => report.add(
                        column,
                        id,
                        DocumentIssue::Invalid {
                            problems: e.problems,
                        },
                    ),
                }
            })
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Rewrites every stored document that is valid but not in the library's form —
    /// above all rich-text HTML stored unsanitized, which is sanitized now — and reports
    /// what is left (the service only). One transaction per column; a row changed
    /// meanwhile is left as it is (and reported).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "repair_documents", actor = self.actor.role_name()))]
    pub async fn repair_documents(&self) -> Result<DocumentRepair> {
        self.require_service("checks and repairs every stored document")?;
        let mut repaired = 0;
        for column in DOCUMENT_COLUMNS {
            let mut tx = self.begin().await?;
            let (mut ids, mut old, mut new) = (Vec::new(), Vec::new(), Vec::new());
            scan(tx.conn(), column, |id, value, verdict| {
                if let Ok(Some(fixed)) = verdict {
                    ids.push(id);
                    old.push(value);
                    new.push(fixed);
                }
            })
            .await?;
            if !ids.is_empty() {
                let sql = format!(
                    "update public.{table} t set {col} = n.doc \
                       from unnest($1::uuid[], $2::jsonb[], $3::jsonb[]) as n(id, old, doc) \
                      where t.id = n.id and t.{col} = n.old",
                    table = column.table,
                    col = column.column,
                );
                repaired += sqlx::query(&sql)
                    .bind(&ids)
                    .bind(&old)
                    .bind(&new)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
        }
        Ok(DocumentRepair {
            repaired,
            remaining: self.check_documents().await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        assert!(same(&json!({"a": [1, 0.5]}), &json!({"a": [1.0, 0.5]})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 2})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 1})));
        assert!(!same(&json!([1]), &json!(["1"])));
    }

    #[test]
    fn unsanitized_html_is_a_form_to_repair_and_nonsense_is_refused() {
        let content = DOCUMENT_COLUMNS[2];
        let fixed = check(
            content,
            &json!({"rich_text": {"html": "<p onclick=\"x()\">Hi</p><script>alert(1)</script>"}}),
            Some("rich_text"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            fixed,
            json!({"rich_text": {"html": "<p>Hi</p>", "plain_text": "Hi"}})
        );
        let questions = DOCUMENT_COLUMNS[4];
        assert!(check(questions, &json!([{"kind": "nonsense"}]), None).is_err());
        assert_eq!(check(questions, &json!([]), None).unwrap(), None);
    }
}
