//! Operator accounts and tokens. A token is 32 random bytes from the operating system, shown
//! once (`rtpi_` and 64 hex digits); the store keeps only its SHA-256, and a presented token is
//! checked against every account's digest in constant time
//! ([`crate::ingest::digests_match`], as realtime pushes are).

use sha2::{Digest, Sha256};

use super::{OperatorError, Operators};
use crate::ingest::digests_match;

/// Who is calling: an operator whose token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    /// Manages every feed.
    pub admin: bool,
    pub feeds: Vec<String>,
}

impl Caller {
    pub fn may_manage(&self, feed: &str) -> bool {
        self.admin || self.feeds.iter().any(|f| f == feed)
    }

    /// 403 unless the caller manages `feed`.
    pub fn check(&self, feed: &str) -> Result<(), OperatorError> {
        if self.may_manage(feed) {
            Ok(())
        } else {
            Err(OperatorError::Forbidden(format!(
                "operator {:?} does not manage feed {feed:?} (it manages {}); use a token of \
                 that feed's operator",
                self.name,
                if self.feeds.is_empty() {
                    "no feed".to_owned()
                } else {
                    self.feeds.join(", ")
                }
            )))
        }
    }
}

/// A new token: `rtpi_` and 64 hex digits (32 random bytes).
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| format!("the operating system gave no random bytes: {e}"))?;
    Ok(format!("rtpi_{}", hex(&bytes)))
}

/// What the store keeps of a token.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Operators {
    /// The operator holding `token` (from `Authorization: Bearer`). Every account's digest is
    /// compared, so the time taken says nothing about which one (nearly) matched.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<Caller, OperatorError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(OperatorError::MissingToken);
        };
        let given = token_digest(token);
        let accounts = self.db(|s| s.operators_with_hashes()).await?;
        let mut found = None;
        for (account, digest) in accounts {
            if digests_match(&digest, &given) && account.revoked_at.is_none() {
                found = Some(account);
            }
        }
        match found {
            Some(a) => Ok(Caller {
                name: a.name,
                admin: a.admin,
                feeds: a.feeds,
            }),
            None => {
                let refused: Result<(), _> = Err(OperatorError::InvalidToken);
                self.audit("-", "authenticate", None, None, &refused, String::new())
                    .await;
                Err(OperatorError::InvalidToken)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() -> Result<(), String> {
        let (a, b) = (new_token()?, new_token()?);
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 64);
        assert_eq!(token_digest(&a).len(), 32);
        assert!(digests_match(&token_digest(&a), &token_digest(&a)));
        assert!(!digests_match(&token_digest(&a), &token_digest(&b)));
        Ok(())
    }

    #[test]
    fn callers_manage_their_feeds_admins_all() {
        let op = Caller {
            name: "ana".into(),
            admin: false,
            feeds: vec!["f".into()],
        };
        assert!(op.check("f").is_ok());
        assert!(matches!(op.check("g"), Err(OperatorError::Forbidden(_))));
        let admin = Caller { admin: true, ..op };
        assert!(admin.check("g").is_ok());
    }
}
