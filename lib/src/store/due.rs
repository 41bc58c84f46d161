//! The sparse index of due work (GSI1): recurring invoices whose next period has come, open
//! invoices whose next payment reminder's day has come. Only items with work to do carry an
//! entry (a paused or ended schedule has none, a paid invoice none), so a pass reads what is
//! due and nothing else; no pass scans the table.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::tx::{DUE_INDEX_PK, DUE_INDEX_SK};
use super::{Store, StoreError, keys};
use crate::domain::{TenantId, Timestamp};

const DUE_INDEX: &str = "GSI1";

/// Where the next page of the index starts (its last evaluated key, as DynamoDB gave it).
pub type DueCursor = HashMap<String, AttributeValue>;

/// One page of what is due: the tenant and the item's ULID of each entry, and where the next
/// page starts.
pub struct DuePage {
    pub due: Vec<(TenantId, ulid::Ulid)>,
    pub next: Option<DueCursor>,
}

impl Store {
    /// The entries of `partition` (`keys::RECURRING_DUE`, `keys::REMINDERS_DUE`) due by `now`,
    /// the longest due first: a page of at most `limit`, from `after`.
    pub async fn due(
        &self,
        partition: &str,
        now: Timestamp,
        limit: i32,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        let out = self
            .db
            .query()
            .table_name(self.table.as_ref())
            .index_name(DUE_INDEX)
            .key_condition_expression("#pk = :due AND #sk <= :now")
            .expression_attribute_names("#pk", DUE_INDEX_PK)
            .expression_attribute_names("#sk", DUE_INDEX_SK)
            .expression_attribute_values(":due", AttributeValue::S(partition.into()))
            // Every entry due at or before `now` (`~` sorts after `#`).
            .expression_attribute_values(
                ":now",
                AttributeValue::S(format!("{:012}~", now.unix_seconds().max(0))),
            )
            .limit(limit)
            .set_exclusive_start_key(after)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let due = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|attrs| {
                let entry = match attrs.get(DUE_INDEX_SK) {
                    Some(AttributeValue::S(entry)) => entry.as_str(),
                    _ => "",
                };
                keys::parse_due(entry)
                    .map(|(tenant, id)| (TenantId::from_due_index(tenant), id))
                    .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("a bad due-index entry")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DuePage {
            due,
            next: out.last_evaluated_key,
        })
    }
}
