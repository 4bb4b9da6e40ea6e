//! Key material: API keys and session tokens, their digests, the server secret, and the
//! generated admin key.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::Context as _;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hmac::{Hmac, Mac};
use rand::RngExt as _;
use sha2::{Digest, Sha256};

/// The shortest API key a user may choose.
pub const MIN_KEY_LENGTH: usize = 16;

/// The file in the data directory holding the secret that keys lookup digests.
pub const SERVER_SECRET_FILE: &str = "server-secret";

/// The file in the data directory holding a generated admin key.
pub const ADMIN_KEY_FILE: &str = "admin-key";

/// 256 random bits as 64 hex characters: generated API keys and session tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex(&bytes)
}

/// SHA-256 of a session token, as stored.
pub fn session_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The argon2id hash of an API key (PHC string, random salt).
pub fn hash_key(key: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(key.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a key: {e}"))
}

/// Whether `key` matches the stored argon2id hash.
pub fn verify_key(key: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(key.as_bytes(), stored)
        .is_ok()
}

/// Computes keyed lookup digests of API keys: HMAC-SHA256 under the server secret, so that a
/// request finds its user in O(1) without the database holding anything a key can be
/// guessed from.
#[derive(Clone)]
pub struct KeyDigester {
    secret: [u8; 32],
}

impl KeyDigester {
    /// A digester for this secret.
    pub fn new(secret: [u8; 32]) -> KeyDigester {
        KeyDigester { secret }
    }

    /// The lookup digest of `key`, as 64 hex characters.
    pub fn lookup(&self, key: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key");
        mac.update(key.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// Compares two digests in time that does not depend on where they differ.
pub fn digests_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reads the server secret from the data directory, creating it (mode 0600) on first start.
pub fn load_or_create_server_secret(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join(SERVER_SECRET_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return parse_secret(text.trim())
            .with_context(|| format!("{} is not 64 hex characters", path.display()));
    }
    let secret: [u8; 32] = rand::rng().random();
    write_private(&path, &hex(&secret))?;
    Ok(secret)
}

/// The admin key to use when none is configured: the one kept in the data directory, or a
/// new one written there (mode 0600). The second value is true when it was just created.
pub fn load_or_create_admin_key(data_dir: &Path) -> anyhow::Result<(String, bool)> {
    let path = data_dir.join(ADMIN_KEY_FILE);
    if path.exists() {
        let key = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .trim()
            .to_string();
        anyhow::ensure!(
            key.chars().count() >= MIN_KEY_LENGTH,
            "{} holds a key shorter than {MIN_KEY_LENGTH} characters",
            path.display()
        );
        return Ok((key, false));
    }
    let key = random_token();
    write_private(&path, &key)?;
    Ok((key, true))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .with_context(|| format!("writing {}", path.display()))
}

fn parse_secret(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut secret = [0u8; 32];
    for (i, byte) in secret.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(secret)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_256_bits() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn hashes_verify_only_their_key() {
        let hash = hash_key("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_key("correct horse battery", &hash));
        assert!(!verify_key("correct horse batterY", &hash));
        assert!(!verify_key("correct horse battery", "not a hash"));
    }

    #[test]
    fn lookups_depend_on_the_secret() {
        let one = KeyDigester::new([1; 32]);
        let two = KeyDigester::new([2; 32]);
        assert_eq!(one.lookup("k"), one.lookup("k"));
        assert_ne!(one.lookup("k"), two.lookup("k"));
        assert_ne!(one.lookup("k"), one.lookup("K"));
    }

    #[test]
    fn digest_comparison() {
        assert!(digests_equal("abc", "abc"));
        assert!(!digests_equal("abc", "abd"));
        assert!(!digests_equal("abc", "abcd"));
    }

    #[test]
    fn secrets_and_admin_keys_persist_with_private_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let secret = load_or_create_server_secret(dir.path()).expect("created");
        assert_eq!(
            load_or_create_server_secret(dir.path()).expect("read"),
            secret
        );
        let (key, created) = load_or_create_admin_key(dir.path()).expect("created");
        assert!(created);
        assert_eq!(
            load_or_create_admin_key(dir.path()).expect("read"),
            (key, false)
        );
        for file in [SERVER_SECRET_FILE, ADMIN_KEY_FILE] {
            let mode = std::fs::metadata(dir.path().join(file))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
}
