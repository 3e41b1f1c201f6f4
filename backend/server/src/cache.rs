//! A small in-process cache with a time bound: what this process changes it invalidates at
//! once; what another server process changes (they share only the database) shows after at
//! most `ttl`. Used for signed-in users (no database round trip per request) and catalog pages.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { ttl, capacity, entries: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().expect("cache lock");
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    pub fn invalidate(&self, key: &K) {
        self.entries.lock().expect("cache lock").remove(key);
    }

    pub fn clear(&self) {
        self.entries.lock().expect("cache lock").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_are_invalidated_and_stay_bounded() {
        let cache = TtlCache::new(Duration::from_millis(50), 2);
        cache.put(1, "a");
        assert_eq!(cache.get(&1), Some("a"));
        cache.invalidate(&1);
        assert_eq!(cache.get(&1), None);
        cache.put(1, "a");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&1), None, "older than the bound");
        cache.put(2, "b");
        cache.put(3, "c");
        cache.put(4, "d");
        assert!(cache.entries.lock().unwrap().len() <= 2);
        cache.clear();
        assert_eq!(cache.get(&4), None);
    }
}
