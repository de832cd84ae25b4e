//! Slows down guessing of the admin token: after a few wrong tokens from one client, each
//! further wrong one is answered (401) only after a pause that doubles up to a ceiling, and
//! that client's wrong attempts are answered one at a time, so one client guessing one after
//! another gets at most one answer per pause.
//!
//! The right token is never slowed down or refused: it is checked first, answered at once,
//! and clears the client's record, so nobody can lock the integration out by sending wrong
//! tokens, from its own address or any other. That also means this is no defence against a
//! guesser who sends many attempts at once and reads the fast answer as the right one; the
//! defence against that is the token's length (the receiver warns about one shorter than
//! [`MIN_TOKEN_LEN`] characters).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The shortest admin token the receiver does not warn about.
pub const MIN_TOKEN_LEN: usize = 32;

/// How many clients are remembered at most; the longest quiet one is forgotten first.
const MAX_CLIENTS: usize = 10_000;

/// How wrong tokens are slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Wrong tokens in a row answered at once (typing mistakes).
    pub free: u32,
    /// The pause before the first answer after those.
    pub first_delay: Duration,
    /// The longest pause.
    pub max_delay: Duration,
    /// A client whose last wrong token is this old starts again from nothing.
    pub forget_after: Duration,
}

impl Default for Policy {
    /// Three free, then 1 s, 2 s, 4 s, 8 s, and 10 s from then on; forgotten after 15 minutes.
    fn default() -> Policy {
        Policy {
            free: 3,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            forget_after: Duration::from_secs(15 * 60),
        }
    }
}

impl Policy {
    /// The pause before answering the `failures`-th wrong token in a row.
    pub fn delay_after(&self, failures: u32) -> Duration {
        let Some(over) = failures.checked_sub(self.free + 1) else {
            return Duration::ZERO;
        };
        self.first_delay
            .checked_mul(1u32.checked_shl(over.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// What is remembered of one client.
#[derive(Debug)]
struct Record {
    /// Wrong tokens in a row.
    failures: u32,
    /// When the last one came (or when the record was made).
    last: Instant,
    /// Held while one of the client's wrong attempts is waiting to be answered.
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// The admin endpoint's memory of wrong tokens, by client.
#[derive(Debug, Default)]
pub struct Throttle {
    policy: Policy,
    records: Mutex<HashMap<IpAddr, Record>>,
}

/// The address a client is counted by: an IPv6 client by its /64 network (one subscriber
/// usually has a whole /64), an IPv4-mapped address as IPv4.
pub fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

impl Throttle {
    /// A throttle with `policy`.
    pub fn new(policy: Policy) -> Throttle {
        Throttle {
            policy,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn records(&self) -> MutexGuard<'_, HashMap<IpAddr, Record>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The right token came from `client`: it starts again from nothing.
    pub fn succeeded(&self, client: IpAddr) {
        self.records().remove(&client_key(client));
    }

    /// The record of `client`, made if missing (forgetting the quietest client when full).
    fn record<'a>(
        records: &'a mut HashMap<IpAddr, Record>,
        key: IpAddr,
        now: Instant,
        policy: &Policy,
    ) -> &'a mut Record {
        if !records.contains_key(&key) && records.len() >= MAX_CLIENTS {
            records.retain(|_, r| now.saturating_duration_since(r.last) < policy.forget_after);
            if records.len() >= MAX_CLIENTS
                && let Some(quietest) = records.iter().min_by_key(|(_, r)| r.last).map(|(k, _)| *k)
            {
                records.remove(&quietest);
            }
        }
        records.entry(key).or_insert_with(|| Record {
            failures: 0,
            last: now,
            turn: Arc::default(),
        })
    }

    /// Counts a wrong token from `client` at `now`; the pause before answering it.
    pub fn failure_delay(&self, client: IpAddr, now: Instant) -> Duration {
        let mut records = self.records();
        let record = Throttle::record(&mut records, client_key(client), now, &self.policy);
        if now.saturating_duration_since(record.last) >= self.policy.forget_after {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last = now;
        self.policy.delay_after(record.failures)
    }

    /// How many wrong tokens in a row `client` has sent, as remembered now.
    pub fn failures(&self, client: IpAddr) -> u32 {
        self.records()
            .get(&client_key(client))
            .map_or(0, |r| r.failures)
    }

    /// Answers a wrong token from `client` when its turn has come: after the client's earlier
    /// wrong attempts, and after the pause this one earns.
    pub async fn refuse(&self, client: IpAddr) {
        let turn = {
            let mut records = self.records();
            let record = Throttle::record(
                &mut records,
                client_key(client),
                Instant::now(),
                &self.policy,
            );
            Arc::clone(&record.turn)
        };
        let _turn = turn.lock().await;
        let delay = self.failure_delay(client, Instant::now());
        if !delay.is_zero() {
            tracing::warn!(
                %client,
                failures = self.failures(client),
                "wrong admin tokens in a row: answering after {} ms",
                delay.as_millis()
            );
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn a_few_mistakes_are_free_then_the_pause_doubles_to_its_ceiling() {
        let policy = Policy::default();
        let delays: Vec<u64> = (1..=9).map(|n| policy.delay_after(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 10, 10]);
        assert_eq!(policy.delay_after(u32::MAX), policy.max_delay);
    }

    #[test]
    fn failures_count_per_client_until_the_right_token_or_a_quiet_while() {
        let throttle = Throttle::new(Policy::default());
        let t0 = Instant::now();
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        let delays: Vec<u64> = (0..5)
            .map(|i| {
                throttle
                    .failure_delay(a, t0 + Duration::from_secs(i))
                    .as_secs()
            })
            .collect();
        assert_eq!(delays, [0, 0, 0, 1, 2]);
        assert_eq!(throttle.failure_delay(b, t0).as_secs(), 0, "another client");
        // The right token clears the record at once.
        throttle.succeeded(a);
        assert_eq!(throttle.failures(a), 0);
        assert_eq!(throttle.failure_delay(a, t0).as_secs(), 0);
        // So does a quiet quarter of an hour.
        for i in 0..4 {
            throttle.failure_delay(b, t0 + Duration::from_secs(i));
        }
        assert_eq!(throttle.failures(b), 5);
        let later = t0 + Duration::from_secs(3 + 15 * 60);
        assert_eq!(throttle.failure_delay(b, later).as_secs(), 0);
        assert_eq!(throttle.failures(b), 1);
    }

    #[test]
    fn an_ipv6_client_is_its_network() {
        let throttle = Throttle::new(Policy::default());
        let t0 = Instant::now();
        for host in 1..=4 {
            throttle.failure_delay(ip(&format!("2001:db8:1:2::{host}")), t0);
        }
        assert_eq!(throttle.failures(ip("2001:db8:1:2:ffff::1")), 4);
        assert_eq!(throttle.failures(ip("2001:db8:1:3::1")), 0);
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn memory_is_bounded() {
        let throttle = Throttle::new(Policy::default());
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            throttle.failure_delay(addr, t0 + Duration::from_millis(u64::from(i)));
        }
        assert_eq!(throttle.records().len(), MAX_CLIENTS);
        assert_eq!(
            throttle.failures(ip("10.0.0.0")),
            0,
            "the quietest went first"
        );
    }
}
