//! The open model registry: the models a `hasim` binary knows, built-in and the
//! user's, as one value built in `main` (through [`crate::cli::Cli`]) and handed to
//! everything that loads or runs a scenario. There is no other list: the built-in
//! models are registered through the same [`Registry::model`] a user's model is.
//!
//! The registry sits above the runner: registering model `M` stores its docs and
//! validation ([`ModelEntry`]) with the monomorphised `drive::run::<M>` in the
//! entry's opaque run handle. Scenario loading only sees the [`Lookup`] trait.

use crate::drive::{self, RunFn};
use crate::models::{self, Lookup, Model, ModelEntry, Register, RunHandle};
use crate::scenario::{Scenario, ScenarioError};
use std::path::Path;

/// The models a binary knows, in the order `hasim list` shows them.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    entries: Vec<ModelEntry>,
}

/// A model's name is already taken (by a built-in or an earlier registration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTaken {
    /// The name.
    pub name: &'static str,
}

impl std::fmt::Display for NameTaken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a model named {:?} is already registered; give yours another `Model::NAME`",
            self.name
        )
    }
}

impl std::error::Error for NameTaken {}

impl Registry {
    /// A registry with no model at all (tests, or a binary that wants only its own).
    pub fn empty() -> Self {
        Registry::default()
    }

    /// Every built-in model.
    pub fn builtin() -> Self {
        let mut r = Registry::empty();
        models::builtins(&mut r);
        r
    }

    /// Adds model `M`.
    ///
    /// # Panics
    /// When a model of the same [`Model::NAME`] is already registered: two models
    /// answering to one name is a programming error in the binary's `main`, found the
    /// first time it runs. [`Registry::try_model`] returns the clash instead.
    #[must_use]
    pub fn model<M: Model>(mut self) -> Self {
        if let Err(e) = self.try_model::<M>() {
            panic!("{e}");
        }
        self
    }

    /// Adds model `M`, or says whose name it would take.
    pub fn try_model<M: Model>(&mut self) -> Result<(), NameTaken> {
        if self.find(M::NAME).is_some() {
            return Err(NameTaken { name: M::NAME });
        }
        let run: RunFn = drive::run::<M>;
        self.entries.push(models::entry::<M>(RunHandle::new(run)));
        Ok(())
    }

    /// Loads and validates a scenario file whose model is one of these.
    pub fn load(&self, path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load(path, self)
    }

    /// Parses and validates scenario text; `path` is used in messages and the replay
    /// command.
    pub fn parse(&self, text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::parse(text, path, self)
    }
}

impl Lookup for Registry {
    fn find(&self, name: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|m| m.name == name)
    }

    fn entries(&self) -> &[ModelEntry] {
        &self.entries
    }
}

impl Register for Registry {
    fn register<M: Model>(&mut self) {
        if let Err(e) = self.try_model::<M>() {
            panic!("{e}");
        }
    }
}
