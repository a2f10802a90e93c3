//! The calendar feed, read back with an iCalendar parser that is not our writer.

use std::collections::HashMap;

use base64::Engine;
use prep_graphql::config::{HttpConfig, InterviewLimits, MailConfig, Settings};
use serde_json::{Value, json};

use crate::helpers::{TestApp, api_test, error_code};
use crate::interviews::{add_task, schedule, set_done};

const ROTATE: &str = "mutation { rotateCalendarToken }";

/// A new feed path for `token`'s account.
async fn rotate(app: &TestApp, token: &str) -> String {
    let path = app.data_as(token, ROTATE, json!({})).await["rotateCalendarToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        path.starts_with("/calendar/") && path.ends_with(".ics"),
        "{path}"
    );
    path
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .unwrap()
}

/// One component's properties by name (the last one of each name).
type Props = HashMap<String, (Option<String>, Vec<(String, Vec<String>)>)>;

fn props(properties: &[ical::property::Property]) -> Props {
    properties
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                (p.value.clone(), p.params.clone().unwrap_or_default()),
            )
        })
        .collect()
}

/// The feed at `path`, parsed: its events and to-dos.
async fn feed(app: &TestApp, path: &str) -> (Vec<Props>, Vec<Props>) {
    let response = get(app, path).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(headers["cache-control"], "private");
    for name in headers.keys() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "CORS header {name}"
        );
    }
    let text = response.text().await.unwrap();
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("a valid calendar");
    assert!(calendars.next().is_none());
    let version = props(&calendar.properties);
    assert_eq!(version["VERSION"].0.as_deref(), Some("2.0"));
    (
        calendar
            .events
            .iter()
            .map(|e| props(&e.properties))
            .collect(),
        calendar
            .todos
            .iter()
            .map(|t| props(&t.properties))
            .collect(),
    )
}

/// The primary key inside a global ID.
fn key(id: &Value) -> String {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().unwrap())
        .unwrap();
    String::from_utf8(raw)
        .unwrap()
        .split_once(':')
        .unwrap()
        .1
        .to_owned()
}

fn value(p: &Props, name: &str) -> String {
    p.get(name)
        .and_then(|v| v.0.clone())
        .unwrap_or_else(|| panic!("no {name} in {p:?}"))
}

/// A TEXT value with its RFC 5545 escapes undone (the parser leaves them).
fn text(p: &Props, name: &str) -> String {
    let raw = value(p, name);
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn param(p: &Props, name: &str, param: &str) -> Option<Vec<String>> {
    p.get(name)?
        .1
        .iter()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.clone())
}

fn settings_with_cors() -> Settings {
    Settings {
        http: HttpConfig {
            cors_origins: vec!["http://localhost:5173".to_owned()],
            ..HttpConfig::default()
        },
        mail: MailConfig {
            public_url: "https://prep.example/".to_owned(),
            ..MailConfig::default()
        },
        interviews: InterviewLimits {
            calendar_reminder_mins: 90,
            ..InterviewLimits::default()
        },
        ..Settings::default()
    }
}

/// The raw feed text at `path`, long lines unfolded.
async fn raw_feed(app: &TestApp, path: &str) -> String {
    get(app, path)
        .await
        .text()
        .await
        .unwrap()
        .replace("\r\n ", "")
}

