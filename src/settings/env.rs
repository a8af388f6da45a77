//! The process environment, as far as settings read it directly (credentials and the job
//! label). Passed in as a trait so tests need not mutate the process.

/// The environment, as far as settings care. Passed in so tests need not mutate the process.
pub trait Env {
    /// The value of `key`, when set and non-empty.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}
