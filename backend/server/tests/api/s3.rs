//! The S3 client against a real S3-compatible server on loopback (moto in server mode, which
//! `make test-rust` starts: `SKRIPTOTEKET_TEST_S3_ENDPOINT`). Skipped, saying so, without it.

use skriptoteket_server::blobs::S3;
use skriptoteket_server::blobs::sigv4::Credentials;

/// A store on a fresh bucket of the test server, or `None` (with a note) when there is none.
pub async fn test_store() -> Option<S3> {
    let Ok(endpoint) = std::env::var("SKRIPTOTEKET_TEST_S3_ENDPOINT") else {
        eprintln!("SKIPPED: SKRIPTOTEKET_TEST_S3_ENDPOINT is not set (make test-rust starts a local S3 server)");
        return None;
    };
    let credentials = Credentials { access_key: "test".into(), secret_key: "test".into(), session_token: None };
    let url = format!("s3://skt-{}/data", uuid::Uuid::new_v4().simple());
    let s3 = S3::new(&url, Some(&endpoint), "eu-north-1", credentials).unwrap();
    s3.create_bucket().await.unwrap();
    Some(s3)
}

#[tokio::test]
async fn files_go_in_come_out_and_are_removed_by_prefix() {
    let Some(s3) = test_store().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&big, &content).unwrap();
    let small = dir.path().join("small");
    std::fs::write(&small, "Anna;5\n").unwrap();

    s3.put_file("artifacts/r1/betyg 7B (2) överblick.txt", &small).await.unwrap();
    s3.put_file("artifacts/r1/sub/big.bin", &big).await.unwrap();
    s3.put_file("artifacts/r2/x", &small).await.unwrap();
    assert!(s3.exists("artifacts/r1/betyg 7B (2) överblick.txt").await.unwrap());
    assert!(!s3.exists("artifacts/r1/nope").await.unwrap());

    let (len, body) = s3.get("artifacts/r1/sub/big.bin").await.unwrap().expect("the object");
    assert_eq!(len, 3_000_000);
    let bytes = http_body_util::BodyExt::collect(body).await.unwrap().to_bytes();
    assert!(bytes == content, "the same bytes come back");
    assert!(s3.get("artifacts/r1/nope").await.unwrap().is_none());

    let mut keys = s3.list("artifacts/r1/").await.unwrap();
    keys.sort();
    assert_eq!(keys, ["artifacts/r1/betyg 7B (2) överblick.txt", "artifacts/r1/sub/big.bin"]);
    assert_eq!(s3.delete_prefix("artifacts/r1/").await.unwrap(), 2);
    assert!(s3.list("artifacts/r1/").await.unwrap().is_empty());
    assert_eq!(s3.list("artifacts/").await.unwrap(), ["artifacts/r2/x"], "other runs stay");
    s3.check().await.unwrap();
}
