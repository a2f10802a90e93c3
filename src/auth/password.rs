//! Argon2id password hashing, off the async runtime.

use std::sync::{LazyLock, OnceLock};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// A hash of a random password, verified against when the email is unknown so
/// that a failed login costs the same whether or not the account exists.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&super::random_hex(16)).unwrap_or_default());

/// Bounds how many hashes run at once: each takes 19 MiB and a core, so
/// unbounded concurrent logins would exhaust memory.
static HASHING: OnceLock<Semaphore> = OnceLock::new();

/// Sets how many password hashes may run at once (0: one per core). Takes
/// effect if called before the first hash.
pub fn configure(concurrency: usize) {
    let n = if concurrency == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        concurrency
    };
    let _ = HASHING.set(Semaphore::new(n));
}

async fn permit() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    configure(0);
    HASHING
        .get()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("hashing not configured")))?
        .acquire()
        .await
        .map_err(AppError::internal)
}

/// Hashes `password` (Argon2id, default parameters, random salt) into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    let _permit = permit().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// Whether `password` matches `phc`; with `None`, spends the same effort and says no.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    let _permit = permit().await?;
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(AppError::internal)
}

/// Warms the dummy hash so the first unknown-email login is not cheaper or dearer.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(
            verify("correct horse battery".into(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery".into(), Some(phc))
                .await
                .unwrap()
        );
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
