//! All SQL of newsgraph, one module per aggregate. Functions take `impl PgExecutor` so they
//! run on the pool or inside a transaction. Nothing here knows HTTP.
