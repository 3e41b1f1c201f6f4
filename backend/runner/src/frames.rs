//! Decoder for the framed stream the in-container wrapper writes on stdout
//! (docs/runner-protocol.md): 1 type byte, a 4-byte big-endian length, the payload.
//! The bytes come from untrusted code, so the decoder bounds every frame.

use bytes::{Buf, Bytes, BytesMut};

/// The wrapper never writes larger frames; a bigger header means the stream is corrupt.
pub const MAX_FRAME: usize = 64 * 1024;
const HEADER: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Stdout(Bytes),
    Stderr(Bytes),
    ResultTar(Bytes),
    /// The tool's latest progress, JSON `{"done", "total", "stage"}` (rate-limited by the wrapper).
    Progress(Bytes),
    End(Bytes),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("unknown frame type {0:#04x}")]
    UnknownType(u8),
    #[error("frame of {0} bytes exceeds the {MAX_FRAME}-byte limit")]
    TooLarge(usize),
}

#[derive(Default)]
pub struct FrameDecoder {
    buf: BytesMut,
}

impl FrameDecoder {
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if self.buf.len() < HEADER {
            return Ok(None);
        }
        let kind = self.buf[0];
        let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]) as usize;
        if !matches!(kind, b'O' | b'E' | b'R' | b'P' | b'X') {
            return Err(FrameError::UnknownType(kind));
        }
        if len > MAX_FRAME {
            return Err(FrameError::TooLarge(len));
        }
        if self.buf.len() < HEADER + len {
            return Ok(None);
        }
        self.buf.advance(HEADER);
        let payload = self.buf.split_to(len).freeze();
        Ok(Some(match kind {
            b'O' => Frame::Stdout(payload),
            b'E' => Frame::Stderr(payload),
            b'R' => Frame::ResultTar(payload),
            b'P' => Frame::Progress(payload),
            _ => Frame::End(payload),
        }))
    }

    /// Bytes received that do not yet form a frame.
    #[cfg(test)]
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
pub(crate) fn encode(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_chunks_are_reassembled() {
        let mut stream = encode(b'O', b"hello ");
        stream.extend(encode(b'E', b"oops"));
        stream.extend(encode(b'P', br#"{"done":1,"total":2,"stage":null}"#));
        stream.extend(encode(b'X', b"{}"));
        let mut decoder = FrameDecoder::default();
        let mut frames = Vec::new();
        for byte in stream {
            decoder.push(&[byte]);
            while let Some(frame) = decoder.next_frame().unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(
            frames,
            [
                Frame::Stdout(Bytes::from_static(b"hello ")),
                Frame::Stderr(Bytes::from_static(b"oops")),
                Frame::Progress(Bytes::from_static(br#"{"done":1,"total":2,"stage":null}"#)),
                Frame::End(Bytes::from_static(b"{}"))
            ]
        );
        assert_eq!(decoder.pending(), 0);
    }

    #[test]
    fn junk_and_oversized_frames_are_errors() {
        let mut decoder = FrameDecoder::default();
        decoder.push(b"Zjunk");
        assert_eq!(decoder.next_frame(), Err(FrameError::UnknownType(b'Z')));
        let mut decoder = FrameDecoder::default();
        decoder.push(&[b'R', 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(decoder.next_frame(), Err(FrameError::TooLarge(u32::MAX as usize)));
    }
}
