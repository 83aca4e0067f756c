//! Stopping cleanly: SIGINT and SIGTERM (Docker and systemd stop with the latter; teloxide
//! handles only SIGINT) cancel one token that everything waiting can observe.

use std::time::Duration;

use teloxide::dispatching::ShutdownToken;
use tokio_util::sync::CancellationToken;

/// Cancelled on SIGINT or SIGTERM.
pub fn stop_signal() -> CancellationToken {
    let stop = CancellationToken::new();
    let trigger = stop.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        log::info!("stop requested; finishing replies in flight");
        trigger.cancel();
    });
    stop
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            log::warn!("cannot listen for SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Hands a stop request to the dispatcher, which lets in-flight handlers finish.
pub fn stop_dispatcher_on(token: ShutdownToken, stop: CancellationToken) {
    tokio::spawn(async move {
        stop.cancelled().await;
        // The dispatcher may not have started yet; keep asking until it takes the request.
        loop {
            match token.shutdown() {
                Ok(done) => {
                    done.await;
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
}
