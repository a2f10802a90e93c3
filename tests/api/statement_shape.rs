//! The shape of the batched reads: on PostgreSQL a batch binds its ids as one
//! array, so a statement's text does not depend on how many ids it carries
//! (one prepared statement and one cached plan per connection; with an
//! `IN ($1, .., $n)` list PostgreSQL re-planned every execution). SQLite has
//! no arrays and keeps `IN (?, ..)`.

use std::collections::BTreeSet;

use sea_orm::DbBackend;
use serde_json::json;

use crate::fixtures::{ROLE_FIELDS, import_generated_roles};
use crate::helpers::api_test;

api_test! {
    async fn batched_reads_keep_one_statement_text_whatever_the_number_of_ids(app: TestApp) {
        import_generated_roles(&app.db, 30).await;
        app.know_content_version().await;
        let query = format!(
            "query($first: Int) {{ roles(first: $first) {{ edges {{ node {{ {ROLE_FIELDS} }} }} }} }}"
        );
        let mut texts = Vec::new();
        for first in [1, 20] {
            app.reset_statements();
            let data = app.data(&query, json!({ "first": first })).await;
            assert_eq!(data["roles"]["edges"].as_array().unwrap().len(), first);
            let (_, sql) = app.statements();
            texts.push(sql.into_iter().collect::<BTreeSet<_>>());
        }
        let batched = |set: &BTreeSet<String>, marker: &str| set.iter().filter(|s| s.contains(marker)).count();
        match app.db.get_database_backend() {
            DbBackend::Postgres => {
                assert_eq!(texts[0], texts[1], "statement texts differ between 1 and 20 roles");
                assert!(batched(&texts[1], "= ANY($1)") >= 10, "{:#?}", texts[1]);
                assert_eq!(batched(&texts[1], " IN ("), 0, "{:#?}", texts[1]);
            }
            _ => {
                assert!(batched(&texts[1], " IN (") >= 10, "{:#?}", texts[1]);
                assert_eq!(batched(&texts[1], "ANY("), 0, "{:#?}", texts[1]);
            }
        }
    }
}

api_test! {
    async fn a_page_loads_children_for_its_own_rows_only(app: TestApp) {
        import_generated_roles(&app.db, 5).await;
        // A page of 2 fetches 3 roles to know there is a next page; the third
        // is not shown, so no child read may carry its id.
        app.reset_statements();
        let data = app.data("{ roles(first: 2) { edges { node { questions { id } } } pageInfo { hasNextPage } } }", json!({})).await;
        assert_eq!(data["roles"]["pageInfo"]["hasNextPage"], true);
        let (_, sql) = app.statements();
        let questions = sql.iter().find(|s| s.contains("FROM \"questions\"")).expect("a questions read");
        match app.db.get_database_backend() {
            // The ids travel as one array: the statement alone cannot tell.
            DbBackend::Postgres => assert!(questions.contains("= ANY($1)"), "{questions}"),
            _ => assert_eq!(questions.matches('?').count(), 2, "{questions}"),
        }
    }
}
