//! The integration tests, as one test binary: each module was once a binary of its own, and
//! each linked the whole crate. Run one module with `cargo test --test it api::`.

// First, so that `on_both_backends!` is in scope in the modules below.
#[macro_use]
mod common;

mod api;
mod browser;
mod cli;
mod console;
mod delivery;
mod faults;
mod front_page;
mod idempotency;
mod invisible_text;
mod layering;
mod locales;
mod messages;
mod outbox;
mod public;
mod scheduler;
mod signing;
mod smpp;
mod ssrf;
mod standards;
mod store;
mod subscribers;
mod webhooks;
mod workers;
