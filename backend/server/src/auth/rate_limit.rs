//! Sign-in throttling in memory: per client address (all attempts; IPv6 per /64, the block one
//! client usually holds) and per email (attempts since the last success, also for emails that
//! have no account, so throttling does not reveal which accounts exist). An attempt is counted
//! *before* its password is checked, so a parallel burst gets no more guesses than a sequence.
//! The same email limit guards the current password of `PATCH /api/auth/me`. The durable
//! lockout of real accounts lives in the database (SPEC §1).

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

impl LoginLimiter {
    /// Counts an attempt for `ip` and for `email` before the password is checked, and says how
    /// long to wait when either is over its limit.
    pub fn check(&self, ip: Option<IpAddr>, email: &str, now: Instant) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.ips.lock().expect("limiter lock").hit(client_key(ip), IP_WINDOW, IP_ATTEMPTS, now)?;
        }
        self.emails.lock().expect("limiter lock").hit(email.to_owned(), EMAIL_WINDOW, EMAIL_FAILURES, now)
    }

    /// A correct password: the email's attempts start over.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_block_an_email_until_the_window_ends() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            assert!(limiter.check(None, "a@x.se", t0).is_ok());
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
    fn success_clears_an_emails_attempts() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            limiter.check(None, "a@x.se", t0).unwrap();
        }
        limiter.record_success("a@x.se");
        assert!(limiter.check(None, "a@x.se", t0).is_ok());
    }

    #[test]
    fn ipv6_clients_are_throttled_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..IP_ATTEMPTS {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            assert!(limiter.check(Some(ip), &format!("u{i}@x.se"), t0).is_ok());
        }
        let same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(limiter.check(Some(same_64), "new@x.se", t0).is_err(), "a new address in the same /64");
        assert!(limiter.check(Some("2001:db8:1:3::1".parse().unwrap()), "new@x.se", t0).is_ok());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
