//! The content version the response cache keys on, known in memory so that a
//! cache hit runs no SQL.
//!
//! Every import bumps `content_version` in its transaction. An instance may
//! use the version it holds in memory only while it is sure no import has
//! committed since without it hearing; otherwise it reads the version per
//! request, as every hit did before (one statement), which is always right.
//! How it can be sure depends on the database:
//!
//! - PostgreSQL: the import stages a [`Notice::ContentChanged`] in its
//!   transaction (`pg_notify`, delivered at commit to every instance's
//!   listener). The version is trusted while the listener that was up when it
//!   was last read is still up ([`Listening::Up`] of the same generation):
//!   whatever committed after that read is announced to it. When the listener
//!   goes down, notices are lost, so requests read the version until it is
//!   back up and a read made after that confirms it again. A follower that
//!   falls behind the bus (lagged) may have missed a notice and forgets the
//!   confirmation too. A connection can also die without a reset, unnoticed
//!   until TCP gives up; so the version is trusted only while the listener
//!   has heard something lately (every instance sends a heartbeat notice,
//!   `--event-heartbeat-secs`): notices arrive in commit order, so hearing
//!   one proves every import committed before it was heard.
//! - SQLite file (WAL mode, as `db::connect` opens it): `prep-graphql import`
//!   may run as another process on the same file, which no in-process bus
//!   hears, and `PRAGMA data_version` answers per connection, which a pool
//!   cannot use. Instead the witness is the WAL index header at the start of
//!   the `-shm` file: SQLite rewrites it on every commit (a change counter,
//!   the last valid frame, the WAL salts), from whichever process, before any
//!   reader can see the commit. A version read after the header was read is
//!   current for as long as the header stays the same, so a hit reads 96
//!   bytes of that file (no SQL) and compares. Anything unexpected (no
//!   `-shm` file, the two header copies differing mid-write, an unknown
//!   format) falls back to reading the version. The header format is
//!   SQLite's documented WAL-index format (<https://sqlite.org/walformat.html>),
//!   unchanged since WAL appeared in 3.7.0. Rejected: the file's mtime and size
//!   (timestamps are coarse, so a commit in the same tick as the last one
//!   can leave both unchanged) and a dedicated connection for `PRAGMA
//!   data_version` (still a statement per hit, serialised on one connection).
//! - SQLite in memory: no other process can reach it, but in-process writers
//!   need not go through a bus either; the version is read per request.
//!
//! Across instances the bus is asynchronous: an instance keeps answering from
//! the previous version until the notice reaches it (milliseconds after the
//! import commits), never from before a version it has already seen.

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use entity::content_version;
use sea_orm::{DatabaseConnection, DbBackend, DbErr, EntityTrait};
use tokio::sync::{broadcast, watch};

use crate::records::{BusMessage, EventBus, Listening};

/// The WAL index header: two copies of 48 bytes at the start of the `-shm` file.
const WAL_INDEX_HEADER: usize = 48;
/// `iVersion` of the WAL index header SQLite writes (3007000, stored in native byte order).
const WAL_INDEX_VERSION: u32 = 3_007_000;

/// The content version of one server instance.
pub struct ContentVersion {
    source: Source,
    known: Mutex<Known>,
    /// The version last learnt (read or announced), for those who await one.
    seen: watch::Sender<i64>,
}

enum Source {
    /// PostgreSQL: trusted while the listener of a generation is up and has heard lately.
    Notified(watch::Receiver<Listening>, EventBus),
    /// A SQLite file: trusted while its WAL index header is unchanged.
    WalIndex(PathBuf),
    /// Read per request.
    Read,
}

#[derive(Default)]
struct Known {
    version: i64,
    /// The listener generation the version was confirmed under (0: none).
    generation: u64,
    /// Bumped when notices may have been lost (the follower lagged).
    losses: u64,
    /// The WAL index header the version was read after.
    header: Option<[u8; WAL_INDEX_HEADER]>,
}

impl ContentVersion {
    /// The content version of the instance whose requests use `db` and whose
    /// bus is `events`; on PostgreSQL, starts following the bus's notices.
    pub fn start(db: &DatabaseConnection, events: &EventBus) -> Arc<Self> {
        let source = match db.get_database_backend() {
            DbBackend::Postgres => Source::Notified(events.listening(), events.clone()),
            DbBackend::Sqlite => {
                let file = db
                    .get_sqlite_connection_pool()
                    .connect_options()
                    .get_filename()
                    .to_path_buf();
                // An in-memory database has a made-up name that is no file.
                if file.is_file() {
                    let mut shm = file.into_os_string();
                    shm.push("-shm");
                    Source::WalIndex(shm.into())
                } else {
                    Source::Read
                }
            }
            _ => Source::Read,
        };
        let this = Arc::new(Self {
            source,
            known: Mutex::default(),
            seen: watch::channel(0).0,
        });
        if matches!(this.source, Source::Notified(..)) {
            // Holds only a weak reference: the follower ends with the server.
            tokio::spawn(follow(Arc::downgrade(&this), events.follow()));
        }
        this
    }

