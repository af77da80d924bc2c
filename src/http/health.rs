//! Operations endpoints: `/healthz` (the process is up) and `/readyz` (the database answers
//! and the entity directory is loaded).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{OriginalUri, State};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::error::ApiError;
use super::params::Params;
use crate::directory::Directory;
use crate::replicas::{Out, Reads};

/// How long /readyz waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: 200 while the process runs. Touches nothing else, so an orchestrator does
/// not restart a healthy process because its database is down.
pub async fn get_healthz(OriginalUri(uri): OriginalUri) -> Result<Json<Value>, ApiError> {
    Params::parse(uri.query(), &[])?;
    Ok(Json(json!({ "status": "ok" })))
}

/// `GET /readyz`: 200 when the database (the primary) answers within two seconds and the
/// entity directory (when on) has its first snapshot, else a 503 problem. The body lists the
/// standbys reads may use and their state; one being out does not make the server unready,
/// since reads then go to the primary.
pub async fn get_readyz(
    State(pool): State<PgPool>,
    State(directory): State<Option<Arc<Directory>>>,
    State(reads): State<Arc<Reads>>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, ApiError> {
    Params::parse(uri.query(), &[])?;
    if let Some(directory) = directory {
        // Waits for (or starts) the first load; a large directory may take longer.
        match tokio::time::timeout(READY_TIMEOUT, directory.snapshot()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "readiness check failed");
                return Err(ApiError::DatabaseUnavailable);
            }
            Err(_) => return Err(ApiError::Starting),
        }
    }
    let ping = sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(&pool);
    match tokio::time::timeout(READY_TIMEOUT, ping).await {
        Ok(Ok(_)) => Ok(Json(
            json!({ "status": "ready", "standbys": standbys(&reads) }),
        )),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness check failed");
            Err(ApiError::DatabaseUnavailable)
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            Err(ApiError::DatabaseUnavailable)
        }
    }
}

fn standbys(reads: &Reads) -> Vec<Value> {
    reads
        .status()
        .into_iter()
        .map(|standby| {
            json!({
                "name": standby.name,
                "address": standby.address,
                "in_rotation": standby.out.is_none(),
                "out_because": standby.out.map(Out::as_str),
                "lag_seconds": standby.lag.map(|lag| lag.as_secs_f64()),
                "reads": standby.reads,
            })
        })
        .collect()
}
