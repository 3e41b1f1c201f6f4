//! The JSON shape of paginated lists and their query parameters.

use serde::{Deserialize, Serialize};
use skriptoteket_domain::{Page, PageRequest};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page (1–100, default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip.
    pub offset: Option<u64>,
}

impl From<PageQuery> for PageRequest {
    fn from(q: PageQuery) -> Self {
        PageRequest::new(q.limit, q.offset)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T> {
    pub items: Vec<T>,
    /// Items in all pages.
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

impl<T> PageResponse<T> {
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let page = page.map(f);
        Self { items: page.items, total: page.total, limit: page.limit, offset: page.offset }
    }
}
