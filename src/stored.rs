//! Enumerations stored as text columns: one declaration gives each its GraphQL
//! enum, its stored spelling, and the parse back from a row.
//!
//! Add a value by adding one `Variant => "stored"` line; content validation
//! and every resolver read [`StoredEnum::STORED`] and `from_stored` from here.

use crate::error::{AppError, AppResult};

/// An enumeration whose values are stored as fixed lowercase strings.
pub trait StoredEnum: Copy + Sized + 'static {
    /// The enum's name, for error messages.
    const NAME: &'static str;
    /// Every stored spelling, in declaration order.
    const STORED: &'static [&'static str];
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The stored spelling of this value.
    fn stored(self) -> &'static str;

    /// Parses a stored spelling; an unknown one is an internal error (the
    /// database holds something the code does not know).
    fn from_stored(value: &str) -> AppResult<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.stored() == value)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown {} {value:?}", Self::NAME)))
    }
}

/// Declares a GraphQL enum stored as text: `Variant => "stored"` per value.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $stored:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl StoredEnum for $name {
            const NAME: &'static str = stringify!($name);
            const STORED: &'static [&'static str] = &[$($stored),+];
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn stored(self) -> &'static str {
                match self {
                    $(Self::$variant => $stored),+
                }
            }
        }
    };
}

stored_enum! {
    /// A draft's lifecycle state, stored lowercase.
    pub enum StarDraftStatus {
        Draft => "draft",
        Ready => "ready",
        Archived => "archived",
    }
}

stored_enum! {
    /// The kind of an interview question.
    pub enum QuestionCategory {
        Behavioural => "behavioural",
        Technical => "technical",
        Situational => "situational",
        General => "general",
    }
}

stored_enum! {
    /// What a resource is.
    pub enum ResourceKind {
        SalaryGuide => "salary_guide",
        Article => "article",
        Video => "video",
        Course => "course",
        Tool => "tool",
    }
}

stored_enum! {
    /// The round of a hiring process an interview is.
    pub enum InterviewStage {
        RecruiterScreen => "recruiter_screen",
        HiringManager => "hiring_manager",
        Technical => "technical",
        FinalPanel => "final_panel",
        Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for status in StarDraftStatus::ALL {
            assert_eq!(
                StarDraftStatus::from_stored(status.stored()).ok(),
                Some(*status)
            );
        }
        assert_eq!(ResourceKind::SalaryGuide.stored(), "salary_guide");
        assert_eq!(QuestionCategory::STORED.len(), QuestionCategory::ALL.len());
    }

    #[test]
    fn an_unknown_stored_value_is_an_internal_error() {
        let err = QuestionCategory::from_stored("poetry").unwrap_err();
        assert_eq!(err.code(), "INTERNAL_SERVER_ERROR");
    }
}

stored_enum! {
    /// What a share lets those who accept it do. A commenter reads too.
    pub enum ShareAccess {
        /// Reads what is shared.
        Viewer => "viewer",
        /// Reads, and comments on drafts.
        Commenter => "commenter",
    }
}

stored_enum! {
    /// What a share covers.
    pub enum ShareTargetKind {
        /// One STAR draft.
        Draft => "draft",
        /// One interview, with its plan and readiness.
        Interview => "interview",
        /// Every draft of the owner, now and later.
        StoryBank => "story_bank",
    }
}

stored_enum! {
    /// The part of a STAR draft a comment is about.
    pub enum CommentSection {
        Situation => "situation",
        Task => "task",
        Action => "action",
        Result => "result",
        Title => "title",
        /// The draft as a whole.
        General => "general",
    }
}
