//! The tamper-evident audit trail: what a checkpoint signs and how a trail is checked against
//! its checkpoints (decision 0027).
//!
//! - Each audit entry has one canonical line: the JSON object `{"id", "at", …the entry's
//!   fields}` with no spaces, its keys in that fixed order. The complete export carries these
//!   very lines (`audit/trail.jsonl`), so a check needs nothing else.
//! - Checkpoint `n` covers the entries after checkpoint `n - 1`'s last, oldest first. Its
//!   digest is SHA-256 over the previous checkpoint's digest (hex; 64 zeros for the first)
//!   and a newline, then each entry's line and a newline. The chain makes every checkpoint
//!   answer for everything before it.
//! - A checkpoint's [`Statement`] (the tenant, its number, first and last entry, how many, the
//!   previous digest and its own) is signed with an ECDSA P-256 key that never leaves KMS and
//!   that only the scheduled pass may use.
//!
//! Deleting, changing or inserting an entry older than the last checkpoint changes a digest.
//! Deleting or changing a checkpoint breaks the numbering, the chain or a signature.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The previous digest of the first checkpoint.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The version of the line and statement formats.
pub const VERSION: u32 = 1;

/// How often the scheduled pass looks at an account's trail for entries to sign.
pub const EVERY_SECONDS: i64 = 3600;

/// How old an entry must be before a checkpoint covers it. An entry's id is a ULID made when
/// its request built the transaction, so an entry may land a little after a younger one; no
/// request lives longer than Lambda's 15 minutes, so older ones are all in place.
pub const SETTLE_SECONDS: i64 = 15 * 60;

/// The most entries one checkpoint covers; more wait for the next, made at once.
pub const MAX_ENTRIES: usize = 1000;

/// The canonical line of one entry: `{"id":…,"at":…,<fields>}`, where `fields` serialises to
/// a JSON object (an entry's own fields, in their declared order).
pub fn line<E: Serialize>(id: &str, at: &str, fields: &E) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Line<'a, E: Serialize> {
        id: &'a str,
        at: &'a str,
        #[serde(flatten)]
        fields: &'a E,
    }
    serde_json::to_string(&Line { id, at, fields })
}

/// The digest of a run of lines that follows the digest `previous`.
#[derive(Clone)]
pub struct Chain {
    hasher: Sha256,
    count: u64,
    first: Option<String>,
    last: Option<String>,
}

impl Chain {
    pub fn after(previous: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(previous.as_bytes());
        hasher.update(b"\n");
        Self {
            hasher,
            count: 0,
            first: None,
            last: None,
        }
    }

    /// Adds the entry `id`, whose canonical line is `line`.
    pub fn push(&mut self, id: &str, line: &str) {
        self.hasher.update(line.as_bytes());
        self.hasher.update(b"\n");
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(id.to_owned());
        }
        self.last = Some(id.to_owned());
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn first(&self) -> Option<&str> {
        self.first.as_deref()
    }

    pub fn last(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// The digest so far (hex).
    pub fn digest(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

/// What one checkpoint's signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub v: u32,
    /// The account (`acc_…`).
    pub tenant: String,
    /// 1 for the first checkpoint, then one more each.
    pub seq: u64,
    /// The first and last entry it covers (their ids, ULIDs).
    pub first: String,
    pub through: String,
    pub count: u64,
    /// The previous checkpoint's digest ([`GENESIS`] for the first).
    pub previous: String,
    pub digest: String,
    /// When it was signed (RFC 3339).
    pub signed_at: String,
}

impl Statement {
    /// The text that is signed and kept: its JSON, keys in declared order.
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A kept statement, read back (at most 2 KB).
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > 2048 {
            return None;
        }
        serde_json::from_str(text).ok()
    }
}

/// What is wrong with a trail, found by checking it against its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// A checkpoint's signature does not verify, or its statement does not read.
    SignatureInvalid { seq: u64 },
    /// A checkpoint is for another account.
    OtherAccount { seq: u64 },
    /// Checkpoints are missing: `seq` came where `expected` was due.
    CheckpointMissing { expected: u64, seq: u64 },
    /// The checkpoint does not follow the one before it (a checkpoint was removed or changed).
    ChainBroken { seq: u64 },
    /// The entries the checkpoint covers are not the ones it signed: one was deleted, changed
    /// or inserted among them.
    EntriesChanged {
        seq: u64,
        first: String,
        through: String,
    },
    /// An entry that cannot be opened (its stored form was changed).
    EntryUnreadable { id: String },
}

