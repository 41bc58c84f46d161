//! Reads the resource definitions of `template.yaml`, so the local stack creates exactly what
//! the deployment declares: one source of truth for keys, indexes, TTL and key specs.

use anyhow::{Context as _, anyhow};
use yaml_serde::Value;

/// The template, compiled in: the local server needs no checkout beside it.
pub const TEMPLATE_YAML: &str = include_str!("../../template.yaml");

/// Logical ids of the resources the local stack mirrors.
pub const TABLE: &str = "Table";
pub const EXPORT_BUCKET: &str = "ExportBucket";
pub const TENANT_KEY: &str = "TenantDataKey";
pub const SIGNING_KEY: &str = "SessionSigningKey";
pub const FORWARDING_KEY: &str = "ClientForwardingKey";
pub const AUDIT_KEY: &str = "AuditSigningKey";
pub const TABLE_KEY: &str = "TableKey";
pub const EXPORT_KEY: &str = "ExportKey";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttribute {
    pub name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub key_schema: Vec<KeyAttribute>,
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub attribute_definitions: Vec<(String, String)>,
    pub key_schema: Vec<KeyAttribute>,
    pub global_secondary_indexes: Vec<Index>,
    pub ttl_attribute: Option<String>,
    pub billing_mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeySpec {
    pub key_spec: String,
    pub key_usage: String,
    pub rotation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    pub sse_algorithm: String,
    pub export_expiry_days: Option<i32>,
    pub export_prefix: Option<String>,
    pub blocks_public_access: bool,
}

/// How long each kind of copy of an account's data outlives its deletion, in days.
#[derive(Debug, Clone, PartialEq)]
pub struct Retention {
    /// The purge's schedule period: a deleted account waits at most this for its purge.
    pub schedule_days: f64,
    /// Point-in-time recovery: how far back a restore of the table can go.
    pub recovery_days: f64,
    /// The export files' lifecycle.
    pub export_days: f64,
    /// Each log group's name (as written, e.g. `/aws/lambda/${AuthFunction}`) and retention
    /// (`None`: kept for ever).
    pub log_days: Vec<(String, Option<f64>)>,
}

/// `rate(1 hour)`, `rate(2 days)`… in days.
fn rate_in_days(schedule: &str) -> Option<f64> {
    let inner = schedule.strip_prefix("rate(")?.strip_suffix(')')?;
    let (value, unit) = inner.trim().split_once(' ')?;
    let value: f64 = value.parse().ok()?;
    let per_day = match unit.trim_end_matches('s') {
        "minute" => 24.0 * 60.0,
        "hour" => 24.0,
        "day" => 1.0,
        _ => return None,
    };
    Some(value / per_day)
}

/// A Lambda function of the template: its binary, its routes and what its policies allow.
/// One statement of a KMS key policy, with intrinsic functions written as `Tag:argument`
/// (`GetAtt:AuthFunctionRole.Arn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatement {
    pub sid: String,
    pub effect: String,
    pub principals: Vec<String>,
    pub actions: Vec<String>,
    /// The condition block, as JSON text with the same intrinsic notation.
    pub condition: Option<serde_json::Value>,
}

/// A YAML value as plain JSON, intrinsic functions as `Tag:argument` strings.
fn plain(value: &Value) -> serde_json::Value {
    match value {
        Value::Tagged(tagged) => {
            let argument = match &tagged.value {
                Value::String(text) => text.clone(),
                other => plain(other).to_string(),
            };
            serde_json::Value::String(format!(
                "{}:{argument}",
                tagged.tag.to_string().trim_start_matches('!')
            ))
        }
        Value::Mapping(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), plain(v)))
                .collect(),
        ),
        Value::Sequence(list) => serde_json::Value::Array(list.iter().map(plain).collect()),
        Value::String(text) => serde_json::Value::String(text.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Value::String(n.to_string()),
        Value::Null => serde_json::Value::Null,
    }
}

/// A string or a list of strings, as a list.
fn strings(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(text) => vec![text.clone()],
        serde_json::Value::Array(list) => list.iter().flat_map(strings).collect(),
        _ => vec![],
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The `functions/<binary>` crate cargo-lambda builds.
    pub binary: String,
    /// `(METHOD, /path)` of each HttpApi event.
    pub routes: Vec<(String, String)>,
    /// Every action its inline policies allow.
    pub actions: Vec<String>,
    /// Whether any statement allows a resource `*`.
    pub any_resource: bool,
    /// Every statement of its role: its inline policies' and those of the managed policies of
    /// this template it names (`!Ref`).
    pub statements: Vec<RoleStatement>,
}

