//! The calendar feed: a secret URL per account serving its interviews and
//! plan tasks as iCalendar (RFC 5545).
//!
//! The URL's token has 256 random bits; only its SHA-256 is stored, so the
//! database alone cannot be used to read anyone's feed. Rotating makes a new
//! token and forgets the old one, which then gets 404 like a made-up one.
//!
//! Interviews are timed events in UTC (`DTSTART:..Z`), which every calendar
//! shows in its own zone; the interview's zone travels as `X-PREP-TIME-ZONE`
//! and in the description. Plan tasks are to-dos due on their date
//! (`DUE;VALUE=DATE`), `COMPLETED` once done. UIDs are derived from the row
//! ids and never change, and `SEQUENCE` is the interview's version, so a
//! subscribed calendar updates its entries rather than adding new ones.
//! Each event links back to the interview's page in the web app (`URL` and
//! the description) and carries a reminder (`VALARM`,
//! `--calendar-reminder-mins` before the start).

use std::collections::HashMap;

use chrono::{Datelike, Duration};
use icalendar::{
    Alarm, Calendar, Component, Event, EventLike, Property, Todo, TodoStatus, Trigger,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use entity::{calendar_feed, interview, plan_task, role};

use super::store::tasks_owned_by;
use crate::db::now;
use crate::error::AppResult;
use crate::graphql::ids::{self, IdKind};
use crate::secrets::{hash_token, new_token};
use crate::stored::{InterviewStage, StoredEnum};
use crate::viewer::Viewer;

/// The path of the feed whose token is `token`.
pub fn feed_path(token: &str) -> String {
    format!("/calendar/{token}.ics")
}

/// Makes a new feed token for the viewer, replacing (and so revoking) the old
/// one: one upsert on the account's row, atomic on both backends.
pub async fn rotate_token(db: &DatabaseConnection, viewer: &Viewer) -> AppResult<String> {
    let token = new_token();
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        id: NotSet,
        user_id: Set(viewer.user_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(calendar_feed::Column::UserId)
            .update_columns([
                calendar_feed::Column::TokenHash,
                calendar_feed::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(token)
}

/// The owner of the feed whose token is `token`, if it is a current one.
pub async fn owner_of(db: &impl ConnectionTrait, token: &str) -> AppResult<Option<i32>> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .map(|f| f.user_id))
}

/// What one feed shows.
#[derive(Debug, Default)]
pub struct Feed {
    pub interviews: Vec<interview::Model>,
    pub tasks: Vec<plan_task::Model>,
    /// Role titles by role id.
    pub roles: HashMap<i32, String>,
}

/// The interviews and plan tasks of user `owner_id` (three statements).
pub async fn load_feed(db: &impl ConnectionTrait, owner_id: i32) -> AppResult<Feed> {
    let interviews = crate::records::owned_by::<interview::Entity>(owner_id)
        .order_by_asc(interview::Column::ScheduledAt)
        .order_by_asc(interview::Column::Id)
        .all(db)
        .await?;
    let tasks = tasks_owned_by(owner_id)
        .order_by_asc(plan_task::Column::DueOn)
        .order_by_asc(plan_task::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|(task, _)| task)
        .collect();
    let role_ids: Vec<i32> = interviews.iter().map(|i| i.role_id).collect();
    let roles = if role_ids.is_empty() {
        HashMap::new()
    } else {
        role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.title))
            .collect()
    };
    Ok(Feed {
        interviews,
        tasks,
        roles,
    })
}

/// Who wrote the feed (RFC 5545 PRODID).
const PRODID: &str = "-//prep-graphql//Interview plan//EN";

/// How often calendar apps are asked to fetch the feed again.
const REFRESH: Duration = Duration::hours(1);

/// How long an interview's event lasts in a calendar; the API has no end time.
const EVENT_LENGTH: Duration = Duration::hours(1);

/// The UID of interview `id`'s event.
pub fn interview_uid(id: i32) -> String {
    format!("interview-{id}@prep-graphql")
}

