//! The route modules, one per function: each declares its routes (with their OpenAPI
//! description), parses requests, calls the use cases in `app` and renders the answers. The
//! plumbing they share (extractors, problem+json, layers, the session guard) is in `http`.

pub mod account;
pub mod auth;
pub mod customers;
pub mod documents;
pub mod exports;
pub mod invoices;
pub mod meta;
pub mod payments;
pub mod proposals;
pub mod services;
