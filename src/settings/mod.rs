//! Settings, resolved once: flags (and their `NEPSE_DRIFT_*` variables, through clap) override
//! the config file, which overrides the defaults. Everything is validated here, so the core
//! takes `&Settings` and never sees a raw flag.
//!
//! - [`file`](mod@file): the TOML file's serde types;
//! - [`resolve`]: merging flag groups, file and defaults into [`Settings`];
//! - [`types`]: the resolved [`Settings`] and their domain types;
//! - [`pushgateway`]: the Pushgateway's [`PushSettings`] (the file's `[push]` table);
//! - [`env`](mod@env): the process environment, as far as settings read it ([`Env`]);
//! - [`error`]: [`ConfigError`], raised by all of them.

pub mod env;
pub mod error;
pub mod file;
pub mod pushgateway;
pub mod resolve;
pub mod types;

pub use env::{Env, ProcessEnv};
pub use error::ConfigError;
pub use file::FileConfig;
pub use pushgateway::{Auth, Grouping, PushSettings, is_label_name};
pub use resolve::{Groups, load_file};
pub use types::{
    ColumnNames, CurrentWindow, DEFAULT_MODEL, Every, FeatureSelection, ReferenceWindow, Settings, Sources,
};