/// The UID of plan task `id`'s to-do.
pub fn task_uid(id: i32) -> String {
    format!("plan-task-{id}@prep-graphql")
}

fn stage_label(stored: &str) -> &'static str {
    match InterviewStage::from_stored(stored) {
        Ok(InterviewStage::RecruiterScreen) => "recruiter screen",
        Ok(InterviewStage::HiringManager) => "hiring manager",
        Ok(InterviewStage::Technical) => "technical",
        Ok(InterviewStage::FinalPanel) => "final panel",
        Ok(InterviewStage::Other) | Err(_) => "interview",
    }
}

/// What the feed adds around the records: where its links point and when
/// its reminders go off.
#[derive(Debug, Clone)]
pub struct FeedStyle {
    /// The web app's origin (`--public-url`): each event links back to its
    /// interview's page there.
    pub public_url: String,
    /// Minutes before an interview its reminder goes off; 0: no reminder.
    pub reminder_mins: u32,
}

/// The web app's page of interview `id`, under `public_url`.
pub fn interview_link(public_url: &str, id: i32) -> String {
    format!(
        "{}/interviews/{}",
        public_url.trim_end_matches('/'),
        ids::encode(IdKind::Interview, id).0
    )
}

/// Writes `feed` as an iCalendar document.
pub fn render(feed: &Feed, style: &FeedStyle) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .name("Interview preparation")
        .ttl(&REFRESH);
    let by_id: HashMap<i32, &interview::Model> =
        feed.interviews.iter().map(|i| (i.id, i)).collect();
    for i in &feed.interviews {
        let role = feed.roles.get(&i.role_id).map_or("", String::as_str);
        let local = i
            .time_zone
            .parse::<chrono_tz::Tz>()
            .map(|z| i.scheduled_at.with_timezone(&z).format("%H:%M").to_string())
            .unwrap_or_default();
        let mut description = format!(
            "{role} interview, {}, at {local} {}.",
            stage_label(&i.stage),
            i.time_zone
        );
        if !i.notes.is_empty() {
            description.push_str("\n\n");
            description.push_str(&i.notes);
        }
        let link = interview_link(&style.public_url, i.id);
        description.push_str("\n\nYour plan and readiness: ");
        description.push_str(&link);
        let mut event = Event::new();
        event
            .uid(&interview_uid(i.id))
            // RFC 5545 3.8.7.2: without METHOD, DTSTAMP is when the component
            // was last revised in the store. The clock would also make every
            // rendering differ, and the route's ETag is a hash of it.
            .timestamp(i.updated_at)
            .sequence(u32::try_from(i.version).unwrap_or(0))
            .last_modified(i.updated_at)
            .created(i.created_at)
            .summary(&format!(
                "Interview: {} ({})",
                i.company,
                stage_label(&i.stage)
            ))
            .description(&description)
            .starts(i.scheduled_at)
            .ends(i.scheduled_at + EVENT_LENGTH)
            .url(&link)
            .add_property("X-PREP-TIME-ZONE", &i.time_zone);
        if style.reminder_mins > 0 {
            // RFC 5545 3.6.6: a DISPLAY alarm, its trigger relative to the start.
            // The crate writes a random UID and the clock's DTSTAMP into a
            // component without them: fixed ones keep the rendering (and so
            // the ETag) the same while nothing changed.
            let mut alarm = Alarm::display(
                &format!("Interview with {} soon", i.company),
                Trigger::before_start(Duration::minutes(i64::from(style.reminder_mins))),
            );
            alarm
                .uid(&format!("interview-{}-reminder@prep-graphql", i.id))
                .timestamp(i.updated_at);
            event.alarm(alarm);
        }
        calendar.push(event.done());
    }
    for t in &feed.tasks {
        let Some(i) = by_id.get(&t.interview_id) else {
            continue;
        };
        let mut todo = Todo::new();
        // A task's change bumps its interview's version and `updated_at`.
        todo.uid(&task_uid(t.id))
            .timestamp(i.updated_at)
            .sequence(u32::try_from(i.version).unwrap_or(0))
            .summary(&t.text)
            .description(&format!(
                "Preparing for the {} interview on {}{}.",
                i.company,
                i.local_date,
                t.phase_label
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ))
            .add_property("RELATED-TO", interview_uid(i.id));
        // iCalendar dates have four-digit years: a row from before dates were
        // bounded could hold one outside them; such a task goes without DUE.
        if (1..=9999).contains(&t.due_on.year()) {
            todo.due(t.due_on);
        }
        match t.done_at {
            Some(at) if t.done => {
                todo.status(TodoStatus::Completed)
                    .completed(at)
                    .percent_complete(100);
            }
            _ => {
                todo.status(TodoStatus::NeedsAction);
            }
        }
        calendar.push(todo.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn sample() -> Feed {
        let at = Utc.with_ymd_and_hms(2027, 3, 28, 23, 30, 0).unwrap();
        let interview = interview::Model {
            id: 7,
            user_id: 1,
            role_id: 2,
            company: "Acme".into(),
            stage: "technical".into(),
            notes: "Bring the portfolio".into(),
            scheduled_at: at,
            time_zone: "Europe/London".into(),
            local_date: NaiveDate::from_ymd_opt(2027, 3, 29).unwrap(),
            version: 3,
            created_at: at,
            updated_at: at,
        };
        let task = plan_task::Model {
            id: 11,
            interview_id: 7,
            position: 1,
            text: "Practise aloud".into(),
            due_on: NaiveDate::from_ymd_opt(2027, 3, 28).unwrap(),
            done: true,
            done_at: Some(at),
            phase_label: Some("Day before".into()),
            days_before: Some(1),
            compressed: false,
            created_at: at,
        };
        Feed {
            interviews: vec![interview],
            tasks: vec![task],
            roles: HashMap::from([(2, "Backend Developer".to_owned())]),
        }
    }

    #[test]
    fn the_feed_has_utc_events_and_dated_todos_with_stable_uids() {
        // Unfolded: long lines are folded at 75 octets.
        let style = FeedStyle {
            public_url: "https://prep.example/".into(),
            reminder_mins: 45,
        };
        let text = render(&sample(), &style).replace("\r\n ", "");
        assert!(
            text.contains("PRODID:-//prep-graphql//Interview plan//EN"),
            "{text}"
        );
        assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
        assert!(text.contains("UID:interview-7@prep-graphql"), "{text}");
        assert!(text.contains("DTSTART:20270328T233000Z"), "{text}");
        assert!(text.contains("SEQUENCE:3"), "{text}");
        assert!(text.contains("UID:plan-task-11@prep-graphql"), "{text}");
        assert!(text.contains("DUE;VALUE=DATE:20270328"), "{text}");
        assert!(text.contains("STATUS:COMPLETED"), "{text}");
        assert!(text.contains("X-PREP-TIME-ZONE:Europe/London"), "{text}");
        assert!(text.contains("00:30 Europe/London"), "{text}");
        let link = interview_link("https://prep.example", 7);
        assert!(text.contains(&format!("URL:{link}")), "{text}");
        assert!(text.contains(&format!("readiness: {link}")), "{text}");
        assert!(text.contains("BEGIN:VALARM"), "{text}");
        assert!(text.contains("ACTION:DISPLAY"), "{text}");
        assert!(text.contains("TRIGGER;RELATED=START:-PT2700S"), "{text}");
    }

    #[test]
    fn the_same_feed_renders_the_same_text() {
        let style = FeedStyle {
            public_url: "https://prep.example".into(),
            reminder_mins: 60,
        };
        assert_eq!(render(&sample(), &style), render(&sample(), &style));
    }

    #[test]
    fn no_reminder_when_it_is_off() {
        let style = FeedStyle {
            public_url: "https://prep.example".into(),
            reminder_mins: 0,
        };
        assert!(!render(&sample(), &style).contains("VALARM"));
    }

    #[test]
    fn feed_paths_carry_the_token() {
        assert_eq!(feed_path("abc"), "/calendar/abc.ics");
    }
}
