//! Reports a tool's `SyntaxError` (with line and column) before any container starts, using
//! the host's Python when there is one. Without Python on the host the runner reports it.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxIssue {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for SyntaxIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Syntax error at line {}, column {}: {}", self.line, self.column, self.message)
    }
}

const CHECK: &str = "import ast, json, sys\n\
try:\n    ast.parse(sys.stdin.read(), 'script.py')\n    print('null')\n\
except SyntaxError as e:\n    print(json.dumps([e.lineno or 0, e.offset or 0, e.msg]))\n";

/// Remembers recent verdicts: a sandbox author runs the same source many times.
#[derive(Default)]
pub struct SyntaxChecker {
    cache: Mutex<HashMap<u64, Option<SyntaxIssue>>>,
}

impl SyntaxChecker {
    pub async fn check(&self, source: &str) -> Option<SyntaxIssue> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        source.hash(&mut hasher);
        let key = hasher.finish();
        if let Some(hit) = self.cache.lock().expect("cache lock").get(&key) {
            return hit.clone();
        }
        let verdict = match run_python(source).await {
            Ok(verdict) => verdict,
            Err(e) => {
                tracing::debug!(error = %e, "no host python for the syntax pre-check; the runner will report it");
                return None;
            }
        };
        let mut cache = self.cache.lock().expect("cache lock");
        if cache.len() > 256 {
            cache.clear();
        }
        cache.insert(key, verdict.clone());
        verdict
    }
}

async fn run_python(source: &str) -> std::io::Result<Option<SyntaxIssue>> {
    let mut child = tokio::process::Command::new("python3")
        .args(["-I", "-S", "-c", CHECK])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let source = source.to_owned();
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(source.as_bytes()).await;
    });
    let output = tokio::time::timeout(Duration::from_secs(5), child.wait_with_output())
        .await
        .map_err(|_| std::io::Error::other("syntax check timed out"))??;
    let _ = writer.await;
    let verdict: Option<(u32, u32, String)> = serde_json::from_slice(&output.stdout)
        .map_err(|e| std::io::Error::other(format!("unexpected syntax check output: {e}")))?;
    Ok(verdict.map(|(line, column, message)| SyntaxIssue { line, column, message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn finds_line_and_column_of_a_syntax_error() {
        let checker = SyntaxChecker::default();
        assert_eq!(checker.check("def run_tool(i, o):\n    return 1\n").await, None);
        let issue = checker.check("x = 1\ndef run_tool(i, o)\n    pass\n").await.expect("python3 on the test host");
        assert_eq!(issue.line, 2);
        assert!(issue.to_string().contains("line 2"), "{issue}");
    }
}
