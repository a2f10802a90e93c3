//! The integration tests: one binary, a module per feature, each test with its
//! own server and database (see `helpers`). Set TEST_POSTGRES_URL to also run
//! every test on PostgreSQL; set TEST_LOG to see the server's logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod fixtures;
mod hardening;
mod http_cache;

mod account_data;
mod accounts;
mod batching;
mod calendar_feed;
mod compression;
mod connections;
mod content_import;
mod drafts;
mod failure;
mod fair_share;
mod front_door;
mod frontend;
mod input_hygiene;
mod interviews;
mod interviews_live;
mod layout;
mod migrations;
mod pagination;
mod password_reset;
mod practice;
mod practice_live;
mod privacy;
mod response_cache;
mod role_page;
mod schema;
mod selection_order;
mod server;
mod sessions;
mod sharing;
mod smtp;
mod statement_shape;
mod story_bank;
mod subscriptions;
mod viewer_marks;
mod ws_client;
