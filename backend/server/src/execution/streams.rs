//! Counts the runs each user follows right now (event streams and `Prefer: wait`), so one
//! user cannot hold thousands of them open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

#[derive(Default, Clone)]
pub struct StreamCounter {
    open: Arc<Mutex<HashMap<Uuid, usize>>>,
}

/// One open stream; dropping it gives the place back.
pub struct StreamGuard {
    counter: StreamCounter,
    user: Uuid,
}

impl StreamCounter {
    /// A place for one more stream of `user`, unless they already have `max`.
    pub fn try_open(&self, user: Uuid, max: usize) -> Option<StreamGuard> {
        let mut open = self.open.lock().expect("stream lock");
        let count = open.entry(user).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamGuard { counter: self.clone(), user })
    }

    /// Streams open now, all users together (for tests and metrics).
    pub fn total(&self) -> usize {
        self.open.lock().expect("stream lock").values().sum()
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut open = self.counter.open.lock().expect("stream lock");
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_at_most_max_streams_and_dropping_one_frees_it() {
        let counter = StreamCounter::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = counter.try_open(a, 2).unwrap();
        let _second = counter.try_open(a, 2).unwrap();
        assert!(counter.try_open(a, 2).is_none());
        assert!(counter.try_open(b, 2).is_some(), "others are not affected");
        drop(first);
        assert!(counter.try_open(a, 2).is_some());
    }
}
