//! One live follower for every record: "this record" and "all of mine".
//!
//! A follower reads this instance's event broadcast (see [`super::bus`]) and
//! keeps only the viewer's records of one table. Per record it never goes
//! back: a change whose version is not newer than the last one sent is
//! dropped, and a follower that lags behind (or hears that notices were lost)
//! reloads the latest state instead of replaying what it missed.
//!
//! A follower subscribes to the bus before it reads anything, so no change
//! falls between a client's read and its subscription.
//!
//! "This record" may be followed by a grantee (see [`super::shared`]): a
//! [`Watch`] keeps their access under watch, and the subscription completes
//! as soon as the share is revoked (a `GrantsChanged` notice, on every
//! instance) or expires (a timer), without sending anything more.
//!
//! Catching up ("all of mine" since a time) is paged: [`CATCH_UP_PAGE`] rows
//! at a time, the next page read only once the previous one has been taken
//! by the socket, so a client that does not read holds one page, not every
//! matching row.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast::{self, error::RecvError};

use super::bus::{BusMessage, EventBus};
use super::change::{Change, ChangeKind, RecordNotice};
use super::scope::owned_by;
use super::shared::{Reader, find_readable_by, get_readable, reader_of};
use super::{Live, Owned};
use crate::error::AppResult;
use crate::viewer::Viewer;

/// A reader's access to one record, kept under watch while they follow it.
pub struct Watch<R: Owned> {
    db: DatabaseConnection,
    viewer_id: i32,
    /// The record's owner: whose `GrantsChanged` notices concern it.
    owner_id: i32,
    id: i32,
    reader: Reader,
    _table: std::marker::PhantomData<fn() -> R>,
}

/// What a follower waits for: the next broadcast, or the time its access
/// must be looked at again.
pub enum Wake {
    Message(Result<BusMessage, RecvError>),
    Recheck,
}

impl<R: Owned> Watch<R> {
    /// Reads record `id` for `viewer` (NOT_FOUND when they may not) and
    /// starts watching their access to it.
    pub async fn start(
        db: DatabaseConnection,
        viewer: &Viewer,
        id: i32,
    ) -> AppResult<(R::Model, Self)> {
        let row = get_readable::<R>(&db, viewer, id).await?;
        let reader = reader_of::<R>(&db, viewer.user_id, &row)
            .await?
            .ok_or_else(super::scope::not_found::<R>)?;
        let watch = Self {
            db,
            viewer_id: viewer.user_id,
            owner_id: R::owner_of(&row),
            id,
            reader,
            _table: std::marker::PhantomData,
        };
        Ok((row, watch))
    }

    /// How the viewer reaches the record (as of the last check).
    pub fn reader(&self) -> Reader {
        self.reader
    }

    /// The record's owner.
    pub fn owner_id(&self) -> i32 {
        self.owner_id
    }

    /// Whether `message` may have changed the viewer's access.
    pub fn concerns(&self, message: &BusMessage) -> bool {
        self.reader != Reader::Owner
            && matches!(message, BusMessage::GrantsChanged(owner) if *owner == self.owner_id)
    }

    /// The next broadcast from `rx`, or [`Wake::Recheck`] when a grant of the
    /// viewer expires first.
    pub async fn wait(&self, rx: &mut broadcast::Receiver<BusMessage>) -> Wake {
        match self.reader.recheck_at() {
            None => Wake::Message(rx.recv().await),
            Some(at) => {
                let left = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::select! {
                    message = rx.recv() => Wake::Message(message),
                    () = tokio::time::sleep(left) => Wake::Recheck,
                }
            }
        }
    }

