//! The example service (see the library docs of `lms_example_service`):
//!
//! ```sh
//! DATABASE_URL=postgres://… LMS_JWT_SECRET=… cargo run -p lms-example-service
//! ```
//!
//! `LMS_LISTEN` is the address to serve on (default `127.0.0.1:8080`). The migrations
//! run at start.

use std::net::SocketAddr;

use lms::db::Lms;
use lms_example_service::{router, AppState, Auth};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL")?;
    let secret = std::env::var("LMS_JWT_SECRET").map_err(|_| "set LMS_JWT_SECRET")?;
    let listen: SocketAddr = std::env::var("LMS_LISTEN")
        .unwrap_or_else(|_| "127.0.0.1:8080".into())
        .parse()?;
    let lms = Lms::connect(&url).await?;
    lms.migrate().await?;
    let app = router(AppState {
        lms,
        auth: Auth::hs256(secret.as_bytes())?,
    });
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
