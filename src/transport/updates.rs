//! The stream of updates the dispatcher reads, fed by the polling task or by the
//! webhook's HTTP requests: both transports hand updates over the same way.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use teloxide::stop::StopFlag;
use teloxide::types::Update;
use tokio::sync::mpsc;

/// Updates arriving from a task (polling) or from HTTP requests (webhook); ends when
/// every sender is gone or, if given, when the stop flag is raised.
pub struct UpdateStream<E> {
    rx: mpsc::Receiver<Result<Update, E>>,
    stop: Option<StopFlag>,
}

impl<E> UpdateStream<E> {
    pub fn new(rx: mpsc::Receiver<Result<Update, E>>, stop: Option<StopFlag>) -> Self {
        UpdateStream { rx, stop }
    }
}

impl<E> Stream for UpdateStream<E> {
    type Item = Result<Update, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(stop) = self.stop.as_mut()
            && Pin::new(stop).poll(cx).is_ready()
        {
            return Poll::Ready(None);
        }
        self.rx.poll_recv(cx)
    }
}
