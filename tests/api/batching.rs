//! N+1 is a bug: the full role-page query costs the same statements for 1, 20 and 100 roles.

use serde_json::json;

use crate::fixtures::{ROLE_FIELDS, import_generated_roles};
use crate::helpers::api_test;

/// Tables the page reads: roles, role_skills, skills, questions, prep_steps,
/// timeline_phases, timeline_tasks, mistakes, salary_benchmarks,
/// salary_levels, faqs, resources, and content_version (the response cache's key,
/// read when the server cannot vouch for the version it holds in memory).
const TABLES_READ: usize = 13;

api_test! {
    async fn role_page_statements_do_not_grow_with_the_number_of_roles(app: TestApp) {
        import_generated_roles(&app.db, 100).await;
        app.know_content_version().await;
        let query = format!(
            "query($first: Int) {{ roles(first: $first) {{ totalCount edges {{ node {{ {ROLE_FIELDS} }} }} }} }}"
        );
        let mut counts = Vec::new();
        for first in [1, 20, 100] {
            app.reset_statements();
            let data = app.data(&query, json!({ "first": first })).await;
            let (count, sql) = app.statements();
            let edges = data["roles"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), first);
            // Every nested list really was loaded for the last role of the page.
            let last = &edges[first - 1]["node"];
            assert!(!last["timeline"][0]["tasks"].as_array().unwrap().is_empty());
            assert!(!last["salaryBenchmarks"][0]["levels"].as_array().unwrap().is_empty());
            assert!(!last["keySkills"][0]["roles"].as_array().unwrap().is_empty());
            assert!(
                count <= TABLES_READ + 1,
                "{count} statements for first: {first}:\n{}",
                sql.join("\n")
            );
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "1 vs 20 roles");
        assert_eq!(counts[1], counts[2], "20 vs 100 roles");
    }
}

api_test! {
    async fn draft_list_statements_do_not_grow_with_the_number_of_drafts(app: TestApp) {
        let token = app.new_user().await;
        let question = crate::drafts::question_id(&app, 0).await;
        for i in 0..10 {
            let id = crate::drafts::create_draft(&app, &token, json!({ "questionId": question, "title": format!("d{i}") })).await;
            app.data_as(
                &token,
                "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, result: \"40% faster\" }) { version } }",
                json!({ "id": id }),
            )
            .await;
        }
        let query = "query($first: Int) { myStarDrafts(first: $first) { totalCount edges { node {
            id version question { prompt role { slug } myStarDrafts { id } }
            revisions(first: 3) { edges { node { version } } }
            feedback { wordCount }
        } } } }";
        let mut counts = Vec::new();
        for first in [1, 10] {
            app.reset_statements();
            let data = app.data_as(&token, query, json!({ "first": first })).await;
            let (count, sql) = app.statements();
            let edges = data["myStarDrafts"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), first);
            let last = &edges[first - 1]["node"];
            assert_eq!(last["revisions"]["edges"].as_array().unwrap().len(), 2);
            assert_eq!(last["question"]["role"]["slug"], "backend-developer");
            assert_eq!(last["question"]["myStarDrafts"].as_array().unwrap().len(), 10);
            // token check, page, count, questions, roles, the question's drafts, revisions
            assert!(count <= 7, "{count} statements for first: {first}:\n{}", sql.join("\n"));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1]);
    }
}

api_test! {
    async fn a_repeated_anonymous_query_is_answered_from_the_cache_until_an_import(app: TestApp) {
        let query = format!("{{ roles(first: 100) {{ totalCount edges {{ node {{ {ROLE_FIELDS} }} }} }} }}");
        let first = app.data(&query, json!({})).await;
        app.reset_statements();
        let again = app.data(&query, json!({})).await;
        assert_eq!(again, first);
        let (count, sql) = app.statements();
        assert_eq!(count, 0, "a hit runs no SQL:\n{}", sql.join("\n"));

        // An import commits new content and a new version together: once the
        // server has heard of it, never a stale answer.
        import_generated_roles(&app.db, 1).await;
        app.content_caught_up().await;
        let after = app.data(&query, json!({})).await;
        assert_eq!(after["roles"]["totalCount"], 2);

        // A signed-in reader of public content shares the answer: only the
        // token check is read.
        let token = app.new_user().await;
        let signed_in = app.data_as(&token, &query, json!({})).await;
        assert_eq!(signed_in, after);
        app.reset_statements();
        app.data_as(&token, &query, json!({})).await;
        let (count, sql) = app.statements();
        assert_eq!(count, 1, "the token check:\n{}", sql.join("\n"));
    }
}

