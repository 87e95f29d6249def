//! Fan-out: publishing a notice to N confirmed subscribers (the whole lifecycle action: state
//! machine, message checks, update, audit, outbox `INSERT … SELECT`), against the baseline of a
//! bare `INSERT … SELECT` of the same rows into the same table (same indexes and foreign keys),
//! in the same run and database (SQLite). Target ratio (baseline time / Tangazo time) ≥ 0.8.
//!
//! Run: `cargo bench --bench fanout` (BENCH_SUBSCRIBERS=1000000 by default).

mod common;

use std::time::Instant;

use chrono::Duration;
use sqlx::Connection;
use tangazo::clock::{Clock, SystemClock};
use tangazo::domain::ServiceCode;

fn main() {
    let n = common::env_or("BENCH_SUBSCRIBERS", 1_000_000) as usize;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let (url, settings, store) = common::demo_store(dir.path(), "fanout.db").await;
        let now = SystemClock.now();

        let started = Instant::now();
        common::import(&store, n, now, |i| {
            common::mixed_subscriber(i, None, now)
        })
        .await;
        println!("subscribers: {n} loaded in {:.1} s", started.elapsed().as_secs_f64());

        let start = now + Duration::hours(30);
        let send_money = [ServiceCode::parse("send-money").unwrap()];
        let draft = common::draft_window(&store, "Fan-out benchmark", &send_money, start, now).await;
        let services = store.list_services().await.unwrap();

        let started = Instant::now();
        let update = common::publish(&store, &settings, &services, &draft, now).await;
        let tangazo_secs = started.elapsed().as_secs_f64();
        store.close().await;

        // Baseline: the same rows, bare, into the same table once Tangazo's rows are gone.
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE update_id = $1")
            .bind(update.id.as_str())
            .fetch_one(&mut conn)
            .await
            .unwrap();
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut conn).await.unwrap();
        sqlx::query("DELETE FROM deliveries").execute(&mut conn).await.unwrap();
        let started = Instant::now();
        let done = sqlx::query(
            "INSERT INTO deliveries (id, notice_id, update_id, sequence, event, channel, subscriber_id, \
             language, state, attempts, next_attempt_at, created_at) \
             SELECT $2 || ':' || s.id, $1, $2, 1, 'maintenance.scheduled', s.channel, s.id, s.language, 'pending', 0, 0, 0 \
             FROM subscribers s WHERE s.state = 'confirmed' AND (s.all_services = 1 OR EXISTS ( \
               SELECT 1 FROM subscriber_services ss JOIN notice_services ns ON ns.service_code = ss.service_code \
               WHERE ss.subscriber_id = s.id AND ns.notice_id = $1))",
        )
        .bind(draft.as_str())
        .bind(update.id.as_str())
        .execute(&mut conn)
        .await
        .unwrap()
        .rows_affected();
        let baseline_secs = started.elapsed().as_secs_f64();
        assert_eq!(queued as u64, done, "both queued the same rows");
        println!("deliveries queued: {queued}");
        println!("tangazo publish (action + fan-out, one transaction): {tangazo_secs:.2} s");
        println!("baseline bare INSERT … SELECT: {baseline_secs:.2} s");
        println!("ratio baseline/tangazo: {:.2}", baseline_secs / tangazo_secs);
    });
}
