//! A draft's links: the competencies it is tagged with and the questions it
//! answers, each an ordered set.
//!
//! The link tables hold the current sets; every revision row keeps its
//! version's sets as JSON arrays of ids (`competency_ids`, `question_ids`),
//! so a restore brings them back with the text. Ids rather than slugs: a
//! competency's slug is content and may be renamed, its row stays.

use std::collections::HashSet;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entity::{competency, question, star_draft_competency, star_draft_question};

use crate::config::DraftLimits;
use crate::error::{AppError, AppResult};

/// What a draft links to, in the owner's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftLinks {
    pub competency_ids: Vec<i32>,
    pub question_ids: Vec<i32>,
}

impl DraftLinks {
    /// The current links of draft `draft_id`.
    pub async fn of(db: &impl ConnectionTrait, draft_id: i32) -> AppResult<Self> {
        let competency_ids = star_draft_competency::Entity::find()
            .select_only()
            .column(star_draft_competency::Column::CompetencyId)
            .filter(star_draft_competency::Column::DraftId.eq(draft_id))
            .order_by_asc(star_draft_competency::Column::Position)
            .into_tuple::<i32>()
            .all(db)
            .await?;
        let question_ids = star_draft_question::Entity::find()
            .select_only()
            .column(star_draft_question::Column::QuestionId)
            .filter(star_draft_question::Column::DraftId.eq(draft_id))
            .order_by_asc(star_draft_question::Column::Position)
            .into_tuple::<i32>()
            .all(db)
            .await?;
        Ok(Self {
            competency_ids,
            question_ids,
        })
    }

