//! `[params.ROLE]`: one parameters table for every group of a role, so a model whose
//! replicas share one set of parameters (Raft, quorum, a detector, …) is configured in
//! one place however many groups place its nodes. A group's own `params` are laid
//! over the role's table key by key: a key the group writes replaces the role's value
//! for that key (whole, nested tables included), every other key comes from the role.

use super::schema;
use super::validate::Bad;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// The role tables of a file, checked against its groups' roles.
pub(super) struct RoleParams<'f> {
    tables: &'f BTreeMap<String, Spanned<toml::Table>>,
}

impl<'f> RoleParams<'f> {
    /// Reads `[params]`; a role no group has is an error naming the roles there are.
    pub(super) fn of(file: &'f schema::File) -> Result<Self, Bad> {
        static EMPTY: BTreeMap<String, Spanned<toml::Table>> = BTreeMap::new();
        let Some(tables) = &file.params else {
            return Ok(RoleParams { tables: &EMPTY });
        };
        let roles: BTreeSet<&str> = file
            .groups
            .iter()
            .map(|g| g.role.get_ref().trim())
            .collect();
        for (role, table) in tables.get_ref() {
            if !roles.contains(role.as_str()) {
                return Err(Bad::at(
                    table,
                    format!("params.{role}"),
                    format!(
                        "no group has role {role:?}; [params.ROLE] tables are for the groups' roles: {}",
                        roles.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(RoleParams {
            tables: tables.get_ref(),
        })
    }

    /// The parameters of a group of `role` that writes `own`: the role's table with
    /// the group's keys laid over it.
    pub(super) fn merged(&self, role: &str, own: Option<&toml::Table>) -> toml::Table {
        let mut merged = self
            .tables
            .get(role)
            .map(|t| t.get_ref().clone())
            .unwrap_or_default();
        if let Some(own) = own {
            merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        merged
    }

    /// The role's table, for an error about parameters a group did not write itself.
    pub(super) fn table(&self, role: &str) -> Option<&'f Spanned<toml::Table>> {
        self.tables.get(role)
    }
}
