//! `prep-graphql import`: validation messages, all-or-nothing runs, idempotence.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::fixtures::{BACKEND_TOML, ROLE_FIELDS, generated_role};
use crate::helpers::{TestApp, api_test, temp_dir};

/// Runs the real binary's `import` against the test app's database.
fn run_import(app: &TestApp, paths: &[&Path]) -> (bool, String, String) {
    run_import_with(app, paths, &[])
}

/// `prep-graphql import` with `flags` before the paths; standard error is a pipe.
fn run_import_with(app: &TestApp, paths: &[&Path], flags: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_prep-graphql"))
        .arg("import")
        .args(flags)
        .args(paths)
        .env("DATABASE_URL", &app.database.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run prep-graphql import");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Everything the API shows: the full page of every role.
async fn snapshot(app: &TestApp) -> Value {
    app.content_caught_up().await;
    app.data(
        &format!("{{ roles(first: 100) {{ totalCount edges {{ node {{ {ROLE_FIELDS} }} }} }} skills {{ id slug name }} }}"),
        json!({}),
    )
    .await
}

api_test! {
    async fn every_bad_file_is_rejected_with_its_message_and_nothing_written(app: TestApp) {
        let before = snapshot(&app).await;
        let dir = temp_dir("content");
        // Each case edits the bundled (valid) file once; with a new slug, a
        // successful import would add a role.
        let base = BACKEND_TOML.replacen(
            "slug = \"backend-developer\"",
            "slug = \"candidate-role\"",
            1,
        );
        let cases: Vec<(&str, String, &str)> = vec![
            ("currency", base.replacen("currency = \"USD\"", "currency = \"GBX\"", 1),
             "salary[1].currency: \"GBX\" is not an ISO 4217 currency code"),
            ("country", base.replacen("country = \"GB\"", "country = \"UK\"", 1),
             "salary[0].country: \"UK\" is not an ISO 3166-1 alpha-2 country code"),
            ("median", base.replacen("median = 62000", "median = 120000", 1),
             "salary[0].median: low <= median <= high does not hold"),
            ("level", base.replacen("senior = 85000", "senior = 185000", 1),
             "salary[0].levels.senior: 185000 is outside the range 35000..100000"),
            ("days", base.replacen("days_before = 7", "days_before = -3", 1),
             "timeline[1].days_before: -3 is not between 0 and 3650"),
            ("url", base.replacen("https://prep.example/salary-guides/backend-developer", "not a url", 1),
             "resources[0].url: \"not a url\" is not a URL"),
            ("required", base.replacen("title = \"Backend Developer\"", "title = \"  \"", 1),
             "title: is required"),
            ("length", base.replacen("title = \"Backend Developer\"", &format!("title = \"{}\"", "x".repeat(301)), 1),
             "title: is 301 characters long; the limit is 300"),
            ("duplicate-skill", base.replacen("slug = \"system-design\"", "slug = \"cloud-services\"", 1),
             "skills[4].slug: \"cloud-services\" is listed twice"),
            ("category", base.replacen("category = \"behavioural\"", "category = \"trivia\"", 1),
             "questions[0].category: \"trivia\" is not one of"),
            ("slug", base.replacen("slug = \"candidate-role\"", "slug = \"Candidate Role\"", 1),
             "slug: \"Candidate Role\" is not a slug"),
            ("date", base.replacen("as_of = \"2026-11-28\"", "as_of = \"28/11/2026\"", 1),
             "salary[0].as_of: \"28/11/2026\" is not a date"),
            ("question-competency", base.replacen("competencies = [\"leadership\", \"achievement\"]", "competencies = [\"leadership\", \"charisma\"]", 1),
             "questions[0].competencies[1]: \"charisma\" is not one of the role's competencies"),
            ("duplicate-competency", base.replacen("slug = \"innovation\"", "slug = \"teamwork\"", 1),
             "competencies[6].slug: \"teamwork\" is listed twice"),
            ("competency-description", base.replacen("description = \"Changing course well when the plan, the priorities or the facts shifted under you.\"", "description = \"\"", 1),
             "competencies[4].description: is required"),
            ("syntax", format!("{base}\n[[broken"), "invalid TOML"),
        ];
        for (name, text, expected) in &cases {
            assert_ne!(text, &base, "case {name} must change the file");
            let path = dir.join(format!("{name}.toml"));
            std::fs::write(&path, text).unwrap();
            let (ok, _, stderr) = run_import(&app, &[&path]);
            // Another process imported: on PostgreSQL the server hears it by NOTIFY.
            app.content_caught_up().await;
            assert!(!ok, "case {name} was accepted");
            let expected = format!("{}: {expected}", path.display());
            assert!(stderr.contains(&expected), "case {name}: want {expected:?} in:\n{stderr}");
        }

        // A valid file beside an invalid one: the run writes nothing at all.
        let good = dir.join("good.toml");
        std::fs::write(&good, generated_role(1)).unwrap();
        let (ok, _, stderr) = run_import(&app, &[&good, &dir.join("currency.toml")]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(!ok, "{stderr}");
        // Two files that give one competency different names.
        let renamed = dir.join("renamed.toml");
        std::fs::write(&renamed, generated_role(2).replacen("name = \"Shared Competency\"", "name = \"Common Competency\"", 1)).unwrap();
        let (ok, _, stderr) = run_import(&app, &[&good, &renamed]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(!ok);
        let expected = format!("{}: competencies[1].name: differs from the competency \"competency-shared\" in {}", renamed.display(), good.display());
        assert!(stderr.contains(&expected), "want {expected:?} in:\n{stderr}");
        // Two files with one slug.
        let twin = dir.join("twin.toml");
        std::fs::write(&twin, generated_role(1)).unwrap();
        let (ok, _, stderr) = run_import(&app, &[&good, &twin]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(!ok);
        assert!(stderr.contains("slug: \"generated-001\" is also the slug of"), "{stderr}");

        assert_eq!(snapshot(&app).await, before, "a rejected import changed the database");
        std::fs::remove_dir_all(dir).ok();
    }
}

api_test! {
    async fn importing_twice_leaves_the_same_database(app: TestApp) {
        let dir = temp_dir("content");
        std::fs::write(dir.join("backend-developer.toml"), BACKEND_TOML).unwrap();
        std::fs::write(dir.join("generated-007.toml"), generated_role(7)).unwrap();

        let (ok, stdout, stderr) = run_import(&app, &[&dir]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(ok, "{stderr}");
        assert_eq!(stdout, "imported 2 file(s): 1 created, 0 updated, 1 unchanged\n", "counts, no names");
        let first = snapshot(&app).await;
        assert_eq!(first["roles"]["totalCount"], 2);

        let (ok, stdout, stderr) = run_import_with(&app, &[&dir], &["--verbose"]);
        assert!(ok, "{stderr}");
        assert_eq!(
            stdout,
            "imported 2 file(s): 0 created, 0 updated, 2 unchanged\nunchanged: backend-developer, generated-007\n"
        );
        assert_eq!(snapshot(&app).await, first);
        std::fs::remove_dir_all(dir).ok();
    }
}

api_test! {
    async fn an_edited_file_updates_the_role_and_keeps_question_ids(app: TestApp) {
        let query = r#"{ role(slug: "backend-developer") { title questions { id prompt } mistakes { title } } }"#;
        let before = app.data(query, json!({})).await;
        let dir = temp_dir("content");
        let edited = BACKEND_TOML
            .replacen("title = \"Backend Developer\"", "title = \"Backend Engineer\"", 1)
            .replacen(
                "prompt = \"Tell us about an API you designed that had to hold up under heavy traffic.\"",
                "prompt = \"Describe an API of yours that had to survive heavy traffic.\"",
                1,
            );
        let path = dir.join("backend-developer.toml");
        std::fs::write(&path, edited).unwrap();
        let (ok, stdout, stderr) = run_import(&app, &[&path]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(ok, "{stderr}");
        assert!(stdout.contains("0 created, 1 updated, 0 unchanged"), "{stdout}");

        let after = app.data(query, json!({})).await;
        assert_eq!(after["role"]["title"], "Backend Engineer");
        assert_eq!(after["role"]["questions"][0]["prompt"], "Describe an API of yours that had to survive heavy traffic.");
        let ids = |v: &Value| -> Vec<Value> {
            v["role"]["questions"].as_array().unwrap().iter().map(|q| q["id"].clone()).collect()
        };
        assert_eq!(ids(&after), ids(&before), "questions keep their IDs");
        assert_eq!(after["role"]["mistakes"], before["role"]["mistakes"]);
        std::fs::remove_dir_all(dir).ok();
    }
}

api_test! {
    async fn importing_again_keeps_drafts_and_their_links(app: TestApp) {
        let token = app.new_user().await;
        let questions = app.data(r#"{ role(slug: "backend-developer") { questions { id } } }"#, json!({})).await;
        let q = |i: usize| questions["role"]["questions"][i]["id"].as_str().unwrap().to_owned();
        let id = crate::drafts::create_draft(&app, &token, json!({
            "competencies": ["teamwork", "leadership"], "questionIds": [q(4), q(0)],
        }))
        .await;
        let links = "query($id: ID!) { starDraft(id: $id) { version competencies { slug name } questions { id } } }";
        let before = app.data_as(&token, links, json!({ "id": id })).await;

        // The same file: nothing changes.
        let dir = temp_dir("content");
        let path = dir.join("backend-developer.toml");
        std::fs::write(&path, BACKEND_TOML).unwrap();
        let (ok, stdout, stderr) = run_import(&app, &[&path]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(ok && stdout.contains("0 created, 0 updated, 1 unchanged"), "{stdout}{stderr}");
        assert_eq!(app.data_as(&token, links, json!({ "id": id })).await, before);

        // An edited file: a theme renamed, a question's tags changed, a question
        // reworded. The draft keeps its tags (under the new name) and questions.
        let edited = BACKEND_TOML
            .replacen("name = \"Teamwork\"", "name = \"Collaboration\"", 1)
            .replacen("competencies = [\"leadership\", \"achievement\"]", "competencies = [\"innovation\"]", 1)
            .replacen("prompt = \"Take us through a slow query", "prompt = \"Walk us through a slow query", 1);
        std::fs::write(&path, edited).unwrap();
        let (ok, stdout, stderr) = run_import(&app, &[&path]);
        // Another process imported: on PostgreSQL the server hears it by NOTIFY.
        app.content_caught_up().await;
        assert!(ok && stdout.contains("0 created, 1 updated, 0 unchanged"), "{stdout}{stderr}");
        let after = app.data_as(&token, links, json!({ "id": id })).await;
        assert_eq!(after["starDraft"]["version"], 1);
        assert_eq!(after["starDraft"]["questions"], before["starDraft"]["questions"]);
        assert_eq!(
            after["starDraft"]["competencies"],
            json!([{ "slug": "teamwork", "name": "Collaboration" }, { "slug": "leadership", "name": "Leadership" }])
        );
        let role = app
            .data(r#"{ role(slug: "backend-developer") { competencies { slug } questions { competencies { slug } } } }"#, json!({}))
            .await;
        assert_eq!(role["role"]["competencies"].as_array().unwrap().len(), 7);
        assert_eq!(role["role"]["questions"][0]["competencies"], json!([{ "slug": "innovation" }]));
        assert_eq!(role["role"]["questions"][1]["competencies"].as_array().unwrap().len(), 3);
        std::fs::remove_dir_all(dir).ok();
    }
}

api_test! {
    async fn a_long_import_shows_a_progress_bar_only_on_a_terminal(app: TestApp) {
        let dir = temp_dir("progress");
        for i in 0..6 {
            std::fs::write(dir.join(format!("generated-{i:03}.toml")), generated_role(i)).unwrap();
        }
        // Piped: no bar, however long the import.
        let (ok, stdout, stderr) = run_import_with(&app, &[&dir], &["--progress-min-roles", "1"]);
        assert!(ok, "{stderr}");
        assert_eq!(stdout, "imported 6 file(s): 6 created, 0 updated, 0 unchanged\n");
        assert!(!stderr.contains("importing"), "no bar on a pipe: {stderr:?}");

        // On a terminal (util-linux `script` gives the command a pseudo-terminal).
        let command = format!(
            "{} import --progress-min-roles 1 {}",
            env!("CARGO_BIN_EXE_prep-graphql"),
            dir.display()
        );
        let output = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run script (util-linux)");
        let terminal = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{terminal}");
        assert!(terminal.contains("/6 roles"), "a bar on a terminal: {terminal:?}");
        assert!(terminal.contains("0 created, 0 updated, 6 unchanged"), "{terminal:?}");

        // Below the threshold, no bar even on a terminal.
        let command = format!("{} import {}", env!("CARGO_BIN_EXE_prep-graphql"), dir.display());
        let output = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run script (util-linux)");
        let terminal = String::from_utf8_lossy(&output.stdout);
        assert!(!terminal.contains("roles,"), "{terminal:?}");
        std::fs::remove_dir_all(dir).ok();
    }
}
