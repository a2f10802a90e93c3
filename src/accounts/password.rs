//! Argon2id password hashing on a fixed pool of threads, off the async runtime.
//!
//! Each hash needs 19 MiB of working memory. Allocated per hash on tokio's
//! blocking threads, that memory stayed with the process: glibc gives every
//! thread its own malloc arena and keeps freed memory there, so 60 concurrent
//! registrations left RSS near 700 MB. Instead, `hash_concurrency` dedicated
//! threads each allocate one Argon2 memory buffer on their first job and reuse
//! it for every later one: hashing memory is at most threads x 19 MiB, for good.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::error::AppError;

/// What a hashing thread is asked to do; the answer goes back on `reply`.
enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, String>>,
    },
    Verify {
        password: String,
        phc: String,
        reply: oneshot::Sender<bool>,
    },
}

/// The hashing threads, fed through one queue.
struct Pool {
    jobs: mpsc::Sender<Job>,
}

static POOL: OnceLock<Pool> = OnceLock::new();

impl Pool {
    fn start(threads: usize) -> Self {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&queue));
            // With no thread at all the queue's receiver is dropped, and every
            // hash fails as an internal error instead of waiting forever.
            if let Err(e) = spawned {
                tracing::error!(error = %e, "starting a password hashing thread");
            }
        }
        Self { jobs }
    }
}

/// Runs jobs until the queue closes, reusing one memory buffer.
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            let Ok(queue) = queue.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(hash_with(&password, &mut memory).map_err(|e| e.to_string()));
            }
            Job::Verify {
                password,
                phc,
                reply,
            } => {
                let _ = reply.send(verify_with(&password, &phc, &mut memory));
            }
        }
    }
}

/// Runs `f` with `blocks` of Argon2 memory: the thread's reused buffer
/// (allocated on first use) for our parameters, a temporary one for a stored
/// hash made with more memory, so that the kept buffer never outgrows ours.
fn with_memory<T>(memory: &mut Vec<Block>, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let ours = Params::default().block_count();
    if blocks > ours {
        return f(&mut vec![Block::default(); blocks]);
    }
    if memory.len() < ours {
        memory.resize(ours, Block::default());
    }
    f(&mut memory[..blocks])
}

/// Argon2id with the default parameters (19 MiB, 2 passes), a random salt, as a PHC string.
fn hash_with(
    password: &str,
    memory: &mut Vec<Block>,
) -> Result<String, argon2::password_hash::Error> {
    let params = Params::default();
    let blocks = params.block_count();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(with_memory(memory, blocks, |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks)
        })?)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` matches the PHC string `phc`, with the parameters it names.
fn verify_with(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let mut check = || -> Result<bool, argon2::password_hash::Error> {
        let parsed = PasswordHash::new(phc)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let blocks = params.block_count();
        let argon2 = Argon2::new(algorithm, version, params);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let computed = Output::init_with(expected.len(), |out| {
            Ok(with_memory(memory, blocks, |blocks| {
                argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks)
            })?)
        })?;
        // `Output` compares in constant time.
        Ok(computed == expected)
    };
    check().unwrap_or(false)
}

/// Sets how many hashing threads run (0: one per core). Takes effect if
/// called before the first hash.
pub fn configure(threads: usize) {
    POOL.get_or_init(|| Pool::start(threads));
}

fn submit(job: Job) -> Result<(), AppError> {
    POOL.get_or_init(|| Pool::start(0))
        .jobs
        .send(job)
        .map_err(|_| AppError::internal(anyhow::anyhow!("no password hashing thread is running")))
}

/// Hashes `password` (Argon2id, default parameters, random salt) into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    let (reply, answer) = oneshot::channel();
    submit(Job::Hash { password, reply })?;
    answer
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// A PHC string verified against when the email is unknown, so that a failed
/// login costs the same whether or not the account exists.
///
/// It names our parameters, a random salt and a random output: verifying any
/// password against it runs the same Argon2 work as against a real hash, and
/// no password matches it. Assembling it hashes nothing, so no 19 MiB buffer
/// is touched at start-up (hashing a random password here used to make half of
/// a fresh server's peak memory).
static DUMMY_HASH: OnceLock<String> = OnceLock::new();

fn dummy_hash() -> Result<&'static String, AppError> {
    if let Some(phc) = DUMMY_HASH.get() {
        return Ok(phc);
    }
    let phc = random_phc()
        .map_err(|e| AppError::internal(anyhow::anyhow!("making the dummy hash: {e}")))?;
    Ok(DUMMY_HASH.get_or_init(|| phc))
}

/// A PHC string of our Argon2id parameters with a random salt and a random output.
fn random_phc() -> Result<String, argon2::password_hash::Error> {
    use argon2::password_hash::rand_core::RngCore;
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut random = [0u8; Params::DEFAULT_OUTPUT_LEN];
    OsRng.fill_bytes(&mut random);
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&random)?),
    }
    .to_string())
}

/// Whether `password` matches `phc`; with `None`, spends the same effort and says no.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    let known = phc.is_some();
    let phc = match phc {
        Some(phc) => phc,
        None => dummy_hash()?.clone(),
    };
    let (reply, answer) = oneshot::channel();
    submit(Job::Verify {
        password,
        phc,
        reply,
    })?;
    let matches = answer.await.map_err(AppError::internal)?;
    Ok(known && matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn the_dummy_hash_names_our_parameters_and_is_random() {
        let (a, b) = (random_phc().unwrap(), random_phc().unwrap());
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        let parsed = PasswordHash::new(&a).unwrap();
        assert_eq!(parsed.hash.unwrap().len(), Params::DEFAULT_OUTPUT_LEN);
    }

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
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
        assert!(
            !verify("anything".into(), Some("not a hash".into()))
                .await
                .unwrap()
        );
    }

    #[test]
    fn agrees_with_the_argon2_crate_both_ways() {
        let mut memory = Vec::new();
        // Ours verifies by the reference implementation...
        let ours = hash_with("correct horse battery", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        // ...and hashes with other parameters verify by ours, one needing more
        // memory than ours on a temporary buffer.
        let params = Params::new(32 * 1024, 1, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"pw-0123456789", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_with("pw-0123456789", &other, &mut memory));
        assert!(!verify_with("pw-012345678", &other, &mut memory));
        let smaller = Params::new(8 * 1024, 3, 1, None).unwrap();
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, smaller)
            .hash_password(b"pw-0123456789", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_with("pw-0123456789", &cheap, &mut memory));
        assert_eq!(
            memory.len(),
            Params::default().block_count(),
            "the kept buffer is exactly one hash's memory"
        );
    }
}
