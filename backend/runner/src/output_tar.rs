//! Reads the result tar the wrapper streams back, in process and never through the host
//! file system: only `result.json` and regular files under `output/` are accepted, each
//! stored under a name *we* choose, within count and size caps. Links, devices, absolute
//! paths and `..` are refused, so nothing the tool planted can make the host follow a path.

use skriptoteket_domain::names::is_deceptive;
use skriptoteket_domain::run_error::FileCap;
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub struct OutputLimits {
    pub max_files: usize,
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
    pub max_result_bytes: u64,
}

/// One kept output file: its relative name below `output/` and where we stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArtifact {
    pub name: String,
    pub stored_as: PathBuf,
    pub bytes: u64,
}

#[derive(Debug, Default)]
pub struct OutputBundle {
    /// The raw `result.json`, when present and within its cap.
    pub result_json: Option<Vec<u8>>,
    pub result_too_large: bool,
    pub artifacts: Vec<StoredArtifact>,
    /// What was refused or cut, one sentence each (English, for the run's technical log).
    pub problems: Vec<String>,
    /// How many files were not kept, and why (for the run's `output_cut` code).
    pub not_kept: u64,
    pub caps: Vec<FileCap>,
}

impl OutputBundle {
    /// Notes a file (or, with `files: 0`, output of unknown size) that was not kept.
    pub fn refuse(&mut self, cap: FileCap, files: u64, problem: String) {
        self.problems.push(problem);
        self.not_kept += files;
        if !self.caps.contains(&cap) {
            self.caps.push(cap);
        }
    }
}

enum Target {
    Result,
    Artifact(String),
}

/// Reads `reader` to the end (or to the first corrupt header) into `dest`, which must exist.
pub fn read(reader: impl Read, dest: &Path, limits: &OutputLimits) -> OutputBundle {
    let mut bundle = OutputBundle::default();
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            bundle.refuse(FileCap::Unreadable, 0, format!("The tool's output could not be read ({e})."));
            return bundle;
        }
    };
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut count_cut = false;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let problem = format!("The tool's output archive is corrupt ({e}); later files were not kept.");
                bundle.refuse(FileCap::Unreadable, 0, problem);
                break;
            }
        };
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            let problem = format!("`{}` is not a regular file (links and devices are never kept).", shown(&raw_name));
            bundle.refuse(FileCap::Name, 1, problem);
            continue;
        }
        let Some(target) = classify(&raw_name) else {
            let problem = format!("`{}` has an unsafe or unexpected path and was not kept.", shown(&raw_name));
            bundle.refuse(FileCap::Name, 1, problem);
            continue;
        };
        // `size()` honours a PAX `size` record (files of 8 GiB and more); the header's own
        // field then says 0 and would let any size through.
        let size = entry.size();
        match target {
            Target::Result => {
                if size > limits.max_result_bytes {
                    bundle.result_too_large = true;
                    continue;
                }
                let mut buf = Vec::with_capacity(size as usize);
                if entry.by_ref().take(limits.max_result_bytes + 1).read_to_end(&mut buf).is_ok() {
                    bundle.result_json = Some(buf);
                }
            }
            Target::Artifact(name) => {
                if !seen.insert(name.clone()) {
                    bundle.problems.push(format!("`{}` appeared twice; the first copy was kept.", shown(&name)));
                    continue;
                }
                if bundle.artifacts.len() >= limits.max_files {
                    if count_cut {
                        bundle.not_kept += 1;
                    } else {
                        let problem =
                            format!("The tool wrote more than {} files; the rest were not kept.", limits.max_files);
                        bundle.refuse(FileCap::FileCount, 1, problem);
                        count_cut = true;
                    }
                    continue;
                }
                if size > limits.max_file_bytes {
                    bundle.refuse(
                        FileCap::FileSize,
                        1,
                        format!(
                            "`{}` is larger than {} MiB and was not kept.",
                            shown(&name),
                            limits.max_file_bytes / (1024 * 1024)
                        ),
                    );
                    continue;
                }
                if total + size > limits.max_total_bytes {
                    bundle.refuse(
                        FileCap::TotalSize,
                        1,
                        format!(
                            "`{}` would exceed the {} MiB total for a run and was not kept.",
                            shown(&name),
                            limits.max_total_bytes / (1024 * 1024)
                        ),
                    );
                    continue;
                }
                let stored_as = dest.join(format!("{:03}", bundle.artifacts.len()));
                match store(&mut entry, &stored_as, size) {
                    Ok(bytes) => {
                        total += bytes;
                        bundle.artifacts.push(StoredArtifact { name, stored_as, bytes });
                    }
                    Err(e) => {
                        let _ = std::fs::remove_file(&stored_as);
                        bundle.refuse(FileCap::Unreadable, 1, format!("`{}` could not be stored ({e}).", shown(&name)));
                    }
                }
            }
        }
    }
    bundle
}

/// `result.json`, or `output/<relative>` with only normal, printable components.
fn classify(raw: &str) -> Option<Target> {
    if raw.len() > 1024 || raw.chars().any(|c| c.is_control() || is_deceptive(c)) || raw.contains('\\') {
        return None;
    }
    let path = Path::new(raw);
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => {
                let part = part.to_str()?;
                if part.len() > 255 {
                    return None;
                }
                parts.push(part);
            }
            Component::CurDir if parts.is_empty() => {}
            _ => return None,
        }
    }
    match parts.as_slice() {
        ["result.json"] => Some(Target::Result),
        ["output", rest @ ..] if !rest.is_empty() => Some(Target::Artifact(rest.join("/"))),
        _ => None,
    }
}

/// Stores exactly `size` bytes; a file cut short (the run ended while it was being sent) is an
/// error, so no truncated artifact is ever kept as if it were whole.
fn store(entry: &mut impl Read, path: &Path, size: u64) -> io::Result<u64> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    let copied = io::copy(&mut entry.take(size), &mut file)?;
    if copied < size {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "it was cut short when the run ended"));
    }
    Ok(copied)
}

/// A name as shown in a notice: at most 120 characters, invisible and control characters as `?`.
fn shown(name: &str) -> String {
    let visible: String = name.chars().map(|c| if c.is_control() || is_deceptive(c) { '?' } else { c }).collect();
    if visible.chars().count() <= 120 { visible } else { visible.chars().take(117).collect::<String>() + "..." }
}

#[cfg(test)]
mod tests;
