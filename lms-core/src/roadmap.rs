//! Personalized roadmaps: knowledge tracing ([`bkt`], over a student's graded answers
//! by [`knowledge`], its parameters fitted by [`mod@fit`]), the deterministic planner
//! ([`mod@plan`]) and the check of an outside model's proposal ([`proposal`]).

pub mod bkt;
pub mod fit;
pub mod knowledge;
pub mod plan;
pub mod proposal;

pub use bkt::{auc, Bkt, BktParams, Mastery, MasteryChange};
pub use fit::{fit, FitOptions, Fitted, SkillFit};
pub use knowledge::{
    fit_answers, observations, observations_from, predict_answers, profile, sequences, skill_name,
    trace, AnswerRow, KnowledgeModel, Observation, Traced,
};
pub use plan::{
    plan, PlanAssessment, PlanBlock, PlanInput, PlanLesson, PlanSettings, Roadmap, Standing,
};
pub use proposal::{check, decide, rejected, Proposal, RoadmapAdvisor, Violation, ViolationCode};

#[cfg(test)]
mod tests;