/// Checks a trail against its checkpoints, as the account's owner and an offline script do.
/// Feed each checkpoint (in order) with [`Verifier::checkpoint`], each entry (oldest first) with
/// [`Verifier::entry`], then [`Verifier::finish`].
pub struct Verifier {
    tenant: String,
    /// Checkpoints whose signature held, in order; the entries are matched against them.
    pending: std::collections::VecDeque<Statement>,
    /// The one being matched and the entries seen of it so far.
    current: Option<(Statement, Chain)>,
    /// The digest the next checkpoint must follow.
    previous: String,
    expected_seq: u64,
    sealed_through: Option<String>,
    checkpoints: u64,
    sealed: u64,
    unsealed: u64,
    problems: Vec<Problem>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// No problem found: every entry up to the last checkpoint is as it was signed.
    pub intact: bool,
    pub checkpoints: u64,
    /// Entries covered by a checkpoint.
    pub entries_sealed: u64,
    /// Entries newer than the last checkpoint (the next pass covers them).
    pub entries_unsealed: u64,
    /// The last checkpoint's last entry, if any.
    pub sealed_through: Option<String>,
    pub problems: Vec<Problem>,
}

impl Verifier {
    pub fn new(tenant: &str) -> Self {
        Self {
            tenant: tenant.to_owned(),
            pending: Default::default(),
            current: None,
            previous: GENESIS.to_owned(),
            expected_seq: 1,
            sealed_through: None,
            checkpoints: 0,
            sealed: 0,
            unsealed: 0,
            problems: Vec::new(),
        }
    }

    /// The next checkpoint, its statement and whether its signature `verified`.
    pub fn checkpoint(&mut self, text: &str, verified: bool) {
        self.checkpoints += 1;
        let Some(statement) = Statement::parse(text).filter(|_| verified) else {
            self.problems.push(Problem::SignatureInvalid {
                seq: self.expected_seq,
            });
            self.expected_seq += 1;
            return;
        };
        if statement.tenant != self.tenant {
            self.problems
                .push(Problem::OtherAccount { seq: statement.seq });
            return;
        }
        if statement.seq != self.expected_seq {
            self.problems.push(Problem::CheckpointMissing {
                expected: self.expected_seq,
                seq: statement.seq,
            });
        }
        if statement.previous != self.previous {
            self.problems
                .push(Problem::ChainBroken { seq: statement.seq });
        }
        self.expected_seq = statement.seq + 1;
        self.previous = statement.digest.clone();
        self.sealed_through = Some(statement.through.clone());
        self.pending.push_back(statement);
    }

    /// The next entry, oldest first: its id and canonical line (`None`: it did not open).
    pub fn entry(&mut self, id: &str, line: Option<&str>) {
        if line.is_none() {
            // It still counts in its checkpoint's run, whose digest then differs too.
            self.problems
                .push(Problem::EntryUnreadable { id: id.to_owned() });
        }
        loop {
            if self.current.is_none() {
                match self.pending.pop_front() {
                    Some(statement) => {
                        let chain = Chain::after(&statement.previous);
                        self.current = Some((statement, chain));
                    }
                    None => {
                        self.unsealed += 1;
                        return;
                    }
                }
            }
            let Some((statement, chain)) = self.current.as_mut() else {
                return;
            };
            if id <= statement.through.as_str() {
                chain.push(id, line.unwrap_or(""));
                self.sealed += 1;
                return;
            }
            // Past this checkpoint's last entry: it is complete.
            self.close();
        }
    }

    fn close(&mut self) {
        if let Some((statement, chain)) = self.current.take()
            && (chain.digest() != statement.digest
                || chain.count() != statement.count
                || chain.first() != Some(statement.first.as_str())
                || chain.last() != Some(statement.through.as_str()))
        {
            self.problems.push(Problem::EntriesChanged {
                seq: statement.seq,
                first: statement.first,
                through: statement.through,
            });
        }
    }

