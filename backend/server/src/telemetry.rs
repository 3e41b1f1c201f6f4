//! Tracing set-up: `RUST_LOG`-style filtering, text or JSON lines.

use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (e.g. in tests) is harmless, so the error is ignored on purpose.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
