//! Routes besides POST /graphql: GET queries, the IDEs, health.

use serde_json::{Value, json};

use crate::helpers::api_test;

api_test! {
    async fn get_graphql_runs_a_query(app: TestApp) {
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ role(slug: \"backend-developer\") { title } }")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"], json!({ "role": { "title": "Backend Developer" } }));
    }
}

api_test! {
    async fn ides_health_and_root_are_served(app: TestApp) {
        let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
        let playground = get("/playground").await.unwrap();
        assert_eq!(playground.status(), 200);
        assert!(playground.text().await.unwrap().contains("GraphQL Playground"));

        let graphiql = get("/graphiql").await.unwrap();
        assert_eq!(graphiql.status(), 200);
        assert!(graphiql.text().await.unwrap().to_lowercase().contains("graphiql"));

        let health = get("/healthz").await.unwrap();
        assert_eq!(health.status(), 200);

        // reqwest follows the redirect from / to the IDE.
        let root = get("/").await.unwrap();
        assert_eq!(root.url().path(), "/playground");
    }
}
