//! InvoiceFlow: a multi-tenant invoicing API on AWS Lambda.
//!
//! Imports run one way: `http` → `domain` ← `store`, `crypto`. `domain` is pure (no I/O, no AWS
//! types); `state` builds every client once per cold start.

pub mod app;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod export;
pub mod http;
pub mod purge;
pub mod render;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;

pub use clock::Clock;
pub use state::AppState;
