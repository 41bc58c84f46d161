//! End-to-end tests over HTTP and the store, against the local stack.

mod account;
mod auth;
mod contract;
mod customers;
mod deletion;
mod documents;
mod events;
mod exports;
mod idempotency;
mod invoices;
mod keyring;
mod lockout;
mod meta;
mod payments;
mod proposals;
mod purge;
mod store;
mod template;
mod web;
