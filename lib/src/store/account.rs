//! The account item and the reads that need it: the account's plain `status` and session
//! version (`ssv`) beside a record, in one consistent read; and the audit trail every change
//! writes into.

use aws_sdk_dynamodb::types::{AttributeValue, Get, TransactGetItem};

use super::item::{self, Attributes, number_attr};
use super::records::AuditEntry;
use super::tx::{ACCOUNT_ACTIVE, ACCOUNT_STATUS_ATTR, SESSION_VERSION_ATTR, finish};
use super::{ItemKey, Record, Store, StoreError, Stored, Tx, keys};
use crate::domain::TenantId;

/// What a login or session check needs to know of the account item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub active: bool,
    pub session_version: u64,
}

impl Store {
    /// A record of the tenant together with the account's state, read in one consistent
    /// transaction (a login needs the user and the account's session version together).
    pub async fn get_with_account<R: Record>(
        &self,
        tenant: &TenantId,
        key: &ItemKey,
    ) -> Result<(Option<AccountState>, Option<Stored<R>>), StoreError> {
        super::ensure_in_tenant(tenant, key)?;
        let clients = self.as_tenant(tenant).await?;
        let read = async {
            self.transact_get(
                clients.dynamodb(),
                vec![account_get(self, tenant)?, plain_get(self, key, &[])?],
            )
            .await
        };
        let (mut items, cipher) = tokio::try_join!(read, self.cipher_with(tenant, &clients))?;
        let record = items
            .pop()
            .flatten()
            .map(|attrs| item::decode::<R>(&cipher, &attrs))
            .transpose()?;
        let account = items
            .pop()
            .flatten()
            .map(|attrs| account_state(&attrs))
            .transpose()?;
        Ok((account, record))
    }

    /// Whether the tenant's account exists and is not closed: one consistent read of its plain
    /// status, with no key needed.
    pub async fn account_is_active(&self, tenant: &TenantId) -> Result<bool, StoreError> {
        let db = self.db_of(tenant).await?;
        let status = self
            .account_attribute(&db, tenant, ACCOUNT_STATUS_ATTR)
            .await
            .map_err(StoreError::Aws)?;
        Ok(matches!(status, Some(AttributeValue::S(status)) if status == ACCOUNT_ACTIVE))
    }

    /// One consistent read of `gets`, made with `db` (a tenant's client, or the function's own).
    pub(super) async fn transact_get(
        &self,
        db: &aws_sdk_dynamodb::Client,
        gets: Vec<TransactGetItem>,
    ) -> Result<Vec<Option<Attributes>>, StoreError> {
        let expected = gets.len();
        let out = db
            .transact_get_items()
            .set_transact_items(Some(gets))
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let responses: Vec<_> = out
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|response| response.item.filter(|attrs| !attrs.is_empty()))
            .collect();
        if responses.len() != expected {
            return Err(StoreError::Corrupt(anyhow::anyhow!(
                "transaction read returned {} of {expected} items",
                responses.len()
            )));
        }
        Ok(responses)
    }
}

pub(super) fn account_get(store: &Store, tenant: &TenantId) -> Result<TransactGetItem, StoreError> {
    let get = Get::builder()
        .table_name(store.table.as_ref())
        .set_key(Some(item::key_attributes(&keys::account(tenant))))
        .projection_expression("#status, #ssv")
        .expression_attribute_names("#status", ACCOUNT_STATUS_ATTR)
        .expression_attribute_names("#ssv", SESSION_VERSION_ATTR);
    Ok(TransactGetItem::builder().get(finish(get.build())?).build())
}

pub(super) fn plain_get(
    store: &Store,
    key: &ItemKey,
    only: &[&str],
) -> Result<TransactGetItem, StoreError> {
    let mut get = Get::builder()
        .table_name(store.table.as_ref())
        .set_key(Some(item::key_attributes(key)));
    if !only.is_empty() {
        let names: Vec<String> = (0..only.len()).map(|i| format!("#only{i}")).collect();
        get = get.projection_expression(names.join(", "));
        for (name, attribute) in names.into_iter().zip(only) {
            get = get.expression_attribute_names(name, *attribute);
        }
    }
    Ok(TransactGetItem::builder().get(finish(get.build())?).build())
}

pub(super) fn account_state(attrs: &Attributes) -> Result<AccountState, StoreError> {
    let active =
        matches!(attrs.get(ACCOUNT_STATUS_ATTR), Some(AttributeValue::S(s)) if s == ACCOUNT_ACTIVE);
    Ok(AccountState {
        active,
        session_version: number_attr(attrs, SESSION_VERSION_ATTR)?,
    })
}

impl Tx {
    /// Adds an entry to the account's audit trail, written with the rest of the transaction.
    pub fn audit(&mut self, entry: &AuditEntry) -> &mut Self {
        let key = keys::audit(self.tenant(), &crate::domain::ids::next_ulid());
        self.create(&key, entry)
    }
}
