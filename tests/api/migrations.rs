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
