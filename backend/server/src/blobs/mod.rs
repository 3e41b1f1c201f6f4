//! Where uploads and artifacts are kept: the local data directory (the default), or an
//! S3-compatible store shared by several servers (`STORAGE_URL=s3://bucket/prefix`).
//!
//! The local directories stay the working copy in both cases: a run's uploads are written
//! there as they arrive and read from there into the container, and the runner writes the
//! artifacts there. With S3, uploads are copied to the store *before* the run is queued (so
//! any server may run it, fetching what it lacks) and artifacts *before* the run is recorded
//! (so any server may serve them); downloads then always read the store. Keys mirror the
//! local layout: `uploads/<stored_as>` and `artifacts/<stored_as>`.

pub mod s3;
pub mod sigv4;

use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncRead;
use tokio_util::io::StreamReader;
use uuid::Uuid;

pub use s3::S3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Uploads,
    Artifacts,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Self::Uploads => "uploads",
            Self::Artifacts => "artifacts",
        }
    }
}

pub type Reader = Box<dyn AsyncRead + Send + Unpin>;

#[derive(Clone, Debug)]
pub struct Blobs {
    uploads_root: PathBuf,
    artifacts_root: PathBuf,
    shared: Option<S3>,
}

impl Blobs {
    pub fn local(uploads_root: PathBuf, artifacts_root: PathBuf) -> Self {
        Self { uploads_root, artifacts_root, shared: None }
    }

    pub fn with_s3(mut self, s3: S3) -> Self {
        self.shared = Some(s3);
        self
    }

    /// The S3 store, when the files are shared.
    pub fn shared(&self) -> Option<&S3> {
        self.shared.as_ref()
    }

    /// A description for logs and readiness: `local` or the S3 place.
    pub fn describe(&self) -> String {
        self.shared.as_ref().map_or_else(|| "local".to_owned(), |s3| format!("{s3:?}"))
    }

    pub fn root(&self, area: Area) -> &Path {
        match area {
            Area::Uploads => &self.uploads_root,
            Area::Artifacts => &self.artifacts_root,
        }
    }

    fn key(area: Area, relative: &str) -> String {
        format!("{}/{relative}", area.name())
    }

    /// Copies the local folder of `run` in `area` (every file below it) to the shared store;
    /// nothing to do when files are local only.
    pub async fn publish(&self, area: Area, run: Uuid) -> io::Result<()> {
        let Some(s3) = &self.shared else { return Ok(()) };
        let dir = self.root(area).join(run.to_string());
        for file in files_below(&dir).await? {
            let relative = file.strip_prefix(self.root(area)).map_err(io::Error::other)?;
            s3.put_file(&Self::key(area, &relative.to_string_lossy()), &file).await?;
        }
        Ok(())
    }

    /// Makes sure the file `relative` of `area` is in the local working copy, fetching it from
    /// the shared store when another server received it; false when it is nowhere.
    pub async fn fetch(&self, area: Area, relative: &str) -> io::Result<bool> {
        let path = self.root(area).join(relative);
        if tokio::fs::try_exists(&path).await? {
            return Ok(true);
        }
        let Some(s3) = &self.shared else { return Ok(false) };
        let Some((_, body)) = s3.get(&Self::key(area, relative)).await? else { return Ok(false) };
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Into a temporary name first, so a half-fetched file never looks complete.
        let partial = path.with_extension("partial");
        let mut file = tokio::fs::File::create(&partial).await?;
        let mut reader = body_reader(body);
        tokio::io::copy(&mut reader, &mut file).await?;
        file.sync_all().await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(true)
    }

    /// When the kept file was stored (in the shared store when there is one); `None` when it
    /// is not kept.
    pub async fn modified(&self, area: Area, relative: &str) -> io::Result<Option<std::time::SystemTime>> {
        match &self.shared {
            Some(s3) => s3.modified(&Self::key(area, relative)).await,
            None => match tokio::fs::metadata(self.root(area).join(relative)).await {
                Ok(meta) => Ok(Some(meta.modified()?)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// The file to stream to a client, with its length; `None` when it is gone.
    pub async fn open(&self, area: Area, relative: &str) -> io::Result<Option<(u64, Reader)>> {
        match &self.shared {
            Some(s3) => Ok(s3.get(&Self::key(area, relative)).await?.map(|(len, body)| (len, body_reader(body)))),
            None => match tokio::fs::File::open(self.root(area).join(relative)).await {
                Ok(file) => {
                    let len = file.metadata().await?.len();
                    Ok(Some((len, Box::new(file) as Reader)))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// Removes the file `relative` of `area`, locally and in the shared store.
    pub async fn remove_file(&self, area: Area, relative: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.root(area).join(relative)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Some(s3) = &self.shared {
            s3.delete(&Self::key(area, relative)).await?;
        }
        Ok(())
    }

    /// Removes the folder of `run` in `area`, locally and in the shared store.
    pub async fn remove(&self, area: Area, run: Uuid) -> io::Result<()> {
        match tokio::fs::remove_dir_all(self.root(area).join(run.to_string())).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Some(s3) = &self.shared {
            s3.delete_prefix(&Self::key(area, &format!("{run}/"))).await?;
        }
        Ok(())
    }
}

fn body_reader(body: hyper::body::Incoming) -> Reader {
    use futures::TryStreamExt;
    use http_body_util::BodyExt;
    Box::new(StreamReader::new(body.into_data_stream().map_err(io::Error::other)))
}

/// Every regular file below `dir` (none when it does not exist); symlinks are not followed.
async fn files_below(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        while let Some(entry) = entries.next_entry().await? {
            let kind = entry.file_type().await?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}