    /// The current content version: from memory when that is known to be
    /// current, else read with one statement on `db`.
    pub async fn current(&self, db: &DatabaseConnection) -> Result<i64, DbErr> {
        match &self.source {
            Source::Notified(listening, events) => {
                let Listening::Up { generation, .. } = *listening.borrow() else {
                    return read(db).await;
                };
                if !events.heard_lately() {
                    // Up as far as it knows, but silent too long: maybe dead.
                    return read(db).await;
                }
                let (known, losses) = {
                    let k = self.lock();
                    ((k.generation == generation).then_some(k.version), k.losses)
                };
                if let Some(version) = known {
                    return Ok(version);
                }
                // The listener of `generation` was up before this read: it
                // hears every import the read does not see.
                let version = read(db).await?;
                let mut k = self.lock();
                let still_up = matches!(*listening.borrow(),
                    Listening::Up { generation: g, .. } if g == generation);
                if still_up && k.losses == losses {
                    k.generation = generation;
                }
                Ok(self.learn(&mut k, version))
            }
            Source::WalIndex(shm) => {
                let header = wal_index_header(shm);
                if let Some(header) = header {
                    let k = self.lock();
                    if k.header == Some(header) {
                        return Ok(k.version);
                    }
                }
                // Read after the header: no commit since it is missing from `version`.
                let version = read(db).await?;
                let mut k = self.lock();
                k.header = header;
                k.version = version;
                self.seen.send_replace(version);
                Ok(version)
            }
            Source::Read => read(db).await,
        }
    }

    /// The version a request would use without reading it, if any.
    pub fn vouched(&self) -> Option<i64> {
        match &self.source {
            Source::Notified(listening, events) => {
                let Listening::Up { generation, .. } = *listening.borrow() else {
                    return None;
                };
                if !events.heard_lately() {
                    return None;
                }
                let k = self.lock();
                (k.generation == generation).then_some(k.version)
            }
            Source::WalIndex(shm) => {
                let header = wal_index_header(shm)?;
                let k = self.lock();
                (k.header == Some(header)).then_some(k.version)
            }
            Source::Read => None,
        }
    }

    /// The version last learnt (read or announced), changing as it does.
    pub fn seen(&self) -> watch::Receiver<i64> {
        self.seen.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        // The data stays consistent even if a holder panicked: each update is one assignment.
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes in `version` (versions only grow); the version now known.
    fn learn(&self, known: &mut Known, version: i64) -> i64 {
        if version > known.version {
            known.version = version;
            self.seen.send_replace(version);
        }
        known.version
    }
}

/// Applies announced versions; forgets the confirmation when notices may have been missed.
async fn follow(this: std::sync::Weak<ContentVersion>, mut bus: broadcast::Receiver<BusMessage>) {
    loop {
        let message = bus.recv().await;
        let Some(this) = this.upgrade() else { return };
        match message {
            Ok(BusMessage::ContentChanged(version)) => {
                this.learn(&mut this.lock(), version);
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {
                let mut k = this.lock();
                k.generation = 0;
                k.losses += 1;
            }
            Err(broadcast::error::RecvError::Closed) => return,
            // A reconnection shows as a new listener generation already.
            Ok(_) => {}
        }
    }
}

/// Reads the version (one single-row statement).
async fn read(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = content_version::Entity::find_by_id(content_version::ROW_ID)
        .one(db)
        .await?;
    Ok(row.map_or(0, |r| r.version))
}

/// The WAL index header of the database whose `-shm` file is `shm`, if it
/// can be read whole and is not being written (both copies the same).
fn wal_index_header(shm: &std::path::Path) -> Option<[u8; WAL_INDEX_HEADER]> {
    // Opened by path each time: a file held open would go on showing a
    // deleted `-shm` after SQLite made a new one.
    let mut bytes = [0u8; 2 * WAL_INDEX_HEADER];
    std::fs::File::open(shm).ok()?.read_exact(&mut bytes).ok()?;
    let (first, second) = bytes.split_at(WAL_INDEX_HEADER);
    let version = u32::from_ne_bytes(first[..4].try_into().ok()?);
    // `isInit` (byte 12) is set once the header is valid.
    (first == second && version == WAL_INDEX_VERSION && first[12] == 1)
        .then(|| first.try_into().ok())
        .flatten()
}
