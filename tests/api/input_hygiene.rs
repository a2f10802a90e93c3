//! Input hygiene: emails and display names, canonical global IDs, and login
//! throttling that an attacker elsewhere cannot turn against an account's owner.
