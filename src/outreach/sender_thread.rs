//! The outreach sender on a thread and one-thread runtime of its own. At a paid 1,000
//! messages a second its requests, their JSON and its store writes took enough of the
//! main runtime's one thread to put replies to readers behind them (BENCHMARKS.md,
//! "broadcasts"); on its own thread it never holds a reply up, and the operating system
//! shares the cores between the two. Its HTTP client and store pool are opened on that
//! thread, since connections belong to the runtime that opened them.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::deliver::client::ClientSettings;
use crate::deliver::photo::Pictures;
use crate::outreach::sender::OutreachSender;

/// How long to wait before trying again to open the sender's store or client.
const RETRY: Duration = Duration::from_secs(2);

/// The running sender: `finished` waits until it gave its lease up and closed its pool.
pub struct SenderThread {
    done: oneshot::Receiver<()>,
}

impl SenderThread {
    pub async fn finished(self) {
        let _ = self.done.await;
    }
}

/// Starts the sender, named `holder` on the lease; it runs until `stop`.
pub fn start(
    client: ClientSettings,
    app: Arc<App>,
    (username, holder): (String, String),
    stop: CancellationToken,
) -> std::io::Result<SenderThread> {
    let (tx, done) = oneshot::channel();
    std::thread::Builder::new()
        .name("outreach".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(run(client, app, (username, holder), stop)),
                Err(e) => log::error!("outreach: cannot start its runtime: {e}"),
            }
            let _ = tx.send(());
        })?;
    Ok(SenderThread { done })
}

async fn run(
    client: ClientSettings,
    app: Arc<App>,
    (username, holder): (String, String),
    stop: CancellationToken,
) {
    let (store, bot) = loop {
        match (app.store.attach().await, client.bot()) {
            (Ok(store), Some(bot)) => break (store, bot),
            (Err(e), _) => log::warn!("outreach: cannot open its store pool: {e}"),
            (_, None) => log::warn!("outreach: cannot set up its HTTP client"),
        }
        tokio::select! {
            () = tokio::time::sleep(RETRY) => {}
            () = stop.cancelled() => return,
        }
    };
    let outreach = app.outreach.clone();
    OutreachSender {
        bot,
        pictures: Arc::new(Pictures::new(store.clone())),
        store: store.clone(),
        app,
        outreach,
        username,
        holder,
        stop,
        flying: Default::default(),
    }
    .run()
    .await;
    store.close().await;
}
