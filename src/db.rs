//! Opening the database: pool settings per backend, migrations, transactions.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseConfig;

/// Opens a pool on `config.database_url`.
///
/// SQLite files run in WAL mode with a busy timeout, so readers never wait
/// for the writer and concurrent writers queue instead of failing.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    let sqlite_file = config.database_url.starts_with("sqlite:")
        && !config.database_url.contains(":memory:")
        && !config.database_url.contains("mode=memory");
    if sqlite_file {
        switch_to_wal(&config.database_url).await?;
    }
    options
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(config.db_acquire_timeout_secs))
        .sqlx_logging(false);
    if config.database_url.starts_with("sqlite:") {
        // An in-memory database dies with the pool's last connection: pin one.
        options
            .min_connections(1)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
        let in_memory =
            config.database_url.contains(":memory:") || config.database_url.contains("mode=memory");
        let row_buffer = config.sqlite_row_buffer.max(1);
        options.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
            let o = o
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .row_buffer_size(row_buffer);
            if in_memory {
                o
            } else {
                o.journal_mode(SqliteJournalMode::Wal)
            }
        });
    }
    Database::connect(options).await
}

/// Puts a SQLite file in WAL mode through one connection, before the pool opens.
///
/// WAL is a property of the file, but switching to it takes an exclusive lock
/// for which SQLite does not wait: pool connections that all switch a fresh
/// file at once fail with "database is locked". Once the file is in WAL mode,
/// their own `journal_mode = WAL` changes nothing and takes no lock.
async fn switch_to_wal(url: &str) -> Result<(), DbErr> {
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    use std::str::FromStr;
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbErr::Custom(format!("invalid SQLite URL: {e}")))?
        .create_if_missing(true)
        .busy_timeout(Duration::from_secs(10))
        .journal_mode(SqliteJournalMode::Wal);
    let mut attempt = 0;
    loop {
        match options.connect().await {
            Ok(connection) => {
                let _ = connection.close().await;
                return Ok(());
            }
            // Another process may be switching the same file right now.
            Err(e) if attempt < 20 => {
                attempt += 1;
                tracing::debug!(error = %e, "switching SQLite to WAL; retrying");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(DbErr::Custom(format!("opening the SQLite file: {e}"))),
        }
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction that may read and then write.
///
/// On SQLite it takes the write lock at `BEGIN` (IMMEDIATE): a DEFERRED
/// transaction that reads first fails with "database is locked" when another
/// writer got in between, whatever the busy timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: (db.get_database_backend() == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// The current time, truncated to the microsecond precision that PostgreSQL
/// stores, so what we write is what we read back on both backends (and
/// SQLite's text timestamps of one format sort in time order).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
