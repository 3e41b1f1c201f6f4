//! A small S3 client for what Skriptoteket stores: put a file (streamed from disk), get one
//! (streamed), check, delete, and list or delete a prefix. Any S3-compatible service works:
//! `STORAGE_URL=s3://bucket/prefix` names the place, and the usual variables the rest —
//! `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (MinIO, Ceph, a local test server; path-style
//! requests), `AWS_REGION` or `AWS_DEFAULT_REGION` (`us-east-1`), `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`. Without an endpoint it is AWS itself
//! (`https://<bucket>.s3.<region>.amazonaws.com`).

use super::sigv4::{self, Credentials, EMPTY_SHA256, UNSIGNED_PAYLOAD, encode};
use anyhow::{Context, bail};
use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::io;
use std::path::Path;
use tokio_util::io::ReaderStream;

type Body = BoxBody<Bytes, io::Error>;

const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Until the answer's head (a PUT's whole body included: 50 MB at a slow 200 KB/s); a GET's
/// body then streams as long as it takes.
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Clone)]
pub struct S3 {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    /// `http(s)://host[:port]` requests go to.
    origin: String,
    host: String,
    /// Path-style (`/<bucket>/<key>`) or virtual-hosted (`<bucket>.host/<key>`).
    path_style: bool,
    bucket: String,
    /// Prepended to every key, without a trailing slash; may be empty.
    prefix: String,
    region: String,
    credentials: Credentials,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{} at {}", self.bucket, self.prefix, self.origin)
    }
}

impl S3 {
    /// The store named by `url` (`s3://bucket/prefix`) with the endpoint and credentials of
    /// the environment.
    pub fn from_env(url: &str) -> anyhow::Result<Self> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let endpoint = env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL"));
        let region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into());
        let credentials = Credentials {
            access_key: env("AWS_ACCESS_KEY_ID").context("STORAGE_URL is s3:// but AWS_ACCESS_KEY_ID is not set")?,
            secret_key: env("AWS_SECRET_ACCESS_KEY")
                .context("STORAGE_URL is s3:// but AWS_SECRET_ACCESS_KEY is not set")?,
            session_token: env("AWS_SESSION_TOKEN"),
        };
        Self::new(url, endpoint.as_deref(), &region, credentials)
    }

    pub fn new(url: &str, endpoint: Option<&str>, region: &str, credentials: Credentials) -> anyhow::Result<Self> {
        let Some(rest) = url.strip_prefix("s3://") else { bail!("STORAGE_URL must start with s3:// (got `{url}`)") };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("STORAGE_URL `{url}` names no bucket");
        }
        let (origin, path_style) = match endpoint {
            Some(e) => (e.trim_end_matches('/').to_owned(), true),
            None => (format!("https://{bucket}.s3.{region}.amazonaws.com"), false),
        };
        let host = origin.split_once("://").map_or(origin.as_str(), |(_, h)| h).to_owned();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .context("loading the system's TLS roots for S3")?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            origin,
            host,
            path_style,
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            region: region.to_owned(),
            credentials,
        })
    }

    fn full_key(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_owned() } else { format!("{}/{key}", self.prefix) }
    }

    /// Sends one signed request for `key` (the store's prefix added; `None`: the bucket).
    async fn send(
        &self,
        method: Method,
        key: Option<&str>,
        query: &[(String, String)],
        body: Body,
        length: Option<u64>,
    ) -> io::Result<Response<Incoming>> {
        let object = key.map(|k| encode(&self.full_key(k), true)).unwrap_or_default();
        let path = if self.path_style { format!("/{}/{object}", self.bucket) } else { format!("/{object}") };
        let now = chrono::Utc::now();
        let payload = if length.is_some() { UNSIGNED_PAYLOAD } else { EMPTY_SHA256 };
        let mut headers = vec![
            ("host".to_owned(), self.host.clone()),
            ("x-amz-content-sha256".to_owned(), payload.to_owned()),
            ("x-amz-date".to_owned(), now.format("%Y%m%dT%H%M%SZ").to_string()),
        ];
        if let Some(token) = &self.credentials.session_token {
            headers.push(("x-amz-security-token".to_owned(), token.clone()));
        }
        let signed =
            sigv4::Request { method: method.as_str(), path: &path, query, headers: &headers, payload_hash: payload };
        let authorization = sigv4::authorization(&signed, &self.credentials, &self.region, now);
        let query_string: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let uri = if query.is_empty() {
            format!("{}{path}", self.origin)
        } else {
            format!("{}{path}?{}", self.origin, query_string.join("&"))
        };
        let mut builder = Request::builder().method(method).uri(uri).header("authorization", authorization);
        for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
            builder = builder.header(name, value);
        }
        if let Some(length) = length {
            builder = builder.header("content-length", length);
        }
        let request = builder.body(body).map_err(io::Error::other)?;
        // A store that stops answering fails the request instead of holding it (and a worker).
        match tokio::time::timeout(ANSWER_TIMEOUT, self.client.request(request)).await {
            Ok(answer) => answer.map_err(io::Error::other),
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "the S3 store did not answer within 5 minutes")),
        }
    }

    /// Uploads the file at `path` as `key`, streamed from disk.
    pub async fn put_file(&self, key: &str, path: &Path) -> io::Result<()> {
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        let body = StreamBody::new(ReaderStream::new(file).map_ok(Frame::data)).boxed();
        let response = self.send(Method::PUT, Some(key), &[], body, Some(length)).await?;
        expect_success(response, "PUT", key).await.map(drop)
    }

    /// The object `key` as a body stream and its length; `None` when there is none.
    pub async fn get(&self, key: &str) -> io::Result<Option<(u64, Incoming)>> {
        let response = self.send(Method::GET, Some(key), &[], empty(), None).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(expect_success(response, "GET", key).await.err().unwrap_or_else(|| io::Error::other("S3 GET")));
        }
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Some((length, response.into_body())))
    }

    pub async fn exists(&self, key: &str) -> io::Result<bool> {
        Ok(self.modified(key).await?.is_some())
    }

    /// When the object `key` was written; `None` when there is none.
    pub async fn modified(&self, key: &str) -> io::Result<Option<std::time::SystemTime>> {
        let response = self.send(Method::HEAD, Some(key), &[], empty(), None).await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => {
                let header = response.headers().get("last-modified").and_then(|v| v.to_str().ok());
                let at = header.and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok());
                Ok(Some(at.map_or_else(std::time::SystemTime::now, std::time::SystemTime::from)))
            }
            s => Err(io::Error::other(format!("S3 HEAD {key}: {s}"))),
        }
    }

    pub async fn delete(&self, key: &str) -> io::Result<()> {
        let response = self.send(Method::DELETE, Some(key), &[], empty(), None).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        expect_success(response, "DELETE", key).await.map(drop)
    }

    /// The keys under `prefix` (relative to the store's own prefix).
    pub async fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        let full = self.full_key(prefix);
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type".to_owned(), "2".to_owned()), ("prefix".to_owned(), encode(&full, false))];
            if let Some(t) = &token {
                query.push(("continuation-token".to_owned(), encode(t, false)));
            }
            let response = self.send(Method::GET, None, &query, empty(), None).await?;
            let body = expect_success(response, "LIST", prefix).await?;
            let text = String::from_utf8_lossy(&body).into_owned();
            keys.extend(tags(&text, "Key").map(|k| k.strip_prefix(&strip).unwrap_or(&k).to_owned()));
            token = tags(&text, "NextContinuationToken").next();
            if token.is_none() || !text.contains("<IsTruncated>true</IsTruncated>") {
                return Ok(keys);
            }
        }
    }

    /// Deletes every object under `prefix`; how many there were.
    pub async fn delete_prefix(&self, prefix: &str) -> io::Result<usize> {
        let keys = self.list(prefix).await?;
        for key in &keys {
            self.delete(key).await?;
        }
        Ok(keys.len())
    }

    /// Creates the bucket (tests and first set-up); an existing one of ours is fine.
    pub async fn create_bucket(&self) -> io::Result<()> {
        // Outside us-east-1 S3 wants the region named in the request body.
        let response = if self.region == "us-east-1" {
            self.send(Method::PUT, None, &[], empty(), None).await?
        } else {
            let xml = format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                self.region
            );
            let length = xml.len() as u64;
            let body = http_body_util::Full::new(Bytes::from(xml)).map_err(|never| match never {}).boxed();
            self.send(Method::PUT, None, &[], body, Some(length)).await?
        };
        if response.status() == StatusCode::CONFLICT {
            return Ok(());
        }
        expect_success(response, "CREATE BUCKET", &self.bucket).await.map(drop)
    }

    /// A cheap round trip for readiness: the bucket answers a one-key listing.
    pub async fn check(&self) -> io::Result<()> {
        let query = [("list-type".to_owned(), "2".to_owned()), ("max-keys".to_owned(), "1".to_owned())];
        let response = self.send(Method::GET, None, &query, empty(), None).await?;
        expect_success(response, "LIST", "").await.map(drop)
    }
}