    pub fn finish(mut self) -> Verification {
        self.close();
        // Checkpoints whose entries are all gone.
        while let Some(statement) = self.pending.pop_front() {
            self.current = Some((statement.clone(), Chain::after(&statement.previous)));
            self.close();
        }
        Verification {
            intact: self.problems.is_empty(),
            checkpoints: self.checkpoints,
            entries_sealed: self.sealed,
            entries_unsealed: self.unsealed,
            sealed_through: self.sealed_through,
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries `A…` with trivial lines, and statements for checkpoints over `runs` of them.
    fn signed(runs: &[&[&str]]) -> Vec<Statement> {
        let mut previous = GENESIS.to_owned();
        let mut statements = Vec::new();
        for (n, run) in runs.iter().enumerate() {
            let mut chain = Chain::after(&previous);
            for id in *run {
                chain.push(id, &format!("{{\"id\":\"{id}\"}}"));
            }
            let statement = Statement {
                v: VERSION,
                tenant: "ten_1".into(),
                seq: n as u64 + 1,
                first: run[0].to_owned(),
                through: run[run.len() - 1].to_owned(),
                count: chain.count(),
                previous: previous.clone(),
                digest: chain.digest(),
                signed_at: "2026-12-04T10:00:00Z".into(),
            };
            previous = statement.digest.clone();
            statements.push(statement);
        }
        statements
    }

    fn check(statements: &[Statement], entries: &[&str]) -> Verification {
        let mut verifier = Verifier::new("ten_1");
        for statement in statements {
            verifier.checkpoint(&statement.text(), true);
        }
        for id in entries {
            verifier.entry(id, Some(&format!("{{\"id\":\"{id}\"}}")));
        }
        verifier.finish()
    }

    fn kinds(found: &Verification) -> Vec<String> {
        found
            .problems
            .iter()
            .map(|p| serde_json::to_value(p).expect("json")["problem"].to_string())
            .collect()
    }

    #[test]
    fn an_untouched_trail_is_intact_and_newer_entries_are_counted_apart() {
        let statements = signed(&[&["A", "B"], &["C"]]);
        let found = check(&statements, &["A", "B", "C", "D"]);
        assert!(found.intact, "{found:?}");
        assert_eq!((found.entries_sealed, found.entries_unsealed), (3, 1));
        assert_eq!(found.sealed_through.as_deref(), Some("C"));
    }

    #[test]
    fn a_deleted_inserted_or_missing_entry_changes_its_checkpoint() {
        let statements = signed(&[&["A", "C"], &["E"]]);
        for entries in [&["A", "E"][..], &["A", "B", "C", "E"], &["A", "C"]] {
            let found = check(&statements, entries);
            assert!(!found.intact, "{entries:?}");
            assert!(
                kinds(&found).contains(&"\"entries-changed\"".to_owned()),
                "{entries:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_checkpoint_removed_or_from_another_account_or_unsigned_is_found() {
        let statements = signed(&[&["A"], &["B"], &["C"]]);
        let found = check(
            &[statements[0].clone(), statements[2].clone()],
            &["A", "B", "C"],
        );
        let kinds = kinds(&found);
        assert!(
            kinds.contains(&"\"checkpoint-missing\"".to_owned()),
            "{kinds:?}"
        );
        assert!(kinds.contains(&"\"chain-broken\"".to_owned()), "{kinds:?}");

        let mut verifier = Verifier::new("ten_2");
        verifier.checkpoint(&statements[0].text(), true);
        assert!(kinds_of(verifier).contains(&"\"other-account\"".to_owned()));

        let mut verifier = Verifier::new("ten_1");
        verifier.checkpoint(&statements[0].text(), false);
        assert!(kinds_of(verifier).contains(&"\"signature-invalid\"".to_owned()));
        let mut verifier = Verifier::new("ten_1");
        verifier.checkpoint("{not json", true);
        assert!(kinds_of(verifier).contains(&"\"signature-invalid\"".to_owned()));
    }

    fn kinds_of(verifier: Verifier) -> Vec<String> {
        kinds(&verifier.finish())
    }

    #[test]
    fn an_unreadable_entry_is_named() {
        let statements = signed(&[&["A", "B"]]);
        let mut verifier = Verifier::new("ten_1");
        verifier.checkpoint(&statements[0].text(), true);
        verifier.entry("A", Some("{\"id\":\"A\"}"));
        verifier.entry("B", None);
        let found = verifier.finish();
        assert_eq!(
            found.problems[0],
            Problem::EntryUnreadable { id: "B".into() }
        );
        assert!(!found.intact);
    }

    #[test]
    fn a_line_is_the_entry_after_its_id_and_time_in_declared_order() {
        #[derive(Serialize)]
        struct Entry {
            action: &'static str,
            object: Option<&'static str>,
        }
        let line = line(
            "01J",
            "2026-12-04T10:00:00Z",
            &Entry {
                action: "customer.create",
                object: None,
            },
        )
        .expect("line");
        assert_eq!(
            line,
            r#"{"id":"01J","at":"2026-12-04T10:00:00Z","action":"customer.create","object":null}"#
        );
    }
}