/// One statement of a function's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStatement {
    pub sid: String,
    pub actions: Vec<String>,
    /// The resources as the template writes them (`!Sub` and `!GetAtt` shown with their tags).
    pub resources: String,
    /// The condition block, as JSON with the same intrinsic notation.
    pub condition: Option<serde_json::Value>,
}

pub struct Template {
    resources: Value,
}

impl Template {
    pub fn parse(yaml: &str) -> anyhow::Result<Self> {
        let root: Value = yaml_serde::from_str(yaml).context("template.yaml is not YAML")?;
        let resources = root
            .get("Resources")
            .cloned()
            .ok_or_else(|| anyhow!("template has no Resources"))?;
        Ok(Self { resources })
    }

    pub fn embedded() -> anyhow::Result<Self> {
        Self::parse(TEMPLATE_YAML)
    }

    fn properties(&self, logical_id: &str) -> anyhow::Result<&Value> {
        self.resources
            .get(logical_id)
            .and_then(|r| r.get("Properties"))
            .ok_or_else(|| anyhow!("template has no {logical_id} with Properties"))
    }

    /// Every `AWS::Serverless::Function`.
    pub fn functions(&self) -> anyhow::Result<Vec<FunctionSpec>> {
        let Some(resources) = self.resources.as_mapping() else {
            return Err(anyhow!("Resources is not a mapping"));
        };
        let mut functions = Vec::new();
        for (id, resource) in resources {
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let logical_id = id.as_str().unwrap_or_default().to_owned();
            let binary = resource
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .map(|b| text(b, "Binary"))
                .transpose()?
                .ok_or_else(|| anyhow!("{logical_id} has no BuildProperties.Binary"))?;
            let properties = resource
                .get("Properties")
                .ok_or_else(|| anyhow!("{logical_id} has no Properties"))?;
            let mut routes = Vec::new();
            if let Some(events) = properties.get("Events").and_then(Value::as_mapping) {
                for event in events.values() {
                    if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                        continue;
                    }
                    let p = event
                        .get("Properties")
                        .ok_or_else(|| anyhow!("{logical_id}: event without Properties"))?;
                    routes.push((text(p, "Method")?, text(p, "Path")?));
                }
            }
            let mut actions = Vec::new();
            let mut statements = Vec::new();
            let mut any_resource = false;
            for policy in properties
                .get("Policies")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                // A managed policy of this template, named by `!Ref`, counts as the role's own.
                let policy = match policy {
                    Value::Tagged(tagged) if tagged.tag == "Ref" => tagged
                        .value
                        .as_str()
                        .and_then(|name| self.resources.get(name))
                        .filter(|r| {
                            r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::ManagedPolicy")
                        })
                        .and_then(|r| r.get("Properties"))
                        .and_then(|p| p.get("PolicyDocument"))
                        .ok_or_else(|| {
                            anyhow!("{logical_id} names a policy not in the template")
                        })?,
                    other => other,
                };
                for statement in policy
                    .get("Statement")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                {
                    let listed: Vec<String> = match statement.get("Action") {
                        Some(Value::String(action)) => vec![action.clone()],
                        Some(Value::Sequence(list)) => list
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                        _ => Vec::new(),
                    };
                    actions.extend(listed.iter().cloned());
                    statements.push(RoleStatement {
                        sid: statement
                            .get("Sid")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        actions: listed,
                        resources: format!(
                            "{:?}",
                            statement.get("Resource").unwrap_or(&Value::Null)
                        ),
                        condition: statement.get("Condition").map(plain),
                    });
                    any_resource |= statement.get("Resource").and_then(Value::as_str) == Some("*");
                }
            }
            functions.push(FunctionSpec {
                logical_id,
                binary,
                routes,
                actions,
                any_resource,
                statements,
            });
        }
        Ok(functions)
    }

    pub fn table(&self) -> anyhow::Result<TableSpec> {
        let p = self.properties(TABLE)?;
        let attribute_definitions = list(p, "AttributeDefinitions")?
            .iter()
            .map(|a| Ok((text(a, "AttributeName")?, text(a, "AttributeType")?)))
            .collect::<anyhow::Result<_>>()?;
        let global_secondary_indexes = match p.get("GlobalSecondaryIndexes") {
            None => vec![],
            Some(_) => list(p, "GlobalSecondaryIndexes")?
                .iter()
                .map(|i| {
                    let projection = i
                        .get("Projection")
                        .ok_or_else(|| anyhow!("index without Projection"))?;
                    Ok(Index {
                        name: text(i, "IndexName")?,
                        key_schema: key_schema(i)?,
                        projection_type: text(projection, "ProjectionType")?,
                        non_key_attributes: match projection.get("NonKeyAttributes") {
                            None => vec![],
                            Some(_) => list(projection, "NonKeyAttributes")?
                                .iter()
                                .map(|v| {
                                    v.as_str()
                                        .map(str::to_owned)
                                        .ok_or_else(|| anyhow!("attribute name"))
                                })
                                .collect::<anyhow::Result<_>>()?,
                        },
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        };
        let ttl_attribute = match p.get("TimeToLiveSpecification") {
            Some(ttl) if ttl.get("Enabled").and_then(Value::as_bool) == Some(true) => {
                Some(text(ttl, "AttributeName")?)
            }
            _ => None,
        };
        Ok(TableSpec {
            attribute_definitions,
            key_schema: key_schema(p)?,
            global_secondary_indexes,
            ttl_attribute,
            billing_mode: text(p, "BillingMode")?,
        })
    }

    pub fn kms_key(&self, logical_id: &str) -> anyhow::Result<KmsKeySpec> {
        let p = self.properties(logical_id)?;
        Ok(KmsKeySpec {
            key_spec: p
                .get("KeySpec")
                .and_then(Value::as_str)
                .unwrap_or("SYMMETRIC_DEFAULT")
                .to_owned(),
            key_usage: p
                .get("KeyUsage")
                .and_then(Value::as_str)
                .unwrap_or("ENCRYPT_DECRYPT")
                .to_owned(),
            rotation: p
                .get("EnableKeyRotation")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The statements of a KMS key's policy.
    pub fn key_policy(&self, logical_id: &str) -> anyhow::Result<Vec<KeyStatement>> {
        let policy = plain(
            self.properties(logical_id)?
                .get("KeyPolicy")
                .ok_or_else(|| anyhow!("{logical_id} has no KeyPolicy"))?,
        );
        let statements = policy["Statement"]
            .as_array()
            .ok_or_else(|| anyhow!("{logical_id}'s policy has no statements"))?;
        Ok(statements
            .iter()
            .map(|statement| KeyStatement {
                sid: statement["Sid"].as_str().unwrap_or_default().to_owned(),
                effect: statement["Effect"].as_str().unwrap_or_default().to_owned(),
                principals: match &statement["Principal"] {
                    serde_json::Value::Object(map) => map.values().flat_map(strings).collect(),
                    other => strings(other),
                },
                actions: strings(&statement["Action"]),
                condition: statement.get("Condition").cloned(),
            })
            .collect())
    }

    /// How long each copy of a deleted account's data can outlive the deletion, in days, as
    /// the template sets it (DESIGN §8): the purge's schedule period, the table's
    /// point-in-time-recovery window, the export files' lifecycle and each log group's
    /// retention (by the function it logs).
    pub fn retention(&self) -> anyhow::Result<Retention> {
        let purge = self.properties("PurgeFunction")?;
        let schedule = purge
            .get("Events")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|events| events.values())
            .find(|event| event.get("Type").and_then(Value::as_str) == Some("Schedule"))
            .and_then(|event| event.get("Properties"))
            .map(|p| text(p, "Schedule"))
            .transpose()?
            .ok_or_else(|| anyhow!("PurgeFunction has no Schedule event"))?;
        let schedule_days = rate_in_days(&schedule)
            .ok_or_else(|| anyhow!("the purge schedule {schedule:?} is not a rate(...)"))?;
        let pitr = self
            .properties(TABLE)?
            .get("PointInTimeRecoverySpecification")
            .ok_or_else(|| anyhow!("Table has no PointInTimeRecoverySpecification"))?;
        let recovery_days = match pitr
            .get("PointInTimeRecoveryEnabled")
            .and_then(Value::as_bool)
        {
            Some(true) => pitr
                .get("RecoveryPeriodInDays")
                .and_then(Value::as_f64)
                // AWS keeps 35 days when the period is not set.
                .unwrap_or(35.0),
            _ => 0.0,
        };
        let export_days = f64::from(
            self.export_bucket()?
                .export_expiry_days
                .ok_or_else(|| anyhow!("export files never expire"))?,
        );
        let mut log_days = Vec::new();
        if let Some(resources) = self.resources.as_mapping() {
            for resource in resources.values() {
                if resource.get("Type").and_then(Value::as_str) != Some("AWS::Logs::LogGroup") {
                    continue;
                }
                let properties = resource.get("Properties");
                let name = properties
                    .and_then(|p| p.get("LogGroupName"))
                    .map(|name| match name {
                        Value::Tagged(tagged) => {
                            tagged.value.as_str().unwrap_or_default().to_owned()
                        }
                        other => other.as_str().unwrap_or_default().to_owned(),
                    })
                    .unwrap_or_default();
                let days = properties
                    .and_then(|p| p.get("RetentionInDays"))
                    .and_then(Value::as_f64);
                log_days.push((name, days));
            }
        }
        Ok(Retention {
            schedule_days,
            recovery_days,
            export_days,
            log_days,
        })
    }

    pub fn export_bucket(&self) -> anyhow::Result<BucketSpec> {
        let p = self.properties(EXPORT_BUCKET)?;
        let sse_algorithm = p
            .get("BucketEncryption")
            .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
            .and_then(Value::as_sequence)
            .and_then(|rules| rules.first())
            .and_then(|rule| rule.get("ServerSideEncryptionByDefault"))
            .and_then(|d| d.get("SSEAlgorithm"))
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("ExportBucket has no default encryption"))?
            .to_owned();
        let rule = p
            .get("LifecycleConfiguration")
            .and_then(|l| l.get("Rules"))
            .and_then(Value::as_sequence)
            .and_then(|rules| rules.first());
        let blocks = p.get("PublicAccessBlockConfiguration");
        let flag =
            |name: &str| blocks.and_then(|b| b.get(name)).and_then(Value::as_bool) == Some(true);
        Ok(BucketSpec {
            sse_algorithm,
            export_expiry_days: rule
                .and_then(|r| r.get("ExpirationInDays"))
                .and_then(Value::as_i64)
                .and_then(|d| i32::try_from(d).ok()),
            export_prefix: rule
                .and_then(|r| r.get("Prefix"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            blocks_public_access: [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ]
            .iter()
            .all(|name| flag(name)),
        })
    }
}

fn text(v: &Value, name: &str) -> anyhow::Result<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("{name} missing or not text"))
}

fn list<'a>(v: &'a Value, name: &str) -> anyhow::Result<&'a Vec<Value>> {
    v.get(name)
        .and_then(Value::as_sequence)
        .ok_or_else(|| anyhow!("{name} missing or not a list"))
}

fn key_schema(v: &Value) -> anyhow::Result<Vec<KeyAttribute>> {
    list(v, "KeySchema")?
        .iter()
        .map(|k| {
            Ok(KeyAttribute {
                name: text(k, "AttributeName")?,
                key_type: text(k, "KeyType")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_declares_the_single_table_design() {
        let table = Template::embedded().and_then(|t| t.table()).expect("table");
        assert_eq!(table.billing_mode, "PAY_PER_REQUEST");
        let keys: Vec<_> = table
            .key_schema
            .iter()
            .map(|k| (k.name.as_str(), k.key_type.as_str()))
            .collect();
        assert_eq!(keys, [("PK", "HASH"), ("SK", "RANGE")]);
        let gsi1 = table
            .global_secondary_indexes
            .iter()
            .find(|i| i.name == "GSI1")
            .expect("GSI1");
        let gsi_keys: Vec<_> = gsi1.key_schema.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(gsi_keys, ["GSI1PK", "GSI1SK"]);
        assert_eq!(table.ttl_attribute.as_deref(), Some("expires_at"));
    }

    #[test]
    fn the_template_declares_the_two_kms_keys() {
        let template = Template::embedded().expect("template");
        let data = template.kms_key(TENANT_KEY).expect("data key");
        assert_eq!(
            (
                data.key_spec.as_str(),
                data.key_usage.as_str(),
                data.rotation
            ),
            ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", true)
        );
        let signing = template.kms_key(SIGNING_KEY).expect("signing key");
        assert_eq!(
            (signing.key_spec.as_str(), signing.key_usage.as_str()),
            ("ECC_NIST_P256", "SIGN_VERIFY")
        );
    }

    #[test]
    fn the_export_bucket_is_private_encrypted_and_expires_exports_after_seven_days() {
        let bucket = Template::embedded()
            .and_then(|t| t.export_bucket())
            .expect("bucket");
        assert_eq!(bucket.sse_algorithm, "aws:kms");
        assert_eq!(bucket.export_expiry_days, Some(7));
        assert_eq!(bucket.export_prefix.as_deref(), Some("exports/"));
        assert!(bucket.blocks_public_access);
    }
}
