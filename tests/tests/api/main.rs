//! End-to-end tests over HTTP and the store, against the local stack.

mod events;
mod keyring;
mod meta;
mod store;
