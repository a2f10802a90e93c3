//! Every migration has a working `down()`: all the way down and up again.

use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::api_test;

api_test! {
    async fn migrations_go_down_and_up_again(app: TestApp) {
        let applied = Migrator::get_applied_migrations(&app.db).await.unwrap().len();
        assert_eq!(applied, Migrator::migrations().len());

        Migrator::down(&app.db, None).await.unwrap();
        assert!(Migrator::get_applied_migrations(&app.db).await.unwrap().is_empty());
        assert!(
            entity::role::Entity::find().count(&app.db).await.is_err(),
            "the roles table is gone"
        );

        prep_graphql::app::prepare(&app.db).await.unwrap();
        assert_eq!(entity::role::Entity::find().count(&app.db).await.unwrap(), 1);
    }
}

api_test! {
    async fn the_story_bank_migration_goes_down_and_up_keeping_each_drafts_question(app: TestApp) {
        use serde_json::json;
        let token = app.new_user().await;
        let question = crate::drafts::question_id(&app, 1).await;
        let id = crate::drafts::create_draft(&app, &token, json!({
            "questionIds": [question], "competencies": ["failure"], "situation": "v1",
        }))
        .await;
        app.data_as(
            &token,
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, situation: \"v2\" }) { version } }",
            json!({ "id": id }),
        )
        .await;

        // Down to just before the story bank: its tables and revision columns go.
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let at = names
            .iter()
            .position(|n| n == "m20261201_000002_create_story_bank")
            .expect("the story bank migration is registered");
        Migrator::down(&app.db, Some((names.len() - at) as u32)).await.unwrap();
        assert!(entity::competency::Entity::find().count(&app.db).await.is_err(), "competencies is gone");
        assert_eq!(entity::star_draft::Entity::find().count(&app.db).await.unwrap(), 1, "drafts stay");

        // Up again: the draft's question is its first link and every revision records it.
        prep_graphql::app::prepare(&app.db).await.unwrap();
        let draft = app
            .data_as(
                &token,
                "query($id: ID!) { starDraft(id: $id) { question { id } questions { id } competencies { slug } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(draft["starDraft"]["questions"], json!([{ "id": question }]));
        assert_eq!(draft["starDraft"]["question"], json!({ "id": question }));
        // Tags were not in the older schema: the draft comes back untagged.
        assert_eq!(draft["starDraft"]["competencies"], json!([]));
        let restored = app
            .data_as(
                &token,
                "mutation($id: ID!) { restoreStarDraftRevision(id: $id, version: 1) { version situation questions { id } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            restored["restoreStarDraftRevision"],
            json!({ "version": 3, "situation": "v1", "questions": [{ "id": question }] })
        );
    }
}