api_test! {
    async fn my_interviews_plan_statements_do_not_grow_with_the_number_of_interviews(app: TestApp) {
        let token = app.new_user().await;
        for day in 1..=20 {
            crate::interviews::schedule(&app, &token, &format!("2027-07-{day:02}T09:00:00Z"), "Europe/London").await;
        }
        let query = "query($first: Int) { myInterviews(first: $first) { totalCount edges { node {
            id localDate role { slug timeline { daysBefore } }
            plan { id dueOn overdue interview { id } }
        } } } }";
        let mut counts = Vec::new();
        for first in [1, 20] {
            app.reset_statements();
            let data = app.data_as(&token, query, json!({ "first": first })).await;
            let (count, sql) = app.statements();
            let edges = data["myInterviews"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), first);
            let last = &edges[first - 1]["node"];
            assert_eq!(last["plan"].as_array().unwrap().len(), 9);
            assert_eq!(last["role"]["slug"], "backend-developer");
            assert_eq!(last["role"]["timeline"].as_array().unwrap().len(), 3);
            // token check, page, count, plans, roles, the roles' timelines
            assert!(count <= 6, "{count} statements for first: {first}:\n{}", sql.join("\n"));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "1 vs 20 interviews");
    }
}

api_test! {
    // 20 roles' coverage with every story's nested lists costs far more than a
    // client may ask (stories count as 500 each); statements are under test here.
    settings = prep_graphql::config::Settings {
        http: prep_graphql::config::HttpConfig { max_complexity: usize::MAX, ..Default::default() },
        ..Default::default()
    };
    async fn coverage_statements_do_not_grow_with_the_number_of_roles(app: TestApp) {
        import_generated_roles(&app.db, 40).await;
        let token = app.new_user().await;
        // Stories on the first page of 1 (Backend Developer) and on generated
        // roles: tagged with themes of several roles, linked across roles.
        let roles = app
            .data("{ roles(first: 20) { edges { node { questions { id } } } } }", json!({}))
            .await;
        let question = |role: usize, index: usize| {
            roles["roles"]["edges"][role]["node"]["questions"][index]["id"].as_str().unwrap().to_owned()
        };
        for i in 0..6 {
            let id = crate::drafts::create_draft(&app, &token, json!({
                "title": format!("story {i}"),
                "competencies": ["leadership", "competency-shared", if i % 2 == 0 { "competency-even" } else { "competency-odd" }],
                "questionIds": [question(0, i % 5), question(1 + i, 0), question(19 - i, 1)],
            }))
            .await;
            if i % 2 == 0 {
                app.data_as(
                    &token,
                    "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, status: READY }) { version } }",
                    json!({ "id": id }),
                )
                .await;
            }
        }
        let story = "id status competencies { slug } questions { id role { slug } } feedback { suggestions { code } }";
        let query = format!(
            "query($first: Int) {{ roles(first: $first) {{ edges {{ node {{
                slug competencies {{ slug }}
                questions {{ competencies {{ slug }} myStarDrafts {{ id }} }}
                myCoverage {{
                    readyStories gaps {{ slug }}
                    competencies {{ competency {{ slug }} covered stories {{ {story} }} }}
                    questions {{ question {{ id }} covered stories {{ {story} }} }}
                }}
            }} }} }} }}"
        );
        let mut counts = Vec::new();
        for first in [1, 20] {
            app.reset_statements();
            let data = app.data_as(&token, &query, json!({ "first": first })).await;
            let (count, sql) = app.statements();
            let edges = data["roles"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), first);
            // Every level really was loaded for the last role of the page.
            let coverage = &edges[first - 1]["node"]["myCoverage"];
            let stories = coverage["competencies"][0]["stories"].as_array().unwrap();
            assert!(!stories.is_empty(), "{coverage:#}");
            assert_eq!(stories[0]["questions"].as_array().unwrap().len(), 3);
            assert!(!coverage["questions"].as_array().unwrap().iter().all(|q| q["stories"] == json!([])));
            assert!(coverage["readyStories"].as_i64().unwrap() > 0);
            // token check, page, role competencies, questions, question
            // competencies, drafts by competency, drafts by question, then per
            // set of stories (two sets): their competencies, their questions,
            // and those questions' roles.
            assert!(count <= 13, "{count} statements for first: {first}:\n{}", sql.join("\n"));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "1 vs 20 roles");
    }
}

/// With a SQLite row buffer of one row, every statement's rows cross from the
/// connection's thread one at a time: the answer must still be whole and the
/// same as with the default buffer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_row_buffer_of_one_row_gives_the_same_answer() {
    use crate::helpers::{Backend, TestApp};
    // `updatedAt` is the import's time, which differs between the two databases.
    let fields = ROLE_FIELDS.replace("updatedAt", "");
    let query = format!(
        "query($first: Int) {{ roles(first: $first) {{ edges {{ node {{ {fields} }} }} }} }}"
    );
    let mut answers = Vec::new();
    for row_buffer in [1, prep_graphql::config::DEFAULT_SQLITE_ROW_BUFFER] {
        let app = TestApp::spawn_with_row_buffer(Backend::Sqlite, row_buffer).await;
        import_generated_roles(&app.db, 30).await;
        let data = app.data(&query, json!({ "first": 30 })).await;
        let edges = data["roles"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 30);
        // The fan-out is one statement of many rows (more than sqlx's own
        // default buffer of 50).
        let fan_out: usize = edges
            .iter()
            .flat_map(|e| e["node"]["keySkills"].as_array().unwrap())
            .map(|s| s["roles"].as_array().unwrap().len())
            .sum();
        assert!(fan_out > 100, "{fan_out}");
        answers.push(data);
    }
    assert_eq!(answers[0], answers[1]);
}
