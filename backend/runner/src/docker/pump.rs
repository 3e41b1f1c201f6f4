//! Reads the attached output of a running container: decodes the wrapper's frames, keeps
//! capped logs, forwards live output, and feeds the result tar to its reader.

use crate::capped_log::CappedLog;
use crate::frames::{Frame, FrameDecoder};
use bollard::container::LogOutput;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use skriptoteket_domain::execution::{EventSink, LogStream, RunEvent};
use tokio::sync::mpsc;

pub struct Pump {
    pub stdout: CappedLog,
    pub stderr: CappedLog,
    pub protocol_error: Option<String>,
    pub saw_end: bool,
    decoder: FrameDecoder,
    events: EventSink,
    result_tx: Option<mpsc::Sender<Bytes>>,
}

impl Pump {
    pub fn new(log_cap: usize, events: EventSink, result_tx: mpsc::Sender<Bytes>) -> Self {
        Self {
            stdout: CappedLog::new(log_cap),
            stderr: CappedLog::new(log_cap),
            protocol_error: None,
            saw_end: false,
            decoder: FrameDecoder::default(),
            events,
            result_tx: Some(result_tx),
        }
    }

    /// Consumes the attach stream until the container closes it.
    pub async fn run(&mut self, mut output: impl Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin) {
        while let Some(item) = output.next().await {
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
                    if let Some(tx) = &self.result_tx {
                        // A closed receiver means the reader stopped at a cap: drop the rest.
                        if tx.send(b).await.is_err() {
                            self.result_tx = None;
                        }
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
