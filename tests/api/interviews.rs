//! Interviews and their dated plans: dates and zones, rescheduling, tasks,
//! the agenda, the list, limits, and what an import does to a plan.

use chrono::{DateTime, Days, NaiveDate, Utc};
use prep_graphql::config::{InterviewLimits, Settings};
use serde_json::{Value, json};

use crate::helpers::{TestApp, api_test, error_code};

/// Every field of an interview, with its plan.
pub const INTERVIEW_FIELDS: &str = "id company stage notes scheduledAt timeZone localDate version
    role { slug }
    plan { id text dueOn done doneAt phaseLabel daysBefore custom compressed overdue }";

/// The timeline of the bundled Backend Developer role: 3 tasks in each phase.
const PHASES: [(i64, &str); 3] = [
    (14, "Two weeks before"),
    (7, "One week before"),
    (1, "Day before"),
];

/// The global ID of the Backend Developer role.
pub async fn role_id(app: &TestApp) -> String {
    let data = app
        .data("{ role(slug: \"backend-developer\") { id } }", json!({}))
        .await;
    data["role"]["id"].as_str().unwrap().to_owned()
}

/// `scheduleInterview` as `token`; the whole response.
pub async fn try_schedule(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: ScheduleInterviewInput!) {{ scheduleInterview(input: $input) {{ {INTERVIEW_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

/// Schedules a technical interview at Acme at `at` in `zone`; returns it.
pub async fn schedule(app: &TestApp, token: &str, at: &str, zone: &str) -> Value {
    let input = json!({
        "roleId": role_id(app).await, "company": "Acme", "stage": "TECHNICAL",
        "scheduledAt": at, "timeZone": zone,
    });
    let body = try_schedule(app, token, input).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["scheduleInterview"].clone()
}

/// `updateInterview` as `token`; the whole response.
pub async fn try_update(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: UpdateInterviewInput!) {{ updateInterview(input: $input) {{ {INTERVIEW_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    let body = try_update(app, token, input).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["updateInterview"].clone()
}

/// The interview `id` as its owner sees it.
async fn fetch(app: &TestApp, token: &str, id: &str) -> Value {
    let query = format!("query($id: ID!) {{ interview(id: $id) {{ {INTERVIEW_FIELDS} }} }}");
    app.data_as(token, &query, json!({ "id": id })).await["interview"].clone()
}

pub async fn set_done(app: &TestApp, token: &str, task: &str, done: bool) -> Value {
    app.data_as(
        token,
        "mutation($id: ID!, $done: Boolean!) { setPlanTaskDone(id: $id, done: $done) {
            id done doneAt interview { id version } } }",
        json!({ "id": task, "done": done }),
    )
    .await["setPlanTaskDone"]
        .clone()
}

pub async fn add_task(app: &TestApp, token: &str, interview: &str, text: &str, due: &str) -> Value {
    app.graphql_as(
        Some(token),
        "mutation($input: AddPlanTaskInput!) { addPlanTask(input: $input) {
            id text dueOn custom phaseLabel daysBefore compressed overdue done interview { id version } } }",
        json!({ "input": { "interviewId": interview, "text": text, "dueOn": due } }),
    )
    .await
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().unwrap().parse().unwrap()
}

fn minus(day: NaiveDate, n: i64) -> NaiveDate {
    day.checked_sub_days(Days::new(n as u64)).unwrap()
}

/// Checks that every timeline task is due `daysBefore` calendar days before
/// `local`, uncompressed, in the order of the plan.
fn assert_dated(interview: &Value, local: NaiveDate) {
    let plan = interview["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 9, "{interview:#}");
    for (i, task) in plan.iter().enumerate() {
        let (days, label) = PHASES[i / 3];
        assert_eq!(task["daysBefore"], days, "{task}");
        assert_eq!(task["phaseLabel"], label, "{task}");
        assert_eq!(date(&task["dueOn"]), minus(local, days), "{task}");
        assert_eq!(task["compressed"], false);
        assert_eq!(task["custom"], false);
        assert_eq!(task["overdue"], false);
        assert_eq!(task["done"], false);
    }
}

fn ymd(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

api_test! {
    async fn plans_count_calendar_days_across_dst_in_london_and_new_york(app: TestApp) {
        let token = app.new_user().await;
        // (instant, zone, local date): each plan spans a DST change.
        let cases = [
            // London springs forward on 28 March 2027: 09:00 BST.
            ("2027-04-04T08:00:00Z", "Europe/London", "2027-04-04"),
            // London falls back on 31 October 2027: 09:00 GMT.
            ("2027-11-07T09:00:00Z", "Europe/London", "2027-11-07"),
            // New York springs forward on 14 March 2027: 09:00 EDT.
            ("2027-03-21T13:00:00Z", "America/New_York", "2027-03-21"),
            // New York falls back on 7 November 2027: 23:30 EST, already the 8th in UTC.
            ("2027-11-08T04:30:00Z", "America/New_York", "2027-11-07"),
        ];
        for (at, zone, local) in cases {
            let interview = schedule(&app, &token, at, zone).await;
            assert_eq!(interview["localDate"], local, "{at} in {zone}");
            assert_eq!(interview["timeZone"], zone);
            assert_eq!(interview["version"], 1);
            assert_eq!(interview["role"]["slug"], "backend-developer");
            assert_dated(&interview, ymd(local));
        }
        // The week-before task of London's spring interview falls on the change day itself.
        let list = app
            .data_as(&token, "{ myInterviews(first: 10) { edges { node { localDate plan { dueOn daysBefore } } } } }", json!({}))
            .await;
        let london = list["myInterviews"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["localDate"] == "2027-04-04")
            .unwrap();
        assert_eq!(london["node"]["plan"][3]["dueOn"], "2027-03-28");
    }
}

api_test! {
    async fn an_interview_just_after_local_midnight_is_on_the_local_date(app: TestApp) {
        let token = app.new_user().await;
        // 00:30 in London on 29 March 2027 (BST) is 23:30 UTC on the 28th.
        let interview = schedule(&app, &token, "2027-03-28T23:30:00Z", "Europe/London").await;
        assert_eq!(interview["localDate"], "2027-03-29");
        assert_eq!(interview["scheduledAt"], "2027-03-28T23:30:00+00:00");
        assert_dated(&interview, ymd("2027-03-29"));
        assert_eq!(interview["plan"][8]["dueOn"], "2027-03-28");

        let agenda = app
            .data_as(
                &token,
                "{ myAgenda(from: \"2027-03-28\", days: 2) { date interviews { id } tasks { dueOn daysBefore } } }",
                json!({}),
            )
            .await["myAgenda"]
            .clone();
        assert_eq!(agenda[0]["date"], "2027-03-28");
        assert_eq!(agenda[0]["interviews"], json!([]));
        assert_eq!(agenda[0]["tasks"].as_array().unwrap().len(), 3);
        assert_eq!(agenda[1]["interviews"], json!([{ "id": interview["id"] }]));
        assert_eq!(agenda[1]["tasks"], json!([]));
    }
}

api_test! {
    async fn zones_far_from_utc_date_the_plan_by_their_own_calendar(app: TestApp) {
        let token = app.new_user().await;
        // UTC+14: 00:30 on the 16th locally, still the 15th in UTC.
        let kiritimati = schedule(&app, &token, "2027-06-15T10:30:00Z", "Pacific/Kiritimati").await;
        assert_eq!(kiritimati["localDate"], "2027-06-16");
        assert_dated(&kiritimati, ymd("2027-06-16"));
        // UTC-11: 22:00 on the 14th locally, already the 15th in UTC.
        let pago = schedule(&app, &token, "2027-06-15T09:00:00Z", "Pacific/Pago_Pago").await;
        assert_eq!(pago["localDate"], "2027-06-14");
        assert_dated(&pago, ymd("2027-06-14"));
        // Same UTC day, two local dates two days apart.
        let agenda = app
            .data_as(&token, "{ myAgenda(from: \"2027-06-14\", days: 3) { date interviews { timeZone } } }", json!({}))
            .await["myAgenda"]
            .clone();
        assert_eq!(agenda[0]["interviews"], json!([{ "timeZone": "Pacific/Pago_Pago" }]));
        assert_eq!(agenda[1]["interviews"], json!([]));
        assert_eq!(agenda[2]["interviews"], json!([{ "timeZone": "Pacific/Kiritimati" }]));
    }
}

api_test! {
    async fn a_plan_made_three_days_before_compresses_the_earlier_phases(app: TestApp) {
        let token = app.new_user().await;
        let at = Utc::now() + chrono::Duration::days(3);
        let interview = schedule(&app, &token, &at.to_rfc3339(), "UTC").await;
        let local = date(&interview["localDate"]);
        let today = minus(local, 3);
        let plan = interview["plan"].as_array().unwrap();
        assert_eq!(plan.len(), 9);
        for task in &plan[..6] {
            assert_eq!(date(&task["dueOn"]), today, "{task}");
            assert_eq!(task["compressed"], true, "{task}");
            assert_eq!(task["overdue"], false, "{task}");
        }
        for task in &plan[6..] {
            assert_eq!(date(&task["dueOn"]), minus(local, 1), "{task}");
            assert_eq!(task["compressed"], false, "{task}");
        }
    }
}

api_test! {
    async fn rescheduling_redates_open_timeline_tasks_and_keeps_done_and_own_ones(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-06-20T09:00:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let plan = interview["plan"].as_array().unwrap().clone();
        // Tick the first two-weeks-before task; add a task of one's own.
        let done = set_done(&app, &token, plan[0]["id"].as_str().unwrap(), true).await;
        assert_eq!(done["interview"]["version"], 2);
        let own = add_task(&app, &token, &id, "Buy a new shirt", "2027-06-10").await;
        assert_eq!(own["data"]["addPlanTask"]["interview"]["version"], 3, "{own:#}");

        // Later: 20 days on. Open timeline tasks move 20 days; the others stay.
        let later = update(&app, &token, json!({ "id": id, "expectedVersion": 3, "scheduledAt": "2027-07-10T09:00:00Z" })).await;
        assert_eq!(later["version"], 4);
        assert_eq!(later["localDate"], "2027-07-10");
        let task = |v: &Value, text_of: &Value| -> Value {
            v["plan"].as_array().unwrap().iter().find(|t| t["id"] == text_of["id"]).unwrap().clone()
        };
        assert_eq!(task(&later, &plan[0])["dueOn"], "2027-06-06", "done: kept");
        assert_eq!(task(&later, &plan[0])["done"], true);
        assert_eq!(task(&later, &own["data"]["addPlanTask"])["dueOn"], "2027-06-10", "own: kept");
        for original in &plan[1..] {
            let moved = task(&later, original);
            let days = moved["daysBefore"].as_i64().unwrap();
            assert_eq!(date(&moved["dueOn"]), minus(ymd("2027-07-10"), days), "{moved}");
            assert_eq!(moved["compressed"], false);
        }

        // A stale version is refused and changes nothing.
        let stale = try_update(&app, &token, json!({ "id": id, "expectedVersion": 3, "scheduledAt": "2027-08-01T09:00:00Z" })).await;
        assert_eq!(error_code(&stale), "VERSION_CONFLICT", "{stale:#}");
        assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 4);
        assert_eq!(fetch(&app, &token, &id).await, later);

        // Earlier: two days from now. The 14- and 7-day tasks are compressed to today.
        let soon = Utc::now() + chrono::Duration::days(2);
        let earlier = update(&app, &token, json!({ "id": id, "expectedVersion": 4, "scheduledAt": soon.to_rfc3339(), "timeZone": "UTC" })).await;
        assert_eq!(earlier["version"], 5);
        let local = date(&earlier["localDate"]);
        let today = minus(local, 2);
        for original in &plan[1..] {
            let moved = task(&earlier, original);
            let days = moved["daysBefore"].as_i64().unwrap();
            if days > 2 {
                assert_eq!(date(&moved["dueOn"]), today, "{moved}");
                assert_eq!(moved["compressed"], true, "{moved}");
            } else {
                assert_eq!(date(&moved["dueOn"]), minus(local, days), "{moved}");
                assert_eq!(moved["compressed"], false, "{moved}");
            }
        }
        assert_eq!(task(&earlier, &plan[0])["dueOn"], "2027-06-06", "done: still kept");
        // By due date, then position: today's tasks first, the own task (June 2027) last.
        let dues: Vec<NaiveDate> = earlier["plan"].as_array().unwrap().iter().map(|t| date(&t["dueOn"])).collect();
        assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    }
}

api_test! {
    async fn a_new_zone_alone_moves_the_local_date_and_the_plan(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-09-10T11:00:00Z", "UTC").await;
        let id = interview["id"].as_str().unwrap();
        assert_eq!(interview["localDate"], "2027-09-10");
        let moved = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "timeZone": "Pacific/Kiritimati" })).await;
        assert_eq!(moved["scheduledAt"], interview["scheduledAt"]);
        assert_eq!(moved["localDate"], "2027-09-11");
        assert_dated(&moved, ymd("2027-09-11"));
        // Other fields change nothing in the plan, but still make a version.
        let renamed = update(&app, &token, json!({ "id": id, "expectedVersion": 2, "company": "Acme Ltd", "stage": "FINAL_PANEL", "notes": "Panel of 3" })).await;
        assert_eq!(renamed["version"], 3);
        assert_eq!((renamed["company"].clone(), renamed["stage"].clone(), renamed["notes"].clone()), (json!("Acme Ltd"), json!("FINAL_PANEL"), json!("Panel of 3")));
        assert_eq!(renamed["plan"], moved["plan"]);
        let nothing = try_update(&app, &token, json!({ "id": id, "expectedVersion": 3 })).await;
        assert_eq!(error_code(&nothing), "BAD_USER_INPUT");
    }
}

api_test! {
    async fn tasks_are_ticked_added_and_deleted_and_an_interview_takes_its_plan_along(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-05-20T09:00:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let first = interview["plan"][0]["id"].as_str().unwrap().to_owned();

        let ticked = set_done(&app, &token, &first, true).await;
        assert_eq!(ticked["done"], true);
        assert!(ticked["doneAt"].is_string());
        assert_eq!(ticked["interview"]["version"], 2);
        // Ticking again changes nothing: no new version.
        assert_eq!(set_done(&app, &token, &first, true).await["interview"]["version"], 2);
        let unticked = set_done(&app, &token, &first, false).await;
        assert_eq!((unticked["done"].clone(), unticked["doneAt"].clone(), unticked["interview"]["version"].clone()), (json!(false), Value::Null, json!(3)));

        // An own task due in the past is overdue at once.
        let two_days_ago = minus(Utc::now().date_naive(), 2);
        let own = add_task(&app, &token, &id, "  Iron the shirt ", &two_days_ago.to_string()).await;
        let own = own["data"]["addPlanTask"].clone();
        assert_eq!(own["text"], "Iron the shirt");
        assert_eq!((own["custom"].clone(), own["phaseLabel"].clone(), own["daysBefore"].clone()), (json!(true), Value::Null, Value::Null));
        assert_eq!(own["overdue"], true);
        assert_eq!(own["interview"]["version"], 4);
        let own_id = own["id"].as_str().unwrap().to_owned();
        let node = app
            .data_as(&token, "query($id: ID!) { node(id: $id) { ... on PlanTask { text interview { id } } } }", json!({ "id": own_id }))
            .await;
        assert_eq!(node["node"], json!({ "text": "Iron the shirt", "interview": { "id": id } }));

        // A timeline task stays in the plan; an own one can go.
        let refused = app
            .graphql_as(Some(&token), "mutation($id: ID!) { deletePlanTask(id: $id) }", json!({ "id": first }))
            .await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "id");
        let deleted = app
            .data_as(&token, "mutation($id: ID!) { deletePlanTask(id: $id) }", json!({ "id": own_id }))
            .await;
        assert_eq!(deleted["deletePlanTask"], own_id.as_str());
        let now = fetch(&app, &token, &id).await;
        assert_eq!(now["version"], 5);
        assert_eq!(now["plan"].as_array().unwrap().len(), 9);

        // Deleting the interview deletes its plan.
        let gone = app
            .data_as(&token, "mutation($id: ID!) { deleteInterview(id: $id) }", json!({ "id": id }))
            .await;
        assert_eq!(gone["deleteInterview"], id.as_str());
        assert_eq!(fetch(&app, &token, &id).await, Value::Null);
        let task = app
            .data_as(&token, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": first }))
            .await;
        assert_eq!(task["node"], Value::Null);
        use sea_orm::{EntityTrait, PaginatorTrait};
        assert_eq!(entity::plan_task::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

api_test! {
    async fn bad_input_names_its_field(app: TestApp) {
        let token = app.new_user().await;
        let role = role_id(&app).await;
        let question = crate::drafts::question_id(&app, 0).await;
        let base = json!({ "roleId": role, "company": "Acme", "stage": "OTHER", "scheduledAt": "2027-06-01T09:00:00Z", "timeZone": "Europe/London" });
        let with = |key: &str, value: Value| {
            let mut input = base.clone();
            input[key] = value;
            input
        };
        for (input, field) in [
            (with("timeZone", json!("Europe/Atlantis")), "timeZone"),
            (with("timeZone", json!("")), "timeZone"),
            (with("roleId", json!(question)), "roleId"),
            (with("scheduledAt", json!("2020-01-01T09:00:00Z")), "scheduledAt"),
            (with("scheduledAt", json!("2099-01-01T09:00:00Z")), "scheduledAt"),
            (with("company", json!("   ")), "company"),
        ] {
            let body = try_schedule(&app, &token, input).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
        }
        let interview = schedule(&app, &token, "2027-06-01T09:00:00Z", "Europe/London").await;
        let body = try_update(&app, &token, json!({ "id": interview["id"], "expectedVersion": 1, "timeZone": "Nowhere/Special" })).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "timeZone", "{body:#}");
        for days in [0, 63, -1] {
            let body = app
                .graphql_as(Some(&token), "query($d: Int!) { myAgenda(from: \"2027-06-01\", days: $d) { date } }", json!({ "d": days }))
                .await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "days");
        }
        for (days, expected) in [(1, 1), (62, 62)] {
            let agenda = app
                .data_as(&token, "query($d: Int!) { myAgenda(from: \"2027-06-01\", days: $d) { date } }", json!({ "d": days }))
                .await;
            let agenda = agenda["myAgenda"].as_array().unwrap();
            assert_eq!(agenda.len(), expected);
            assert_eq!(agenda[expected - 1]["date"], ymd("2027-06-01").checked_add_days(Days::new(expected as u64 - 1)).unwrap().to_string());
        }
    }
}

api_test! {
    settings = Settings {
        interviews: InterviewLimits {
            max_interviews_per_user: 2,
            max_custom_tasks_per_interview: 1,
            company_max_chars: 10,
            notes_max_chars: 20,
            task_text_max_chars: 15,
            ..InterviewLimits::default()
        },
        ..Settings::default()
    };
    async fn limits_are_settings(app: TestApp) {
        let token = app.new_user().await;
        let role = role_id(&app).await;
        let input = |company: &str, notes: &str| json!({ "roleId": role, "company": company, "stage": "OTHER",
            "scheduledAt": "2027-06-01T09:00:00Z", "timeZone": "UTC", "notes": notes });
        let body = try_schedule(&app, &token, input("Eleven char", "")).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "company", "{body:#}");
        let body = try_schedule(&app, &token, input("Acme", &"n".repeat(21))).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "notes", "{body:#}");

        let first = try_schedule(&app, &token, input("Ten chars!", &"n".repeat(20))).await;
        let id = first["data"]["scheduleInterview"]["id"].as_str().unwrap().to_owned();
        let too_long = add_task(&app, &token, &id, &"t".repeat(16), "2027-05-30").await;
        assert_eq!(too_long["errors"][0]["extensions"]["field"], "text", "{too_long:#}");
        let own = add_task(&app, &token, &id, "Fifteen chars!!", "2027-05-30").await;
        assert!(own.get("errors").is_none(), "{own:#}");
        let second = add_task(&app, &token, &id, "One too many", "2027-05-30").await;
        assert_eq!(error_code(&second), "BAD_USER_INPUT", "{second:#}");

        assert!(try_schedule(&app, &token, input("Acme", "")).await.get("errors").is_none());
        let third = try_schedule(&app, &token, input("Acme", "")).await;
        assert_eq!(error_code(&third), "BAD_USER_INPUT", "{third:#}");
        assert!(third["errors"][0]["message"].as_str().unwrap().contains("2 interviews"));
        // Another account has its own allowance.
        let other = app.new_user().await;
        assert!(try_schedule(&app, &other, input("Acme", "")).await.get("errors").is_none());
    }
}

api_test! {
    async fn my_interviews_pages_soonest_first_and_filters_upcoming(app: TestApp) {
        let token = app.new_user().await;
        let ids: Vec<String> = {
            let mut ids = Vec::new();
            for at in ["2027-03-01T09:00:00Z", "2027-01-01T09:00:00Z", "2027-02-01T09:00:00Z"] {
                ids.push(schedule(&app, &token, at, "UTC").await["id"].as_str().unwrap().to_owned());
            }
            ids
        };
        // The January interview has since taken place: moved into the past in the database.
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let past: DateTime<Utc> = Utc::now() - chrono::Duration::days(1);
        let moved = entity::interview::Entity::update_many()
            .col_expr(entity::interview::Column::ScheduledAt, Expr::value(past))
            .filter(entity::interview::Column::LocalDate.eq(ymd("2027-01-01")))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(moved.rows_affected, 1);

        const LIST: &str = "query($first: Int, $after: String, $upcoming: Boolean) {
            myInterviews(first: $first, after: $after, upcoming: $upcoming) {
                totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        let page = |first: i64, after: Value, upcoming: Value| {
            let token = token.clone();
            let app = &app;
            async move {
                app.data_as(&token, LIST, json!({ "first": first, "after": after, "upcoming": upcoming })).await["myInterviews"].clone()
            }
        };
        let node_ids = |page: &Value| -> Vec<String> {
            page["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
        };
        let all = page(10, Value::Null, Value::Null).await;
        assert_eq!(all["totalCount"], 3);
        assert_eq!(node_ids(&all), [ids[1].clone(), ids[2].clone(), ids[0].clone()]);
        let upcoming = page(10, Value::Null, json!(true)).await;
        assert_eq!(upcoming["totalCount"], 2);
        assert_eq!(node_ids(&upcoming), [ids[2].clone(), ids[0].clone()]);
        let started = page(10, Value::Null, json!(false)).await;
        assert_eq!(node_ids(&started), [ids[1].clone()]);

        let first = page(1, Value::Null, json!(true)).await;
        assert_eq!(node_ids(&first), [ids[2].clone()]);
        assert_eq!(first["pageInfo"]["hasNextPage"], true);
        let second = page(1, first["pageInfo"]["endCursor"].clone(), json!(true)).await;
        assert_eq!(node_ids(&second), [ids[0].clone()]);
        assert_eq!(second["pageInfo"]["hasNextPage"], false);
    }
}

api_test! {
    async fn an_import_that_changes_the_timeline_leaves_plans_as_they_were_made(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-06-20T09:00:00Z", "Europe/London").await;
        // The new content drops the day-before phase and moves the week-before one.
        let changed = crate::fixtures::BACKEND_TOML
            .replace("days_before = 7", "days_before = 5")
            .replace("label = \"Day before\"\ndays_before = 1", "label = \"Morning of\"\ndays_before = 0");
        assert_ne!(changed, crate::fixtures::BACKEND_TOML);
        let report = prep_graphql::content::import(
            &app.db,
            &[("backend-developer.toml".to_owned(), changed)],
            &prep_graphql::content::ContentLimits::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.updated, ["backend-developer"]);
        app.content_caught_up().await;
        let timeline = app
            .data("{ role(slug: \"backend-developer\") { timeline { daysBefore } } }", json!({}))
            .await;
        assert_eq!(timeline["role"]["timeline"], json!([{ "daysBefore": 14 }, { "daysBefore": 5 }, { "daysBefore": 0 }]));

        let id = interview["id"].as_str().unwrap();
        assert_eq!(fetch(&app, &token, id).await, interview, "the plan is as it was made");
        // Rescheduling re-dates by the plan's own phases, not the new timeline.
        let moved = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "scheduledAt": "2027-06-27T09:00:00Z" })).await;
        assert_dated(&moved, ymd("2027-06-27"));
    }
}

api_test! {
    async fn anonymous_callers_are_unauthenticated(app: TestApp) {
        for query in [
            "{ myInterviews { totalCount } }",
            "{ myAgenda(from: \"2027-01-01\", days: 7) { date } }",
            "mutation { rotateCalendarToken }",
        ] {
            let body = app.graphql(query, json!({})).await;
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body:#}");
        }
    }
}

api_test! {
    async fn concurrent_changes_to_one_plan_queue_and_each_make_one_version(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-10-01T09:00:00Z", "UTC").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let tasks: Vec<String> = interview["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        // Nine ticks and two own tasks at once: none fails, none is lost.
        let ticks = futures_util::future::join_all(tasks.iter().map(|t| set_done(&app, &token, t, true)));
        let adds = futures_util::future::join_all(
            ["Own one", "Own two"].map(|text| add_task(&app, &token, &id, text, "2027-09-30")),
        );
        let (ticked, added) = tokio::join!(ticks, adds);
        assert!(ticked.iter().all(|t| t["done"] == true));
        assert!(added.iter().all(|a| a.get("errors").is_none()), "{added:#?}");
        let now = fetch(&app, &token, &id).await;
        assert_eq!(now["version"], 12);
        let plan = now["plan"].as_array().unwrap();
        assert_eq!(plan.len(), 11);
        assert_eq!(plan.iter().filter(|t| t["done"] == true).count(), 9);
        let mut versions: Vec<i64> = ticked.iter().map(|t| t["interview"]["version"].as_i64().unwrap()).collect();
        versions.extend(added.iter().map(|a| a["data"]["addPlanTask"]["interview"]["version"].as_i64().unwrap()));
        versions.sort();
        assert_eq!(versions, (2..=12).collect::<Vec<i64>>(), "each change made its own version");
    }
}

api_test! {
    async fn plan_task_dates_stay_within_the_scheduling_horizon(app: TestApp) {
        let token = app.new_user().await;
        let interview = schedule(&app, &token, "2027-05-20T09:00:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let tasks = interview["plan"].as_array().unwrap().len();
        let today = Utc::now().date_naive();
        // 730 days (`--interview-max-days-ahead`) either way of the interview's today.
        for due in ["0001-01-01".to_owned(), "9999-12-31".to_owned(), "+99999-01-01".to_owned(),
                    minus(today, 740).to_string(), today.checked_add_days(Days::new(740)).unwrap().to_string()] {
            let body = add_task(&app, &token, &id, "far out", &due).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{due}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "dueOn", "{due}: {body:#}");
        }
        // Nothing was written: same version, same plan.
        let now = fetch(&app, &token, &id).await;
        assert_eq!(now["version"], 1, "{now:#}");
        assert_eq!(now["plan"].as_array().unwrap().len(), tasks);
        let inside = today.checked_add_days(Days::new(700)).unwrap().to_string();
        let body = add_task(&app, &token, &id, "follow up", &inside).await;
        assert_eq!(body["data"]["addPlanTask"]["dueOn"], inside, "{body:#}");
    }
}
