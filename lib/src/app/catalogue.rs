//! Customers and services: collections whose records default to the company's currency when a
//! request names none (a new one, or a service whose currency is cleared).

use crate::AppState;
use crate::domain::catalogue::{NewService, Service, ServicePatch};
use crate::domain::customer::Customer;
use crate::domain::ids::ServiceId;
use crate::domain::values::Currency;

use super::collection::{self, Render};
use super::idempotency::{self, Answer};
use super::reads;
use super::{Actor, Error, Result};

/// The company's currency: what a customer or service is in unless it names its own.
pub async fn company_currency(state: &AppState, actor: &Actor) -> Result<Currency> {
    match reads::company(state, actor.tenant()).await {
        Ok(company) => Ok(company.record.currency),
        Err(Error::NotFound) => Err(Error::invalid(
            "currency",
            "required: the company profile has no currency to default to",
        )),
        Err(other) => Err(other),
    }
}

/// Adds a customer, in the company's currency unless it names one.
pub async fn create_customer(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    mut customer: Customer,
    render: Render<Customer>,
) -> Result<Answer> {
    if customer.currency.is_none() {
        customer.currency = Some(company_currency(state, actor).await?);
    }
    collection::create(state, actor, request, customer, render).await
}

/// Adds a service to the catalogue, priced in the company's currency unless it names one.
pub async fn create_service(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    service: NewService,
    render: Render<Service>,
) -> Result<Answer> {
    let currency = match service.currency {
        Some(currency) => currency,
        None => company_currency(state, actor).await?,
    };
    collection::create(state, actor, request, service.priced_in(currency), render).await
}

/// Changes a service; a currency cleared with `null` falls back to the company's.
pub async fn update_service(
    state: &AppState,
    actor: &Actor,
    id: &ServiceId,
    expected: Option<u64>,
    patch: ServicePatch,
) -> Result<crate::store::Stored<Service>> {
    let default = match patch.currency {
        Some(None) => Some(company_currency(state, actor).await?),
        _ => None,
    };
    collection::update::<Service>(state, actor, id, expected, |current| {
        Ok(current.patched(patch, default.unwrap_or(current.currency)))
    })
    .await
}
