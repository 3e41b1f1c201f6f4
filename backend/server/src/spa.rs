//! Serves the built SPA with history fallback: unknown paths outside `/api` get `index.html`.

use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The SPA service, or `None` when the directory has no `index.html` (not built yet).
pub fn router(dir: &Path) -> Option<Router> {
    let index = dir.join("index.html");
    if !index.is_file() {
        return None;
    }
    let files = ServeDir::new(dir).fallback(ServeFile::new(index));
    Some(Router::new().fallback_service(files))
}
