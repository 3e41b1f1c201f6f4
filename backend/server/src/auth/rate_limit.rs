//! Sign-in throttling, in the database so every server counts the same attempts: per client address (all attempts; IPv6 per /64, the block one
//! client usually holds) and per email (attempts since the last success, also for emails that
//! have no account, so throttling does not reveal which accounts exist). An attempt is counted
//! *before* its password is checked, so a parallel burst gets no more guesses than a sequence.
//! The same email limit guards the current password of `PATCH /api/auth/me`. The durable
//! lockout of real accounts lives in the database (SPEC §1).

use chrono::{DateTime, Utc};
use skriptoteket_domain::{Store, StoreError};
use std::net::IpAddr;
use std::time::Duration;

/// Attempts one IP may make per window.
const IP_ATTEMPTS: u32 = 20;
const IP_WINDOW: Duration = Duration::from_secs(60);
/// Failures one email may collect per window; equals the account lockout threshold.
const EMAIL_FAILURES: u32 = skriptoteket_domain::user::MAX_FAILED_LOGINS as u32;
const EMAIL_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Counters older than the longest window say nothing any more (housekeeping removes them).
pub const LONGEST_WINDOW: Duration = EMAIL_WINDOW;

/// The key one client is throttled by: an IPv4 address, or the /64 of an IPv6 address (a
/// client can pick any address in its /64 for free). IPv4-mapped addresses count as IPv4.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Counts an attempt for `ip` and for `email` before the password is checked, and says how
/// long to wait when either is over its limit. An address refused is not counted for the email.
pub async fn check(
    store: &dyn Store,
    ip: Option<IpAddr>,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), Duration>, StoreError> {
    if let Some(ip) = ip {
        let refused = hit(store, &format!("ip:{}", client_key(ip)), IP_WINDOW, IP_ATTEMPTS, now).await?;
        if refused.is_err() {
            return Ok(refused);
        }
    }
    hit(store, &email_key(email), EMAIL_WINDOW, EMAIL_FAILURES, now).await
}

/// A correct password: the email's attempts start over.
pub async fn record_success(store: &dyn Store, email: &str) -> Result<(), StoreError> {
    store.clear_attempts(&email_key(email)).await
}

fn email_key(email: &str) -> String {
    format!("email:{email}")
}

/// Adds one to `key`'s window; refused beyond `limit`, until the window ends.
async fn hit(
    store: &dyn Store,
    key: &str,
    window: Duration,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), Duration>, StoreError> {
    let span = chrono::Duration::from_std(window).expect("windows are short");
    let (start, attempts) = store.count_attempt(key, now, span).await?;
    if attempts <= limit {
        return Ok(Ok(()));
    }
    Ok(Err((start + span - now).to_std().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use skriptoteket_store::testing::{Backend, TestDb};

    async fn store() -> TestDb {
        TestDb::new(Backend::Sqlite).await
    }

    #[tokio::test]
    async fn five_attempts_block_an_email_until_the_window_ends() {
        let db = store().await;
        let store = db.store.as_ref();
        let t0 = Utc::now();
        for _ in 0..EMAIL_FAILURES {
            assert!(check(store, None, "a@x.se", t0).await.unwrap().is_ok());
        }
        let wait = check(store, None, "a@x.se", t0).await.unwrap().unwrap_err();
        assert!(wait <= EMAIL_WINDOW && wait > EMAIL_WINDOW - Duration::from_secs(1), "{wait:?}");
        assert!(check(store, None, "b@x.se", t0).await.unwrap().is_ok(), "other emails are not affected");
        let later = t0 + chrono::Duration::from_std(EMAIL_WINDOW).unwrap();
        assert!(check(store, None, "a@x.se", later).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn an_ip_is_limited_across_emails() {
        let db = store().await;
        let store = db.store.as_ref();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Utc::now();
        for i in 0..IP_ATTEMPTS {
            assert!(check(store, Some(ip), &format!("u{i}@x.se"), t0).await.unwrap().is_ok());
        }
        assert!(check(store, Some(ip), "new@x.se", t0).await.unwrap().is_err());
        assert!(check(store, Some("10.0.0.2".parse().unwrap()), "new@x.se", t0).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn success_clears_an_emails_attempts() {
        let db = store().await;
        let store = db.store.as_ref();
        let t0 = Utc::now();
        for _ in 0..EMAIL_FAILURES {
            check(store, None, "a@x.se", t0).await.unwrap().unwrap();
        }
        record_success(store, "a@x.se").await.unwrap();
        assert!(check(store, None, "a@x.se", t0).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn ipv6_clients_are_throttled_per_64_and_mapped_ipv4_as_ipv4() {
        let db = store().await;
        let store = db.store.as_ref();
        let t0 = Utc::now();
        for i in 0..IP_ATTEMPTS {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            assert!(check(store, Some(ip), &format!("u{i}@x.se"), t0).await.unwrap().is_ok());
        }
        let same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(check(store, Some(same_64), "new@x.se", t0).await.unwrap().is_err(), "a new address in the same /64");
        assert!(check(store, Some("2001:db8:1:3::1".parse().unwrap()), "new@x.se", t0).await.unwrap().is_ok());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
