//! A stdout/stderr buffer that keeps the first `cap` bytes and says clearly that, and
//! where, the rest was cut.

#[derive(Debug)]
pub struct CappedLog {
    bytes: Vec<u8>,
    cap: usize,
    dropped: u64,
}

impl CappedLog {
    pub fn new(cap: usize) -> Self {
        Self { bytes: Vec::new(), cap, dropped: 0 }
    }

    /// Appends what still fits and returns the part that was kept (for live streaming).
    pub fn push<'a>(&mut self, chunk: &'a [u8]) -> &'a [u8] {
        let room = self.cap.saturating_sub(self.bytes.len());
        let kept = &chunk[..chunk.len().min(room)];
        self.bytes.extend_from_slice(kept);
        self.dropped += (chunk.len() - kept.len()) as u64;
        kept
    }

    pub fn truncated(&self) -> bool {
        self.dropped > 0
    }

    /// The text, lossily decoded, with a marker naming the cut when there was one.
    pub fn finish(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.bytes).into_owned();
        if self.truncated() {
            text.push_str(&format!(
                "\n[Skriptoteket: output truncated after {} bytes; {} more bytes were dropped]\n",
                self.cap, self.dropped
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_head_and_marks_the_cut() {
        let mut log = CappedLog::new(10);
        assert_eq!(log.push(b"12345"), b"12345");
        assert_eq!(log.push(b"6789abcdef"), b"6789a");
        assert!(log.truncated());
        let text = log.finish();
        assert!(text.starts_with("123456789a\n[Skriptoteket: output truncated after 10 bytes; 5 more"), "{text}");
    }

    #[test]
    fn short_output_is_untouched() {
        let mut log = CappedLog::new(10);
        log.push(b"ok");
        assert_eq!(log.finish(), "ok");
    }
}
