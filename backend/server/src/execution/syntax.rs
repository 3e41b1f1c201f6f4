//! Reports a tool's `SyntaxError` (with line and column) before any container starts, using
//! the host's Python when it knows the runner's grammar. Tools are written for the runner's
//! Python 3.13; an older host would refuse valid code (3.12 made f-strings nest their quotes and
//! added `type` statements), so an interpreter older than 3.12 is not asked at all and the
//! runner reports syntax errors instead. `SKRIPTOTEKET_SYNTAX_PYTHON` names the interpreter
//! (default `python3`).

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

/// Prints `"old"` on an interpreter whose grammar is older than the runner's, else the verdict.
const CHECK: &str = "import ast, json, sys\n\
if sys.version_info < (3, 12):\n    print(json.dumps('old'))\n    sys.exit(0)\n\
try:\n    ast.parse(sys.stdin.read(), 'script.py')\n    print('null')\n\
except SyntaxError as e:\n    print(json.dumps([e.lineno or 0, e.offset or 0, e.msg]))\n";

/// The interpreter of the pre-check.
fn interpreter() -> String {
    std::env::var("SKRIPTOTEKET_SYNTAX_PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "python3".into())
}

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
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| {
                    tracing::warn!(error = %e, "no syntax pre-check (set SKRIPTOTEKET_SYNTAX_PYTHON to Python ≥ 3.12); the runner reports syntax errors");
                });
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
    let mut child = tokio::process::Command::new(interpreter())
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
    if output.stdout.trim_ascii() == b"\"old\"" {
        return Err(std::io::Error::other(format!("{} is older than Python 3.12", interpreter())));
    }
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
        let issue = checker
            .check("x = 1\ndef run_tool(i, o)\n    pass\n")
            .await
            .expect("Python ≥ 3.12 on the test host (SKRIPTOTEKET_SYNTAX_PYTHON; `make test` finds one)");
        assert_eq!(issue.line, 2);
        assert!(issue.to_string().contains("line 2"), "{issue}");
    }

    #[tokio::test]
    async fn the_runners_grammar_is_accepted() {
        let checker = SyntaxChecker::default();
        let modern = "type Rad = dict[str, str]\ndef run_tool(i, o):\n    d = {'a': 1}\n    return f\"{d[\"a\"]}\"\n";
        assert_eq!(checker.check(modern).await, None, "3.12 f-strings and type statements are valid tool code");
    }
}