fn empty() -> Body {
    Empty::<Bytes>::new().map_err(|never| match never {}).boxed()
}

/// The body of a successful answer; an error naming the status and S3's message otherwise.
async fn expect_success(response: Response<Incoming>, what: &str, key: &str) -> io::Result<Bytes> {
    let status = response.status();
    let body = response.into_body().collect().await.map_err(io::Error::other)?.to_bytes();
    if status.is_success() {
        return Ok(body);
    }
    let message = tags(&String::from_utf8_lossy(&body), "Message").next().unwrap_or_default();
    Err(io::Error::other(format!("S3 {what} {key}: {status} {message}")))
}

/// The unescaped text of each `<name>…</name>` in an S3 XML answer.
fn tags(xml: &str, name: &str) -> std::vec::IntoIter<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let found: Vec<String> = xml
        .split(open.as_str())
        .skip(1)
        .filter_map(|part| {
            let text = part.split(close.as_str()).next()?;
            Some(
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect();
    found.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_read_with_escapes() {
        let xml = "<ListBucketResult><Contents><Key>p/a &amp; b.txt</Key></Contents><Contents><Key>p/c</Key></Contents>\
                   <IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(tags(xml, "Key").collect::<Vec<_>>(), ["p/a & b.txt", "p/c"]);
        assert_eq!(tags(xml, "NextContinuationToken").next(), None);
    }

    #[test]
    fn urls_name_a_bucket_and_prefix() {
        let creds = Credentials { access_key: "a".into(), secret_key: "b".into(), session_token: None };
        let s3 = S3::new("s3://skola/skt/", Some("http://127.0.0.1:9000/"), "eu-north-1", creds.clone()).unwrap();
        assert_eq!((s3.bucket.as_str(), s3.prefix.as_str(), s3.host.as_str()), ("skola", "skt", "127.0.0.1:9000"));
        assert_eq!(s3.full_key("uploads/x"), "skt/uploads/x");
        let aws = S3::new("s3://skola", None, "eu-north-1", creds.clone()).unwrap();
        assert_eq!(aws.origin, "https://skola.s3.eu-north-1.amazonaws.com");
        assert!(S3::new("file:///x", None, "r", creds.clone()).is_err());
        assert!(S3::new("s3:///x", None, "r", creds).is_err());
    }
}
