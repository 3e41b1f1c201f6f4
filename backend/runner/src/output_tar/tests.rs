//! Hostile archives: everything a tool could plant in its output.

use super::*;

fn limits() -> OutputLimits {
    OutputLimits { max_files: 3, max_file_bytes: 100, max_total_bytes: 150, max_result_bytes: 64 }
}

/// Appends an entry with a raw name, bypassing the tar crate's own path checks.
fn raw_entry(builder: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, data: &[u8], link: Option<&str>) {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    if let Some(target) = link {
        header.set_link_name(target).unwrap();
    }
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn file(builder: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
    raw_entry(builder, name, tar::EntryType::Regular, data, None);
}

fn read_tar(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> (OutputBundle, tempfile::TempDir) {
    let mut builder = tar::Builder::new(Vec::new());
    build(&mut builder);
    let bytes = builder.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    (read(&bytes[..], dir.path(), &limits()), dir)
}

#[test]
fn keeps_result_and_regular_outputs_under_our_own_names() {
    let (bundle, dir) = read_tar(|b| {
        file(b, "result.json", b"{\"contract_version\":2}");
        file(b, "output/report.txt", b"hello");
        file(b, "./output/sub/data.csv", b"a,b");
    });
    assert_eq!(bundle.result_json.as_deref(), Some(&b"{\"contract_version\":2}"[..]));
    let names: Vec<_> = bundle.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["report.txt", "sub/data.csv"]);
    assert_eq!(std::fs::read(dir.path().join("000")).unwrap(), b"hello");
    assert!(bundle.problems.is_empty(), "{:?}", bundle.problems);
}

#[test]
fn links_devices_and_escaping_paths_are_refused() {
    let (bundle, dir) = read_tar(|b| {
        raw_entry(b, "output/passwd", tar::EntryType::Symlink, b"", Some("/etc/passwd"));
        raw_entry(b, "output/hard", tar::EntryType::Link, b"", Some("/etc/shadow"));
        raw_entry(b, "output/dev", tar::EntryType::Char, b"", None);
        raw_entry(b, "output/fifo", tar::EntryType::Fifo, b"", None);
        file(b, "../escape.txt", b"x");
        file(b, "output/../../etc/cron.d/evil", b"x");
        file(b, "/etc/passwd", b"x");
        file(b, "input/secret.txt", b"x");
        file(b, "output/ok.txt", b"fine");
    });
    assert_eq!(bundle.artifacts.len(), 1, "{:?}", bundle.artifacts);
    assert_eq!(bundle.artifacts[0].name, "ok.txt");
    assert_eq!(bundle.problems.len(), 8, "{:#?}", bundle.problems);
    let stored: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(stored, ["000"], "only our own names exist on disk");
}

#[test]
fn count_per_file_and_total_caps_hold() {
    let (bundle, _dir) = read_tar(|b| {
        file(b, "output/big.bin", &[0u8; 101]);
        file(b, "output/a", &[1u8; 80]);
        file(b, "output/b", &[2u8; 80]);
        file(b, "output/c", &[3u8; 10]);
        file(b, "output/d", &[4u8; 10]);
        file(b, "output/e", &[5u8; 10]);
    });
    let names: Vec<_> = bundle.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "c", "d"]);
    assert!(
        bundle.problems.iter().any(|p| p.contains("big.bin") && p.contains("larger than")),
        "{:?}",
        bundle.problems
    );
    assert!(bundle.problems.iter().any(|p| p.contains("`b` would exceed")), "{:?}", bundle.problems);
    assert!(bundle.problems.iter().any(|p| p.contains("more than 3 files")), "{:?}", bundle.problems);
}

#[test]
fn oversized_result_and_junk_streams_do_not_panic() {
    let (bundle, _dir) = read_tar(|b| file(b, "result.json", &[b' '; 65]));
    assert!(bundle.result_too_large && bundle.result_json.is_none());

    let dir = tempfile::tempdir().unwrap();
    let junk = vec![0xAB; 4096];
    let bundle = read(&junk[..], dir.path(), &limits());
    assert!(bundle.result_json.is_none());
    assert!(!bundle.problems.is_empty());
}

#[test]
fn duplicate_names_keep_the_first() {
    let (bundle, dir) = read_tar(|b| {
        file(b, "output/x.txt", b"first");
        file(b, "output/x.txt", b"second");
    });
    assert_eq!(bundle.artifacts.len(), 1);
    assert_eq!(std::fs::read(dir.path().join("000")).unwrap(), b"first");
}

#[test]
fn names_that_display_differently_from_what_they_are_are_refused() {
    let (bundle, _dir) = read_tar(|b| {
        file(b, "output/rapport\u{202E}fdp.exe", b"MZ");
        file(b, "output/ett\u{200B}.txt", b"x");
        file(b, "output/betyg.pdf", b"%PDF");
    });
    let names: Vec<_> = bundle.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["betyg.pdf"]);
    assert_eq!(bundle.problems.len(), 2, "{:#?}", bundle.problems);
    assert!(
        bundle.problems[0].contains("rapport?fdp.exe"),
        "the notice shows the hidden character: {:?}",
        bundle.problems
    );
}

#[test]
fn a_pax_size_record_is_the_size_that_counts() {
    // A file of 8 GiB or more carries its size in a PAX record; the header's own field says 0.
    let (bundle, _dir) = read_tar(|b| {
        b.append_pax_extensions([("size", b"9000000000".as_slice())]).unwrap();
        file(b, "output/huge.bin", b"");
        file(b, "output/ok.txt", b"ok");
    });
    let names: Vec<_> = bundle.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert!(!names.contains(&"huge.bin"), "an empty stand-in must not be kept: {names:?}");
    assert!(bundle.problems.iter().any(|p| p.contains("huge.bin")), "{:?}", bundle.problems);
}

#[test]
fn a_file_cut_short_by_the_end_of_the_stream_is_not_kept() {
    let mut builder = tar::Builder::new(Vec::new());
    file(&mut builder, "output/whole.txt", b"whole");
    file(&mut builder, "output/cut.txt", &[b'x'; 90]);
    let bytes = builder.into_inner().unwrap();
    // The stream ends inside cut.txt's data, as when a run times out mid-transfer.
    let cut_at = bytes.windows(4).position(|w| w == b"xxxx").unwrap() + 40;
    let dir = tempfile::tempdir().unwrap();
    let bundle = read(&bytes[..cut_at], dir.path(), &limits());
    let names: Vec<_> = bundle.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["whole.txt"]);
    assert!(bundle.problems.iter().any(|p| p.contains("cut.txt") && p.contains("cut short")), "{:?}", bundle.problems);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no partial file left on disk");
}
