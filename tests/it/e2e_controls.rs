//! The operator's controls for the anniversary (issue 23), seen from outside the
//! process: the window of days "on this day" posts on.

use std::time::Duration;

use qantar_bot::lang::Lang;
use qantar_bot::render::View;

use crate::catalog::day;
use crate::e2e_outreach::{
    Reader, admin, builder, on_this_day, readers, restart_at, subscribe_all, tally, tell,
};

/// 20 December 2026, 09:30 in Almaty: a day with an event of the record (2021), weeks
/// before the anniversary.
const DEC20_0930: &str = "2026-12-20T04:30:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_posts_outside_the_window() {
    let catalog = crate::catalog::shipped();
    let mut h = builder().start().await;
    let readers = readers(7_540_000_000, 3);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, DEC20_0930);
    h.bot
        .wait_log(
            "outreach: window 01-02..01-19; next send 2027-01-02 09:00",
            1,
        )
        .await;
    tokio::time::sleep(crate::e2e_outreach::SETTLE).await;
    let that_day = |r: &Reader| on_this_day(&catalog, r.lang, "2026-12-20");
    assert_eq!(tally(&h, &readers, that_day), vec![0; readers.len()]);
    for r in &readers {
        assert_eq!(h.api.sent_to(r.id()).len(), 1, "only its /subscribe answer");
    }
    tell(
        &h,
        &admin(),
        "/rehearse 2026-12-20",
        Lang::En,
        View::RehearseOutsideWindow {
            day: day("2026-12-20"),
            window: "01-02..01-19".into(),
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_may_open_the_window_to_every_day() {
    let catalog = crate::catalog::shipped();
    let mut h = builder().env("QANTAR_DAILY_WINDOW", "all").start().await;
    let readers = readers(7_541_000_000, 2);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, DEC20_0930);
    let that_day = |r: &Reader| on_this_day(&catalog, r.lang, "2026-12-20");
    crate::e2e_outreach::wait_everyone(&h, &readers, that_day, Duration::from_secs(20)).await;
}
