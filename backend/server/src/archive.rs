//! Zip archives streamed as they are written: the class-mode artifacts of a batch and a
//! person's export. Entries go through a small in-memory pipe to the response body, each with a
//! data descriptor (sizes and CRC after the data), so neither the archive nor a whole file is
//! ever held in memory, and a client that goes away stops the writing.

use crate::blobs::{Area, Blobs};
use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use bytes::Bytes;
use futures::AsyncWriteExt as _;
use futures::Stream;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

const PIPE_BYTES: usize = 64 * 1024;

/// One file of an archive: its path inside the archive, and where its bytes come from.
pub struct Entry {
    pub name: String,
    pub source: Source,
}

pub enum Source {
    /// A kept run file (on disk or in the shared store); left out when it is gone by the time
    /// it is written (expired meanwhile).
    Blob(Area, String),
    /// Bytes made for the archive (JSON documents).
    Bytes(Vec<u8>),
}

impl Entry {
    pub fn blob(name: impl Into<String>, area: Area, relative: impl Into<String>) -> Self {
        Self { name: name.into(), source: Source::Blob(area, relative.into()) }
    }

    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self { name: name.into(), source: Source::Bytes(bytes) }
    }
}

/// The archive of `entries`, in order, as a stream of chunks for a response body.
pub fn stream(blobs: Blobs, entries: Vec<Entry>) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (reader, writer) = tokio::io::duplex(PIPE_BYTES);
    tokio::spawn(async move {
        if let Err(e) = write(&blobs, writer, entries).await {
            // Most often the client went away; the response is cut short either way.
            tracing::debug!(error = %e, "writing a zip archive stopped");
        }
    });
    ReaderStream::new(reader)
}

async fn write(blobs: &Blobs, writer: tokio::io::DuplexStream, entries: Vec<Entry>) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(writer);
    let mut buf = vec![0u8; PIPE_BYTES];
    for entry in entries {
        let builder = |compression| ZipEntryBuilder::new(entry.name.clone().into(), compression);
        match entry.source {
            Source::Bytes(bytes) => zip.write_entry_whole(builder(Compression::Deflate), &bytes).await?,
            Source::Blob(area, relative) => {
                let Some((_, mut file)) = blobs.open(area, &relative).await? else { continue };
                // Stored, not deflated: most tool outputs (PDF, DOCX, XLSX, images) are compressed already.
                let mut out = zip.write_entry_stream(builder(Compression::Stored)).await?;
                loop {
                    let n = file.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    out.write_all(&buf[..n]).await?;
                }
                out.close().await?;
            }
        }
    }
    // Dropping the pipe's end after the central directory ends the body.
    drop(zip.close().await?);
    Ok(())
}

/// A name safe as one path segment inside an archive: no separators, no `..`, never empty.
pub fn segment(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '/' | '\\') || c.is_control() { '_' } else { c }).collect();
    match cleaned.trim() {
        "" | "." | ".." => "_".into(),
        s => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn an_archive_holds_its_entries_and_skips_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("artifacts/r")).unwrap();
        std::fs::write(dir.path().join("artifacts/r/a.txt"), b"hej ".repeat(100_000)).unwrap();
        let blobs = Blobs::local(dir.path().join("uploads"), dir.path().join("artifacts"));
        let entries = vec![
            Entry::bytes("profile.json", br#"{"a":1}"#.to_vec()),
            Entry::blob("runs/a.txt", Area::Artifacts, "r/a.txt"),
            Entry::blob("runs/gone.txt", Area::Artifacts, "r/gone.txt"),
        ];
        let mut body = Vec::new();
        let mut s = Box::pin(stream(blobs, entries));
        while let Some(chunk) = s.next().await {
            body.extend_from_slice(&chunk.unwrap());
        }
        let zip_path = dir.path().join("out.zip");
        std::fs::write(&zip_path, &body).unwrap();
        let listing = std::process::Command::new("python3")
            .args(["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(sorted((i.filename, i.file_size) for i in z.infolist()))"])
            .arg(&zip_path)
            .output()
            .unwrap();
        assert!(listing.status.success(), "{}", String::from_utf8_lossy(&listing.stderr));
        let text = String::from_utf8(listing.stdout).unwrap();
        assert_eq!(text.trim(), "[('profile.json', 7), ('runs/a.txt', 400000)]");
    }

    #[test]
    fn segments_cannot_climb_or_nest() {
        assert_eq!(segment("../x"), ".._x");
        assert_eq!(segment(".."), "_");
        assert_eq!(segment("a/b\\c"), "a_b_c");
        assert_eq!(segment(" "), "_");
    }
}
