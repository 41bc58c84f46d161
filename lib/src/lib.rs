//! InvoiceFlow: a multi-tenant invoicing API on AWS Lambda.
//!
//! Imports run one way, from the top down: `web` (pages over the API) → `http` (parse, call one
//! use case, render) → `app` (the use cases: reads and writes) → `export`, `render`, `store`
//! (DynamoDB and S3; every key in `store::keys`), `crypto` → `domain` (pure: no I/O, no AWS
//! types). No file of `http` but the session guard names the store (a test checks it), and no
//! arrow runs back up. `state` builds every client once per cold start.

pub mod app;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod deliveries;
pub mod domain;
pub mod export;
pub mod http;
pub mod link;
pub mod notice;
pub mod purge;
pub mod render;
pub mod schedules;
pub mod site;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod webhooks;

pub use clock::Clock;
pub use state::AppState;
