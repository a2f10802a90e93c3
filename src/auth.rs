//! Secrets and tokens.

use rand::RngCore;

/// `bytes` random bytes from the OS-seeded CSPRNG, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
