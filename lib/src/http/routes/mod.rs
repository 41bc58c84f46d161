//! The route modules, one per function: each declares its routes (with their OpenAPI
//! description), parses requests, calls the use cases in `app` and renders the answers. The
//! plumbing they share (extractors, problem+json, layers, the session guard) is in `http`.
//!
//! The list below is the registry of functions: each name is a module here, a crate in
//! `functions/`, a binary in `template.yaml` and the prefix of its sample events. The local
//! server, the OpenAPI document, the events test and the template test all read it, so adding
//! a function is its module, its crate, its template resource and events, and one name here.

/// Declares each function's module and lists it in [`FUNCTIONS`], in the order given.
macro_rules! functions {
    ($($name:ident),+ $(,)?) => {
        $(pub mod $name;)+

        /// Every function, in the order the API documents them.
        pub const FUNCTIONS: &[super::functions::Function] = &[$(
            super::functions::Function {
                name: stringify!($name),
                documented: $name::documented,
                api: $name::api,
            }
        ),+];
    };
}

functions!(
    meta, auth, account, customers, services, proposals, invoices, payments, recurring, documents,
    exports,
);

/// The webhook endpoints' routes, served by the `account` function.
pub mod webhook_endpoints;
