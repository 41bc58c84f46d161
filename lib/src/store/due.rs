//! The sparse index of due work (GSI1): recurring invoices whose next period has come. Only
//! items with work to do carry an entry (a paused or ended schedule has none), so a pass reads
//! what is due and nothing else; no pass scans the table.

use aws_sdk_dynamodb::types::AttributeValue;

use super::tx::{DUE_INDEX_PK, DUE_INDEX_SK};
use super::{Store, StoreError, keys};
use crate::domain::ids::RecurringInvoiceId;
use crate::domain::{TenantId, Timestamp};

const DUE_INDEX: &str = "GSI1";

/// One page of what is due, and where the next page starts.
pub struct DuePage {
    pub due: Vec<(TenantId, RecurringInvoiceId)>,
    pub next: Option<String>,
}

impl Store {
    /// Recurring invoices due by `now`, the longest due first: a page of at most `limit`,
    /// from after `after` (the sort key a previous page ended at).
    pub async fn due_recurring(
        &self,
        now: Timestamp,
        limit: i32,
        after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let mut query = self
            .db
            .query()
            .table_name(self.table.as_ref())
            .index_name(DUE_INDEX)
            .key_condition_expression("#pk = :due AND #sk <= :now")
            .expression_attribute_names("#pk", DUE_INDEX_PK)
            .expression_attribute_names("#sk", DUE_INDEX_SK)
            .expression_attribute_values(":due", AttributeValue::S(keys::RECURRING_DUE.into()))
            // Every entry due at or before `now` (`~` sorts after `#`).
            .expression_attribute_values(
                ":now",
                AttributeValue::S(format!("{:012}~", now.unix_seconds().max(0))),
            )
            .limit(limit);
        if let Some(after) = after {
            let Some((tenant, id)) = keys::parse_recurring_due(&after) else {
                return Err(StoreError::BadCursor);
            };
            let tenant = TenantId::from_due_index(tenant);
            let item = keys::recurring_invoice(&tenant, &id);
            query = query
                .exclusive_start_key("PK", AttributeValue::S(item.pk))
                .exclusive_start_key("SK", AttributeValue::S(item.sk))
                .exclusive_start_key(DUE_INDEX_PK, AttributeValue::S(keys::RECURRING_DUE.into()))
                .exclusive_start_key(DUE_INDEX_SK, AttributeValue::S(after));
        }
        let out = query.send().await.map_err(|e| StoreError::Aws(e.into()))?;
        let mut next = None;
        let due = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|attrs| {
                let entry = match attrs.get(DUE_INDEX_SK) {
                    Some(AttributeValue::S(entry)) => entry.as_str(),
                    _ => "",
                };
                next = Some(entry.to_owned());
                keys::parse_recurring_due(entry)
                    .map(|(tenant, id)| (TenantId::from_due_index(tenant), id))
                    .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("a bad due-index entry")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DuePage {
            due,
            next: out.last_evaluated_key.and(next),
        })
    }
}
