//! A router that records what it serves. Every route is added through [`Routes`], which
//! registers the handler with axum and writes down its method, path and the query
//! parameters the handler accepts. The record is made by the very calls that build the
//! router that serves, so the contract test compares openapi.yaml with what is served, not
//! with a list kept beside the router that could drift from it.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post};

use super::AppState;

/// One served operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path template, as in openapi.yaml (`/v1/entities/{id}`).
    pub path: &'static str,
    /// The query parameters the handler accepts; any other is refused with 400.
    pub params: &'static [&'static str],
}

/// A router under construction, and the operations it serves so far.
pub(super) struct Routes {
    router: Router<AppState>,
    served: Vec<Route>,
}

impl Routes {
    pub(super) fn new() -> Self {
        Self {
            router: Router::new(),
            served: Vec::new(),
        }
    }

    /// Serves `GET path` with `handler`, which accepts the query parameters `params`.
    pub(super) fn get<H, T>(
        self,
        path: &'static str,
        params: &'static [&'static str],
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, params, get(handler))
    }

    /// Serves `POST path` with `handler`, which accepts the query parameters `params`.
    pub(super) fn post<H, T>(
        self,
        path: &'static str,
        params: &'static [&'static str],
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, params, post(handler))
    }

    /// Serves `PATCH path` with `handler`, which accepts the query parameters `params`.
    pub(super) fn patch<H, T>(
        self,
        path: &'static str,
        params: &'static [&'static str],
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PATCH, path, params, patch(handler))
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        params: &'static [&'static str],
        endpoint: MethodRouter<AppState>,
    ) -> Self {
        // axum merges the methods of one path; a method added twice panics.
        self.router = self.router.route(path, endpoint);
        self.served.push(Route {
            method,
            path,
            params,
        });
        self
    }

    /// Applies `f` to the router (layers), keeping the record.
    pub(super) fn map(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    /// Serves `other`'s routes too.
    pub(super) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.served.extend(other.served);
        self
    }

    /// The router and what it serves.
    pub(super) fn finish(self) -> (Router<AppState>, Vec<Route>) {
        (self.router, self.served)
    }
}
