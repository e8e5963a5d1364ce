//! A scenario's groups as a model reads them: which roles there are, the one
//! parameter set a role's groups share, the role a model needs exactly one node of.
//! Every model reads its groups through [`Groups`](crate::models::groups::Groups),
//! so the rules (and their error messages) are the same in every model.

use super::GroupParams;
use super::{params, ParamError};
use hasim_sim::NodeId;
use serde::de::DeserializeOwned;

/// The groups of one scenario, their roles checked against the model's.
pub struct Groups<'a, 'g> {
    model: &'static str,
    groups: &'a [GroupParams<'g>],
}

impl<'a, 'g> Groups<'a, 'g> {
    /// The groups, or the first whose role is not one of `known`.
    pub fn new(
        model: &'static str,
        known: &[&str],
        groups: &'a [GroupParams<'g>],
    ) -> Result<Self, ParamError> {
        if let Some((i, g)) = groups
            .iter()
            .enumerate()
            .find(|(_, g)| !known.contains(&g.role))
        {
            return Err(ParamError {
                group: i,
                role: true,
                message: format!(
                    "the {model} model has no role {:?}; expected one of: {}",
                    g.role,
                    known.join(", ")
                ),
            });
        }
        Ok(Groups { model, groups })
    }

    /// Every group, with its index in the file.
    pub fn all(&self) -> impl Iterator<Item = (usize, &'a GroupParams<'g>)> {
        self.groups.iter().enumerate()
    }

    /// The groups of `role`, with their indices.
    pub fn of<'r>(&self, role: &'r str) -> impl Iterator<Item = (usize, &'a GroupParams<'g>)> + 'r
    where
        'a: 'r,
    {
        self.groups
            .iter()
            .enumerate()
            .filter(move |(_, g)| g.role == role)
    }

    /// The first group of `role`, or the error that the model needs one.
    pub fn needs(&self, role: &str) -> Result<usize, ParamError> {
        self.of(role)
            .next()
            .map(|(i, _)| i)
            .ok_or_else(|| ParamError {
                group: self.groups.len().saturating_sub(1),
                role: true,
                message: format!(
                    "the {} model needs a group with role = {role:?}",
                    self.model
                ),
            })
    }

    /// The one node of `role` (one group of count 1), with its group.
    pub fn single(&self, role: &str) -> Result<(usize, NodeId), ParamError> {
        let first = self.needs(role)?;
        let mut of = self.of(role);
        let (_, g) = of.next().expect("`needs` found a group of the role");
        let extra = of.next().map(|(i, _)| i);
        if let Some(i) = extra.or((g.nodes.len() != 1).then_some(first)) {
            return Err(ParamError {
                group: i,
                role: true,
                message: format!(
                    "the {} model has exactly one {role}: one group with count = 1",
                    self.model
                ),
            });
        }
        Ok((first, NodeId(g.nodes.start)))
    }

    /// The parameter set every group of `role` shares (every group's, for `None`):
    /// written in `[params.ROLE]`, on one of the groups, or identically on several.
    /// Two groups that write different sets are an error naming both. Returns the
    /// group the set came from (the first of the role when none is written), for
    /// errors the model finds in the set later.
    pub fn shared<T>(&self, role: Option<&str>) -> Result<(usize, T), ParamError>
    where
        T: DeserializeOwned + Default + PartialEq,
    {
        let mut written: Option<(usize, T)> = None;
        let mut first = None;
        for (i, g) in self.all().filter(|(_, g)| role.is_none_or(|r| g.role == r)) {
            first.get_or_insert(i);
            if g.params.is_empty() {
                continue;
            }
            let p: T = params(i, g.params)?;
            match &written {
                None => written = Some((i, p)),
                Some((at, q)) if *q != p => {
                    let whose = role
                        .map_or(format!("every group of a {} run shares", self.model), |r| {
                            format!("the {r} groups share")
                        });
                    let place = role
                        .map_or("on one group (or in [params.ROLE])".to_string(), |r| {
                            format!("in [params.{r}] or on one {r} group")
                        });
                    return Err(ParamError {
                        group: i,
                        role: false,
                        message: format!(
                            "{whose} one set of parameters, and group[{i}]'s differ from group[{at}]'s: write them once, {place}"
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(written.unwrap_or_else(|| (first.unwrap_or(0), T::default())))
    }
}

/// A parameter error on `group`: the model found `message` wrong in its params.
pub fn invalid(group: usize, message: impl ToString) -> ParamError {
    ParamError {
        group,
        role: false,
        message: message.to_string(),
    }
}