    /// The links a revision recorded, without those whose competency or
    /// question has since been removed from the content.
    pub async fn recorded(
        db: &impl ConnectionTrait,
        competency_ids: &str,
        question_ids: &str,
    ) -> AppResult<Self> {
        let competency_ids = parse_ids(competency_ids)?;
        let question_ids = parse_ids(question_ids)?;
        let live_competencies: HashSet<i32> = if competency_ids.is_empty() {
            HashSet::new()
        } else {
            competency::Entity::find()
                .select_only()
                .column(competency::Column::Id)
                .filter(competency::Column::Id.is_in(competency_ids.iter().copied()))
                .into_tuple::<i32>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        let live_questions: HashSet<i32> = if question_ids.is_empty() {
            HashSet::new()
        } else {
            question::Entity::find()
                .select_only()
                .column(question::Column::Id)
                .filter(question::Column::Id.is_in(question_ids.iter().copied()))
                .into_tuple::<i32>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        Ok(Self {
            competency_ids: competency_ids
                .into_iter()
                .filter(|id| live_competencies.contains(id))
                .collect(),
            question_ids: question_ids
                .into_iter()
                .filter(|id| live_questions.contains(id))
                .collect(),
        })
    }

    /// The first linked question: the draft's `question`.
    pub fn first_question(&self) -> Option<i32> {
        self.question_ids.first().copied()
    }

    /// The competency ids as a revision stores them.
    pub fn competencies_json(&self) -> String {
        ids_json(&self.competency_ids)
    }

    /// The question ids as a revision stores them.
    pub fn questions_json(&self) -> String {
        ids_json(&self.question_ids)
    }

    /// Replaces the link rows of draft `draft_id` with these sets.
    pub async fn write(&self, db: &impl ConnectionTrait, draft_id: i32) -> AppResult<()> {
        star_draft_competency::Entity::delete_many()
            .filter(star_draft_competency::Column::DraftId.eq(draft_id))
            .exec(db)
            .await?;
        star_draft_question::Entity::delete_many()
            .filter(star_draft_question::Column::DraftId.eq(draft_id))
            .exec(db)
            .await?;
        if !self.competency_ids.is_empty() {
            star_draft_competency::Entity::insert_many(self.competency_ids.iter().enumerate().map(
                |(i, id)| star_draft_competency::ActiveModel {
                    id: NotSet,
                    draft_id: Set(draft_id),
                    competency_id: Set(*id),
                    position: Set(i as i32 + 1),
                },
            ))
            .exec(db)
            .await?;
        }
        if !self.question_ids.is_empty() {
            star_draft_question::Entity::insert_many(self.question_ids.iter().enumerate().map(
                |(i, id)| star_draft_question::ActiveModel {
                    id: NotSet,
                    draft_id: Set(draft_id),
                    question_id: Set(*id),
                    position: Set(i as i32 + 1),
                },
            ))
            .exec(db)
            .await?;
        }
        Ok(())
    }
}

fn ids_json(ids: &[i32]) -> String {
    let items: Vec<String> = ids.iter().map(i32::to_string).collect();
    format!("[{}]", items.join(","))
}

fn parse_ids(json: &str) -> AppResult<Vec<i32>> {
    serde_json::from_str(json).map_err(|e| {
        AppError::internal(anyhow::anyhow!(
            "a revision's link ids are not a JSON array: {e}"
        ))
    })
}

/// The first occurrence of each item, in order: a link set names each target once.
fn dedup<T: Eq + std::hash::Hash + Clone>(items: Vec<T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

/// The ids of competencies `slugs` (deduplicated, in order), or BAD_USER_INPUT
/// on `competencies` naming the first unknown slug or the limit exceeded.
pub async fn resolve_competencies(
    db: &impl ConnectionTrait,
    slugs: Vec<String>,
    limits: &DraftLimits,
) -> AppResult<Vec<i32>> {
    let slugs = dedup(slugs.into_iter().map(|s| s.trim().to_owned()).collect());
    if slugs.len() > limits.max_competencies_per_draft {
        return Err(AppError::bad_input(
            "competencies",
            format!(
                "names {} competencies; a draft may have at most {}",
                slugs.len(),
                limits.max_competencies_per_draft
            ),
        ));
    }
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = competency::Entity::find()
        .filter(competency::Column::Slug.is_in(slugs.iter().cloned()))
        .all(db)
        .await?;
    slugs
        .iter()
        .map(|slug| {
            rows.iter()
                .find(|c| c.slug == *slug)
                .map(|c| c.id)
                .ok_or_else(|| {
                    AppError::bad_input("competencies", format!("{slug:?} is not a competency"))
                })
        })
        .collect()
}

/// `question_ids` deduplicated in order, once each is known to exist; else
/// BAD_USER_INPUT on `field` naming the first unknown one (by its place in
/// the list the client sent) or the limit exceeded.
pub async fn resolve_questions(
    db: &impl ConnectionTrait,
    question_ids: Vec<i32>,
    field: &str,
    limits: &DraftLimits,
) -> AppResult<Vec<i32>> {
    let unique = dedup(question_ids.clone());
    if unique.len() > limits.max_questions_per_draft {
        return Err(AppError::bad_input(
            field,
            format!(
                "names {} questions; a draft may answer at most {}",
                unique.len(),
                limits.max_questions_per_draft
            ),
        ));
    }
    if unique.is_empty() {
        return Ok(unique);
    }
    let found: HashSet<i32> = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .filter(question::Column::Id.is_in(unique.iter().copied()))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if let Some(i) = question_ids.iter().position(|id| !found.contains(id)) {
        return Err(AppError::bad_input(
            field,
            format!("item {i} is no question"),
        ));
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_json() {
        let links = DraftLinks {
            competency_ids: vec![3, 1, 2],
            question_ids: vec![],
        };
        assert_eq!(links.competencies_json(), "[3,1,2]");
        assert_eq!(links.questions_json(), "[]");
        assert_eq!(parse_ids("[3,1,2]").ok(), Some(vec![3, 1, 2]));
        assert_eq!(parse_ids("[]").ok(), Some(vec![]));
        assert!(parse_ids("3,1").is_err());
    }

    #[test]
    fn dedup_keeps_the_first_of_each_in_order() {
        assert_eq!(dedup(vec![4, 2, 4, 1, 2]), vec![4, 2, 1]);
    }
}
