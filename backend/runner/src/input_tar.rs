//! The tar stream written to the container's stdin: `run.json` (the run's own variables),
//! `script.py`, `memory.json`, `action.json` (follow-up runs) and `input/<file>` for each
//! upload. Everything that differs between runs travels here, so a container can be created
//! and started before its run exists.

use std::io;
use std::path::PathBuf;

/// One uploaded file: its sanitised name and where the server keeps its bytes.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub path: PathBuf,
}

/// Whether `name` is safe as a single file name inside `input/`.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
}

pub struct InputBundle<'a> {
    /// `{"env": {name: text}}`: the variables the wrapper hands the tool for this run.
    pub run_json: &'a [u8],
    pub script: &'a str,
    pub memory_json: &'a [u8],
    pub action_json: Option<&'a [u8]>,
    pub files: &'a [InputFile],
}

pub fn build(bundle: &InputBundle<'_>) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    append(&mut builder, "run.json", bundle.run_json)?;
    append(&mut builder, "script.py", bundle.script.as_bytes())?;
    append(&mut builder, "memory.json", bundle.memory_json)?;
    if let Some(action) = bundle.action_json {
        append(&mut builder, "action.json", action)?;
    }
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o700);
    dir.set_size(0);
    set_owner(&mut dir);
    builder.append_data(&mut dir, "input", io::empty())?;
    for file in bundle.files {
        if !is_safe_file_name(&file.name) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unsafe input name {:?}", file.name)));
        }
        let data = std::fs::read(&file.path)?;
        append(&mut builder, &format!("input/{}", file.name), &data)?;
    }
    builder.into_inner()
}

fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    set_owner(&mut header);
    builder.append_data(&mut header, path, data)
}

fn set_owner(header: &mut tar::Header) {
    header.set_uid(10001);
    header.set_gid(10001);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "nul\0", "tab\there"] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
        assert!(is_safe_file_name("Betyg ht25 (1).xlsx"));
    }

    #[test]
    fn bundle_contains_script_memory_and_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let upload = dir.path().join("blob");
        std::fs::write(&upload, b"a,b\n1,2\n").unwrap();
        let files = [InputFile { name: "elever.csv".into(), path: upload }];
        let bundle =
            InputBundle { run_json: b"{}", script: "print(1)", memory_json: b"{}", action_json: None, files: &files };
        let tar = build(&bundle).unwrap();
        let mut archive = tar::Archive::new(&tar[..]);
        let names: Vec<String> =
            archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["run.json", "script.py", "memory.json", "input", "input/elever.csv"]);
    }
}
