//! Sign-in throttling in memory: per client IP (all attempts) and per email (failures, also
//! for emails that have no account, so throttling does not reveal which accounts exist).
//! The durable lockout of real accounts lives in the database (SPEC §1).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts one IP may make per window.
const IP_ATTEMPTS: u32 = 20;
const IP_WINDOW: Duration = Duration::from_secs(60);
/// Failures one email may collect per window; equals the account lockout threshold.
const EMAIL_FAILURES: u32 = skriptoteket_domain::user::MAX_FAILED_LOGINS as u32;
const EMAIL_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many tracked keys, expired entries are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct LoginLimiter {
    ips: Mutex<Counters<IpAddr>>,
    emails: Mutex<Counters<String>>,
}

impl LoginLimiter {
    /// Counts an attempt from `ip` and says how long to wait when it or `email` is over its limit.
    pub fn check(&self, ip: Option<IpAddr>, email: &str, now: Instant) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.ips.lock().expect("limiter lock").hit(ip, IP_WINDOW, IP_ATTEMPTS, now)?;
        }
        self.emails.lock().expect("limiter lock").over(&email.to_owned(), EMAIL_WINDOW, EMAIL_FAILURES, now)
    }

    pub fn record_failure(&self, email: &str, now: Instant) {
        let _ = self.emails.lock().expect("limiter lock").hit(email.to_owned(), EMAIL_WINDOW, u32::MAX, now);
    }

    pub fn record_success(&self, email: &str) {
        self.emails.lock().expect("limiter lock").map.remove(email);
    }
}

struct Counters<K> {
    map: HashMap<K, (Instant, u32)>,
}

impl<K> Default for Counters<K> {
    fn default() -> Self {
        Self { map: HashMap::new() }
    }
}

impl<K: Eq + Hash + Clone> Counters<K> {
    /// Adds one to `key`'s window, refusing once `limit` is reached.
    fn hit(&mut self, key: K, window: Duration, limit: u32, now: Instant) -> Result<(), Duration> {
        if self.map.len() > SWEEP_ABOVE {
            self.map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = self.map.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return Err(window - now.duration_since(entry.0));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Whether `key` has reached `limit` in its current window, without counting.
    fn over(&self, key: &K, window: Duration, limit: u32, now: Instant) -> Result<(), Duration> {
        match self.map.get(key) {
            Some((start, n)) if *n >= limit && now.duration_since(*start) < window => {
                Err(window - now.duration_since(*start))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_an_email_until_the_window_ends() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            assert!(limiter.check(None, "a@x.se", t0).is_ok());
            limiter.record_failure("a@x.se", t0);
        }
        let wait = limiter.check(None, "a@x.se", t0).unwrap_err();
        assert_eq!(wait, EMAIL_WINDOW);
        assert!(limiter.check(None, "b@x.se", t0).is_ok(), "other emails are not affected");
        assert!(limiter.check(None, "a@x.se", t0 + EMAIL_WINDOW).is_ok());
    }

    #[test]
    fn an_ip_is_limited_across_emails() {
        let limiter = LoginLimiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..IP_ATTEMPTS {
            assert!(limiter.check(Some(ip), &format!("u{i}@x.se"), t0).is_ok());
        }
        assert!(limiter.check(Some(ip), "new@x.se", t0).is_err());
        assert!(limiter.check(Some("10.0.0.2".parse().unwrap()), "new@x.se", t0).is_ok());
    }

    #[test]
    fn success_clears_an_emails_failures() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            limiter.record_failure("a@x.se", t0);
        }
        limiter.record_success("a@x.se");
        assert!(limiter.check(None, "a@x.se", t0).is_ok());
    }
}