api_test! {
    settings = settings_with_cors();
    async fn the_feed_has_the_interviews_and_dated_tasks_with_stable_uids(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-03-28T23:30:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let first = interview["plan"][0].clone();
        set_done(&app, &token, first["id"].as_str().unwrap(), true).await;
        let own = add_task(&app, &token, &id, "Print the CV", "2027-03-27").await;
        assert!(own.get("errors").is_none(), "{own:#}");
        let path = rotate(&app, &token).await;
        // CORS is on for the API here, so its absence from the feed is the route's doing.
        let api = get(&app, "/graphql?query=%7B__typename%7D").await;
        assert_eq!(api.headers()["access-control-allow-origin"], "http://localhost:5173");

        let (events, todos) = feed(&app, &path).await;
        assert_eq!(events.len(), 1);
        let event = &events[0];
        let uid = format!("interview-{}@prep-graphql", key(&interview["id"]));
        assert_eq!(value(event, "UID"), uid);
        // The instant in UTC; the zone beside it.
        assert_eq!(value(event, "DTSTART"), "20270328T233000Z");
        assert_eq!(value(event, "DTEND"), "20270329T003000Z");
        assert_eq!(value(event, "X-PREP-TIME-ZONE"), "Europe/London");
        assert!(text(event, "DESCRIPTION").contains("00:30 Europe/London"));
        assert!(value(event, "SUMMARY").contains("Acme"));
        assert_eq!(value(event, "SEQUENCE"), "3");
        // A link back to the interview's page in the app, and a reminder
        // `--calendar-reminder-mins` (here 90) before the start.
        let link = format!("https://prep.example/interviews/{id}");
        assert_eq!(value(event, "URL"), link);
        assert!(text(event, "DESCRIPTION").contains(&link));
        let raw = raw_feed(&app, &path).await;
        let alarm = raw.split("BEGIN:VALARM").nth(1).expect("a VALARM").split("END:VALARM").next().unwrap();
        assert!(alarm.contains("ACTION:DISPLAY"), "{alarm}");
        assert!(alarm.contains("TRIGGER;RELATED=START:-PT5400S"), "{alarm}");
        assert!(alarm.contains("DESCRIPTION:Interview with Acme soon"), "{alarm}");

        assert_eq!(todos.len(), 10);
        let by_uid: HashMap<String, &Props> = todos.iter().map(|t| (value(t, "UID"), t)).collect();
        for task in interview["plan"].as_array().unwrap() {
            let todo = by_uid[&format!("plan-task-{}@prep-graphql", key(&task["id"]))];
            let due = task["dueOn"].as_str().unwrap().replace('-', "");
            assert_eq!(value(todo, "DUE"), due);
            assert_eq!(param(todo, "DUE", "VALUE"), Some(vec!["DATE".to_owned()]));
            assert_eq!(text(todo, "SUMMARY"), task["text"].as_str().unwrap());
            assert_eq!(value(todo, "RELATED-TO"), uid);
            let status = if task["id"] == first["id"] { "COMPLETED" } else { "NEEDS-ACTION" };
            assert_eq!(value(todo, "STATUS"), status);
        }
        let own_todo = by_uid[&format!("plan-task-{}@prep-graphql", key(&own["data"]["addPlanTask"]["id"]))];
        assert_eq!(value(own_todo, "DUE"), "20270327");

        // A reschedule updates the same entries: same UIDs, a higher SEQUENCE.
        app.data_as(
            &token,
            "mutation($id: ID!) { updateInterview(input: { id: $id, expectedVersion: 3, scheduledAt: \"2027-04-02T08:00:00Z\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
        let (events, todos) = feed(&app, &path).await;
        assert_eq!(value(&events[0], "UID"), uid);
        assert_eq!(value(&events[0], "DTSTART"), "20270402T080000Z");
        assert_eq!(value(&events[0], "SEQUENCE"), "4");
        let mut before: Vec<String> = by_uid.keys().cloned().collect();
        let mut after: Vec<String> = todos.iter().map(|t| value(t, "UID")).collect();
        before.sort();
        after.sort();
        assert_eq!(before, after);
    }
}

fn settings_without_reminders() -> Settings {
    Settings {
        interviews: InterviewLimits {
            calendar_reminder_mins: 0,
            ..InterviewLimits::default()
        },
        ..Settings::default()
    }
}

api_test! {
    settings = settings_without_reminders();
    async fn with_reminders_off_the_feed_has_no_alarm(app: TestApp) {
        let token = app.new_user().await;
        schedule(&app, &token, "2027-03-28T23:30:00Z", "Europe/London").await;
        let path = rotate(&app, &token).await;
        let raw = raw_feed(&app, &path).await;
        assert!(raw.contains("BEGIN:VEVENT"), "{raw}");
        assert!(!raw.contains("VALARM"), "{raw}");
        // The default public URL still gives the link.
        assert!(raw.contains("URL:http://127.0.0.1:8000/interviews/"), "{raw}");
    }
}

api_test! {
    async fn a_rotated_token_stops_working_and_feeds_are_private(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        schedule(&app, &alice, "2027-05-01T09:00:00Z", "UTC").await;
        let old = rotate(&app, &alice).await;
        assert_eq!(get(&app, &old).await.status(), 200);
        let new = rotate(&app, &alice).await;
        assert_ne!(old, new);

        let made_up = format!("/calendar/{}.ics", "A".repeat(43));
        for path in [old.as_str(), made_up.as_str(), "/calendar/.ics", "/calendar/x", &new.replace(".ics", ".txt")] {
            let response = get(&app, path).await;
            assert_eq!(response.status(), 404, "{path}");
            assert_eq!(response.text().await.unwrap(), "no such calendar feed", "{path}");
        }
        let (events, todos) = feed(&app, &new).await;
        assert_eq!((events.len(), todos.len()), (1, 9));

        // Bob's feed has none of Alice's interview.
        let bobs = rotate(&app, &bob).await;
        let (events, todos) = feed(&app, &bobs).await;
        assert_eq!((events.len(), todos.len()), (0, 0));
        // Only a hash of the token is stored.
        use sea_orm::EntityTrait;
        let rows = entity::calendar_feed::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(rows.len(), 2);
        let secret = new.trim_start_matches("/calendar/").trim_end_matches(".ics");
        assert!(rows.iter().all(|r| !r.token_hash.contains(secret)));

        let anonymous = app.graphql(ROTATE, json!({})).await;
        assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    }
}

/// GETs `path` with `If-None-Match: tag`.
async fn get_if_none_match(app: &TestApp, path: &str, tag: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("If-None-Match", tag)
        .send()
        .await
        .unwrap()
}

api_test! {
    async fn an_unchanged_feed_answers_a_conditional_request_with_304(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-03-28T23:30:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let path = rotate(&app, &token).await;

        let first = get(&app, &path).await;
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let body = first.text().await.unwrap();
        // Polled again with nothing changed: the same tag and the same text.
        let again = get(&app, &path).await;
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert_eq!(again.text().await.unwrap(), body);

        for tag in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
            let response = get_if_none_match(&app, &path, &tag).await;
            assert_eq!(response.status(), 304, "{tag}");
            assert_eq!(response.headers()["etag"], etag.as_str());
            assert_eq!(response.headers()["cache-control"], "private");
            assert!(response.bytes().await.unwrap().is_empty());
        }
        let stale = get_if_none_match(&app, &path, "\"stale\"").await;
        assert_eq!(stale.status(), 200);

        // A change to the plan changes the tag: the old one gets the full feed.
        let own = add_task(&app, &token, &id, "Print the CV", "2027-03-27").await;
        assert!(own.get("errors").is_none(), "{own:#}");
        let changed = get_if_none_match(&app, &path, &etag).await;
        assert_eq!(changed.status(), 200);
        assert_ne!(changed.headers()["etag"], etag.as_str());
        assert!(changed.text().await.unwrap().contains("Print the CV"));
    }
}
