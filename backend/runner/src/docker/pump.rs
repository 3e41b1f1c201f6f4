//! Reads the attached output of a running container: decodes the wrapper's frames, keeps
//! capped logs, forwards live output, and feeds the result tar to its reader.

use crate::capped_log::CappedLog;
use crate::frames::{Frame, FrameDecoder};
use bollard::container::LogOutput;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use skriptoteket_domain::execution::{EventSink, LogStream, RunEvent, RunProgress};
use tokio::sync::mpsc;

pub struct Pump {
    pub stdout: CappedLog,
    pub stderr: CappedLog,
    pub protocol_error: Option<String>,
    pub saw_end: bool,
    /// The result stream passed `result_cap`: the rest is refused and the container must go.
    pub overflowed: bool,
    result_bytes: u64,
    result_cap: u64,
    decoder: FrameDecoder,
    events: EventSink,
    result_tx: Option<mpsc::Sender<Bytes>>,
}

impl Pump {
    /// `result_cap`: the most result-tar bytes an honest wrapper sends (`RunLimits`).
    pub fn new(log_cap: usize, result_cap: u64, events: EventSink, result_tx: mpsc::Sender<Bytes>) -> Self {
        Self {
            stdout: CappedLog::new(log_cap),
            stderr: CappedLog::new(log_cap),
            protocol_error: None,
            saw_end: false,
            overflowed: false,
            result_bytes: 0,
            result_cap,
            decoder: FrameDecoder::default(),
            events,
            result_tx: Some(result_tx),
        }
    }

    /// Consumes the attach stream until the container closes it, or until the result stream
    /// overflows (the caller then kills the container instead of reading on to the timeout).
    pub async fn run(&mut self, mut output: impl Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin) {
        while !self.overflowed
            && let Some(item) = output.next().await
        {
            match item {
                Ok(LogOutput::StdOut { message }) => self.on_stdout(&message).await,
                // The wrapper's own stderr (not the tool's): kept with the tool's stderr.
                Ok(LogOutput::StdErr { message }) => self.log(LogStream::Stderr, &message),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "attach stream ended with an error");
                    break;
                }
            }
        }
        self.close();
    }

    /// Drops the result channel so the tar reader sees the end of the stream.
    pub fn close(&mut self) {
        self.result_tx = None;
    }

    async fn on_stdout(&mut self, chunk: &[u8]) {
        if self.protocol_error.is_some() {
            return;
        }
        self.decoder.push(chunk);
        loop {
            match self.decoder.next_frame() {
                Ok(Some(Frame::Stdout(b))) => self.log(LogStream::Stdout, &b),
                Ok(Some(Frame::Stderr(b))) => self.log(LogStream::Stderr, &b),
                Ok(Some(Frame::ResultTar(b))) => {
                    self.result_bytes += b.len() as u64;
                    if self.result_bytes > self.result_cap {
                        self.overflowed = true;
                        self.result_tx = None;
                        break;
                    }
                    if let Some(tx) = &self.result_tx {
                        // A closed receiver means the reader stopped at a cap: drop the rest.
                        if tx.send(b).await.is_err() {
                            self.result_tx = None;
                        }
                    }
                }
                // An invalid message is dropped, not a protocol error: it is only a hint.
                Ok(Some(Frame::Progress(b))) => {
                    if let Some(progress) = RunProgress::parse(&b) {
                        (self.events)(RunEvent::Progress(progress));
                    }
                }
                Ok(Some(Frame::End(_))) => self.saw_end = true,
                Ok(None) => break,
                Err(e) => {
                    self.protocol_error = Some(e.to_string());
                    self.result_tx = None;
                    break;
                }
            }
        }
    }

    fn log(&mut self, stream: LogStream, bytes: &[u8]) {
        let log = match stream {
            LogStream::Stdout => &mut self.stdout,
            LogStream::Stderr => &mut self.stderr,
        };
        let kept = log.push(bytes);
        if !kept.is_empty() {
            (self.events)(RunEvent::Output { stream, text: String::from_utf8_lossy(kept).into_owned() });
        }
    }
}

/// A blocking `Read` over the chunks of the result tar, for the tar reader's thread.
pub struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl ChannelReader {
    pub fn new(rx: mpsc::Receiver<Bytes>) -> Self {
        Self { rx, current: Bytes::new() }
    }
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::encode;
    use std::sync::Arc;

    fn stdout(bytes: Vec<u8>) -> Result<LogOutput, bollard::errors::Error> {
        Ok(LogOutput::StdOut { message: Bytes::from(bytes) })
    }

    #[tokio::test]
    async fn progress_frames_become_events_and_invalid_ones_are_dropped() {
        let (tx, _rx) = mpsc::channel(8);
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let mut pump = Pump::new(1024, 1024, Arc::new(move |e| sink.lock().unwrap().push(e)), tx);
        let mut bytes = encode(b'P', br#"{"done":3,"total":30,"stage":"L\u00e4ser"}"#);
        bytes.extend(encode(b'P', br#"{"done":-1,"total":null,"stage":null}"#));
        bytes.extend(encode(b'P', b"junk"));
        bytes.extend(encode(b'P', br#"{"done":1}"#));
        pump.run(futures::stream::iter([stdout(bytes)])).await;
        assert!(pump.protocol_error.is_none());
        let seen = seen.lock().unwrap();
        assert_eq!(
            *seen,
            [
                RunEvent::Progress(RunProgress { done: 3.0, total: Some(30.0), stage: Some("Läser".into()) }),
                RunEvent::Progress(RunProgress { done: 1.0, total: None, stage: None }),
            ]
        );
    }

    #[tokio::test]
    async fn a_result_stream_past_its_cap_stops_the_pump() {
        let (tx, mut rx) = mpsc::channel(1024);
        let mut pump = Pump::new(1024, 100_000, Arc::new(|_| {}), tx);
        // An endless stream of 60 KiB result chunks: the pump must stop on its own.
        let endless = futures::stream::iter(std::iter::repeat_with(|| stdout(encode(b'R', &[0u8; 60 * 1024]))));
        tokio::time::timeout(std::time::Duration::from_secs(5), pump.run(endless)).await.expect("the pump stops");
        assert!(pump.overflowed);
        let mut forwarded = 0;
        while let Ok(chunk) = rx.try_recv() {
            forwarded += chunk.len();
        }
        assert!(forwarded <= 100_000, "no more than the cap reaches the tar reader: {forwarded}");
    }
}
