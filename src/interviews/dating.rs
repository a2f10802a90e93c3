//! The dating rules of a plan, as pure functions of dates and zones.
//!
//! - An interview's local date is its instant's date in its time zone.
//! - A timeline task of a phase `N` days before is due on the local date minus
//!   `N` calendar days (so a DST change in between shifts nothing).
//! - A due date already past when the plan is (re)dated becomes that day, in
//!   the interview's zone, and the task is marked compressed.
//! - A task is overdue when it is not done and due before today in the zone.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::{AppError, AppResult};

/// The IANA zone named `name`, or BAD_USER_INPUT about `field`.
pub fn parse_zone(name: &str, field: &str) -> AppResult<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        AppError::bad_input(
            field,
            format!("{name:?} is not an IANA time zone name (such as \"Europe/London\")"),
        )
    })
}

/// The date of instant `at` in zone `zone`.
pub fn local_date(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// Where a timeline task falls in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub due_on: NaiveDate,
    /// The timeline's date had passed, so the task is due `today` instead.
    pub compressed: bool,
}

/// Dates a task of a phase `days_before` days before an interview on
/// `interview_date`, for a plan made on `today` (both in the interview's zone).
pub fn date_task(interview_date: NaiveDate, days_before: u32, today: NaiveDate) -> Dated {
    let planned = interview_date
        .checked_sub_days(Days::new(u64::from(days_before)))
        .unwrap_or(NaiveDate::MIN);
    if planned < today {
        Dated {
            due_on: today,
            compressed: true,
        }
    } else {
        Dated {
            due_on: planned,
            compressed: false,
        }
    }
}

/// Whether a task due on `due_on` is overdue on `today` (in the interview's zone).
pub fn is_overdue(due_on: NaiveDate, done: bool, today: NaiveDate) -> bool {
    !done && due_on < today
}

/// What re-dating does to one task when its interview moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDates {
    pub due_on: NaiveDate,
    pub compressed: bool,
    pub done: bool,
    /// `None` for a task the candidate added.
    pub days_before: Option<i32>,
}

/// The new dates of a task after its interview moved to `interview_date`:
/// `None` when it keeps them (done, or added by the candidate), else the task
/// dated again by [`date_task`].
pub fn redate(task: TaskDates, interview_date: NaiveDate, today: NaiveDate) -> Option<Dated> {
    if task.done {
        return None;
    }
    let days = u32::try_from(task.days_before?).unwrap_or(0);
    Some(date_task(interview_date, days, today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    fn zone(name: &str) -> Tz {
        parse_zone(name, "timeZone").unwrap()
    }

    #[test]
    fn unknown_zones_are_bad_input_naming_the_field() {
        let err = parse_zone("Mars/Olympus_Mons", "timeZone").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(matches!(err, AppError::BadUserInput { ref field, .. } if field == "timeZone"));
        assert!(parse_zone("", "timeZone").is_err());
        assert_eq!(zone("America/New_York"), chrono_tz::America::New_York);
    }

    #[test]
    fn just_after_local_midnight_is_the_next_day_in_london() {
        // 00:30 BST on 29 March 2027 is 23:30 UTC on the 28th.
        let at = utc(2027, 3, 28, 23, 30);
        assert_eq!(local_date(at, zone("Europe/London")), d(2027, 3, 29));
        assert_eq!(local_date(at, zone("UTC")), d(2027, 3, 28));
    }

    #[test]
    fn zones_far_from_utc_move_the_date_both_ways() {
        let at = utc(2027, 6, 15, 12, 0);
        // UTC+14 and UTC-11: a day apart and a day on each side of UTC's.
        assert_eq!(local_date(at, zone("Pacific/Kiritimati")), d(2027, 6, 16));
        assert_eq!(local_date(at, zone("Pacific/Pago_Pago")), d(2027, 6, 15));
        let late = utc(2027, 6, 15, 10, 30);
        assert_eq!(local_date(late, zone("Pacific/Kiritimati")), d(2027, 6, 16));
        let early = utc(2027, 6, 15, 9, 0);
        assert_eq!(local_date(early, zone("Pacific/Pago_Pago")), d(2027, 6, 14));
    }

    #[test]
    fn tasks_count_calendar_days_across_dst_changes() {
        let today = d(2027, 1, 1);
        // London springs forward on 28 March 2027, falls back on 31 October.
        for (interview, days, due) in [
            (d(2027, 4, 4), 14, d(2027, 3, 21)),
            (d(2027, 3, 29), 1, d(2027, 3, 28)),
            (d(2027, 11, 7), 7, d(2027, 10, 31)),
            (d(2027, 11, 1), 1, d(2027, 10, 31)),
            // New York: 14 March and 7 November 2027.
            (d(2027, 3, 15), 1, d(2027, 3, 14)),
            (d(2027, 11, 14), 14, d(2027, 10, 31)),
        ] {
            assert_eq!(
                date_task(interview, days, today),
                Dated {
                    due_on: due,
                    compressed: false
                },
                "{interview} - {days}"
            );
        }
    }

    #[test]
    fn a_plan_made_three_days_before_compresses_the_earlier_phases() {
        let interview = d(2027, 5, 20);
        let today = d(2027, 5, 17);
        let dated: Vec<Dated> = [14, 7, 1]
            .into_iter()
            .map(|n| date_task(interview, n, today))
            .collect();
        assert_eq!(
            dated,
            [
                Dated {
                    due_on: today,
                    compressed: true
                },
                Dated {
                    due_on: today,
                    compressed: true
                },
                Dated {
                    due_on: d(2027, 5, 19),
                    compressed: false
                },
            ]
        );
        // On its own day the phase is not compressed.
        assert!(!date_task(interview, 3, today).compressed);
    }

    #[test]
    fn overdue_means_not_done_and_before_today() {
        let today = d(2027, 5, 17);
        assert!(is_overdue(d(2027, 5, 16), false, today));
        assert!(!is_overdue(d(2027, 5, 16), true, today));
        assert!(!is_overdue(today, false, today));
    }

    #[test]
    fn redating_moves_open_template_tasks_only() {
        let today = d(2027, 5, 1);
        let open = TaskDates {
            due_on: d(2027, 5, 6),
            compressed: false,
            done: false,
            days_before: Some(14),
        };
        // Later: the task moves with the interview.
        assert_eq!(
            redate(open, d(2027, 6, 20), today),
            Some(Dated {
                due_on: d(2027, 6, 6),
                compressed: false
            })
        );
        // Earlier, past today: compressed to today.
        assert_eq!(
            redate(open, d(2027, 5, 10), today),
            Some(Dated {
                due_on: today,
                compressed: true
            })
        );
        // A compressed task that has room again is no longer compressed.
        let squeezed = TaskDates {
            compressed: true,
            ..open
        };
        assert_eq!(
            redate(squeezed, d(2027, 7, 1), today).map(|t| t.compressed),
            Some(false)
        );
        assert_eq!(
            redate(TaskDates { done: true, ..open }, d(2027, 6, 20), today),
            None
        );
        assert_eq!(
            redate(
                TaskDates {
                    days_before: None,
                    ..open
                },
                d(2027, 6, 20),
                today
            ),
            None
        );
    }
}