    /// Looks at the viewer's access again: `false` once they may no longer
    /// read the record (revoked, expired, or the record is gone).
    pub async fn still_readable(&mut self) -> AppResult<bool> {
        if self.reader == Reader::Owner {
            return Ok(true);
        }
        let Some(row) = find_readable_by::<R>(&self.db, self.viewer_id, self.id).await? else {
            return Ok(false);
        };
        match reader_of::<R>(&self.db, self.viewer_id, &row).await? {
            Some(reader) => {
                self.reader = reader;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Rows one catch-up read loads at most (`since:` on "all of mine").
pub const CATCH_UP_PAGE: u64 = 16;

/// What one subscription has sent, per record of `R`.
pub struct Follower<R: Live> {
    /// Whose records: the viewer's ("all of mine"), or the followed record's owner.
    owner_id: i32,
    /// The reader's access to the one record followed; `None` for "all of mine".
    watch: Option<Watch<R>>,
    db: DatabaseConnection,
    rx: broadcast::Receiver<BusMessage>,
    /// Only this record ("this record"); `None` for "all of mine".
    only: Option<i32>,
    /// Last version sent per record.
    sent: HashMap<i32, i32>,
    /// Changes at or after this time may be unseen after a resync.
    since: DateTime<Utc>,
    /// Changes ready to send.
    queue: VecDeque<Change<R::Model>>,
    /// While catching up: the `(updated_at, id)` after which the next page starts.
    catch_up: Option<(DateTime<Utc>, i32)>,
    /// The client's `since` on "all of mine": it already has every change
    /// from before, so a notice of one still on its way (NOTIFY can deliver
    /// after the subscribe) is not sent as news.
    known_before: Option<DateTime<Utc>>,
    done: bool,
}

impl<R: Live> Follower<R>
where
    R::Model: Clone,
{
    /// Follows record `id`, which the viewer owns or reads through a grant
    /// (NOT_FOUND when neither), until it is deleted or the viewer's access
    /// ends. With `known_version` (the version the client has loaded), a
    /// record already past it is sent at once as UPDATED.
    pub async fn one(
        events: &EventBus,
        db: DatabaseConnection,
        viewer: &Viewer,
        id: i32,
        known_version: Option<i32>,
    ) -> AppResult<Self> {
        // Read, subscribe, read again: a change committed between the first
        // read and the subscription is seen by the second read, one committed
        // after the subscription arrives on the bus, and notices older than
        // the first read (still on their way) are not sent as news.
        let before = R::version_of(&get_readable::<R>(&db, viewer, id).await?);
        let rx = events.subscribe();
        let (row, watch) = Watch::<R>::start(db.clone(), viewer, id).await?;
        let version = R::version_of(&row);
        let mut follower = Self::new(viewer, db, rx, Some(id), Utc::now());
        follower.owner_id = watch.owner_id();
        follower.watch = Some(watch);
        follower.sent.insert(id, version);
        let known = known_version.map_or(before, |known| known.min(before));
        if version > known {
            follower.queue.push_back(Self::updated(row));
        }
        Ok(follower)
    }

    /// Follows every record of the viewer. With `since` (e.g. the newest
    /// `updatedAt` the client has loaded), the records changed at or after it
    /// are sent first as UPDATED; deletions from before are not replayed.
    pub async fn all(
        events: &EventBus,
        db: DatabaseConnection,
        viewer: &Viewer,
        since: Option<DateTime<Utc>>,
    ) -> AppResult<Self> {
        let rx = events.subscribe();
        let mut follower = Self::new(viewer, db, rx, None, since.unwrap_or_else(Utc::now));
        follower.known_before = since;
        if since.is_some() {
            follower.resync().await?;
        }
        Ok(follower)
    }

    fn new(
        viewer: &Viewer,
        db: DatabaseConnection,
        rx: broadcast::Receiver<BusMessage>,
        only: Option<i32>,
        since: DateTime<Utc>,
    ) -> Self {
        Self {
            owner_id: viewer.user_id,
            watch: None,
            db,
            rx,
            only,
            sent: HashMap::new(),
            since,
            queue: VecDeque::new(),
            catch_up: None,
            known_before: None,
            done: false,
        }
    }

    fn updated(row: R::Model) -> Change<R::Model> {
        Change::updated(R::id_of(&row), R::owner_of(&row), R::version_of(&row), row)
    }

    /// Whether the change `notice` tells is news for this subscription.
    fn wants(&mut self, notice: &RecordNotice) -> bool {
        if notice.topic != R::TOPIC
            || notice.owner_id != self.owner_id
            || self.only.is_some_and(|id| id != notice.id)
        {
            return false;
        }
        let last = self.sent.get(&notice.id).copied().unwrap_or(0);
        if notice.kind != ChangeKind::Deleted && notice.version <= last {
            return false;
        }
        self.sent.insert(notice.id, notice.version);
        true
    }

    /// Whether the client said (by `since`) it has loaded this change already.
    fn known_to_client(&self, change: &Change<R::Model>) -> bool {
        match (self.known_before, &change.row) {
            (Some(since), Some(row)) => R::updated_at_of(row) < since,
            _ => false,
        }
    }

    /// Reloads the latest state after lost or skipped changes: the one
    /// record, or the first page of every record changed since `since`.
    async fn resync(&mut self) -> AppResult<()> {
        if self.access_ended().await? {
            return Ok(());
        }
        if self.only.is_none() {
            self.catch_up = Some((self.since, i32::MIN));
            return self.next_page().await;
        }
        let mut query = owned_by::<R>(self.owner_id);
        if let Some(id) = self.only {
            query = query.filter(R::id_column().eq(id));
        }
        let rows = query.all(&self.db).await?;
        if let Some(id) = self.only
            && rows.is_empty()
        {
            self.queue.push_back(Change {
                kind: ChangeKind::Deleted,
                id,
                owner_id: self.owner_id,
                version: self.sent.get(&id).copied().unwrap_or(0),
                row: None,
            });
            self.done = true;
            return Ok(());
        }
        self.enqueue(rows);
        Ok(())
    }

    /// Queues the next page of the catch-up, in `(updated_at, id)` order.
    async fn next_page(&mut self) -> AppResult<()> {
        let Some((at, id)) = self.catch_up else {
            return Ok(());
        };
        let after = sea_orm::Condition::any()
            .add(R::updated_at_column().gt(at))
            .add(
                sea_orm::Condition::all()
                    .add(R::updated_at_column().eq(at))
                    .add(R::id_column().gt(id)),
            );
        let rows = owned_by::<R>(self.owner_id)
            .filter(after)
            .order_by_asc(R::updated_at_column())
            .order_by_asc(R::id_column())
            .limit(CATCH_UP_PAGE)
            .all(&self.db)
            .await?;
        self.catch_up = match rows.last() {
            Some(last) if rows.len() as u64 == CATCH_UP_PAGE => {
                Some((R::updated_at_of(last), R::id_of(last)))
            }
            _ => None,
        };
        self.enqueue(rows);
        Ok(())
    }

    fn enqueue(&mut self, rows: Vec<R::Model>) {
        for row in rows {
            let last = self.sent.get(&R::id_of(&row)).copied().unwrap_or(0);
            if R::version_of(&row) > last {
                self.sent.insert(R::id_of(&row), R::version_of(&row));
                self.queue.push_back(Self::updated(row));
            }
        }
    }

    /// The next change, or `None` when the subscription is over.
    async fn next(&mut self) -> Option<Change<R::Model>> {
        loop {
            if let Some(change) = self.queue.pop_front() {
                return Some(change);
            }
            if self.done {
                return None;
            }
            // The previous page has been taken: read the next one.
            if self.catch_up.is_some() {
                if let Err(e) = self.next_page().await {
                    tracing::warn!(error = ?e, topic = R::TOPIC, "catching up a subscription failed");
                    self.catch_up = None;
                }
                continue;
            }
            let wake = match &self.watch {
                Some(watch) => watch.wait(&mut self.rx).await,
                None => Wake::Message(self.rx.recv().await),
            };
            let (message, recheck) = match wake {
                Wake::Message(message) => {
                    let concerns = message.as_ref().is_ok_and(|message| {
                        self.watch.as_ref().is_some_and(|w| w.concerns(message))
                    });
                    (Some(message), concerns)
                }
                Wake::Recheck => (None, true),
            };
            if recheck {
                match self.access_ended().await {
                    Ok(false) => {}
                    Ok(true) => return None,
                    Err(e) => {
                        tracing::warn!(error = ?e, topic = R::TOPIC, "access check of a subscription failed");
                        return None;
                    }
                }
            }
            let Some(message) = message else { continue };
            match message {
                Ok(BusMessage::Record(change)) => {
                    if self.wants(&change.notice)
                        && let Some(change) = change.of::<R>()
                        && !self.known_to_client(&change)
                    {
                        self.since = Utc::now();
                        // A deletion ends the subscription that follows only that record.
                        self.done = self.only.is_some() && change.kind == ChangeKind::Deleted;
                        return Some(change);
                    }
                }
                Ok(
                    BusMessage::SessionEnded(_)
                    | BusMessage::ContentChanged(_)
                    | BusMessage::GrantsChanged(_),
                ) => {}
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    if let Err(e) = self.resync().await {
                        tracing::warn!(error = ?e, topic = R::TOPIC, "resync of a subscription failed");
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Whether a grantee's access to the record followed has ended; the
    /// subscription is then over, with nothing more sent.
    async fn access_ended(&mut self) -> AppResult<bool> {
        let Some(watch) = &mut self.watch else {
            return Ok(false);
        };
        if watch.still_readable().await? {
            return Ok(false);
        }
        // A deleted record is reported as deleted (its notice follows, or the
        // resync finds it gone); a grantee whose access ended while the
        // record lives learns nothing more about it.
        let exists = R::find()
            .filter(R::id_column().eq(watch.id))
            .one(&self.db)
            .await?
            .is_some();
        if !exists {
            return Ok(false);
        }
        self.queue.clear();
        self.done = true;
        Ok(true)
    }

    /// The changes as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Change<R::Model>> {
        stream::unfold(self, |mut follower| async move {
            follower.next().await.map(|change| (change, follower))
        })
    }
}
