//! Pushgateway settings: URL, grouping, timeouts, retries and credentials, from the config file
//! and `NEPSE_DRIFT_PUSH_*` variables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::env::Env;
use super::error::ConfigError;
use super::file::{FileConfig, PushConfig};

/// Pushgateway settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PushSettings {
    /// Base URL, e.g. `http://pushgateway:9091`.
    pub url: Option<reqwest::Url>,
    /// Job label.
    pub job: String,
    /// Extra grouping labels (after job and model).
    pub grouping: Vec<(String, String)>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout per attempt.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff.
    pub backoff: Duration,
    /// The CA bundle's PEM text, read and checked once here (a bounded read that holds at
    /// least one certificate): a bad bundle is a configuration error before anything is
    /// computed, not a failed push after.
    pub ca_bundle: Option<Vec<u8>>,
    /// Credentials.
    pub auth: Auth,
}

/// Pushgateway credentials, from the environment or files, never from flags.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// None.
    #[default]
    None,
    /// HTTP basic auth.
    Basic {
        /// User.
        username: String,
        /// Password.
        password: String,
    },
    /// Bearer token.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets, even in debug output.
        f.write_str(match self {
            Self::None => "None",
            Self::Basic { .. } => "Basic(<redacted>)",
            Self::Bearer(_) => "Bearer(<redacted>)",
        })
    }
}

/// The longest timeout or backoff accepted: an hour. A cron job that waits longer for a
/// Pushgateway overlaps the next run.
pub const MAX_SECONDS: f64 = 3600.0;

/// The most retries accepted after the first attempt.
pub const MAX_RETRIES: u32 = 100;

impl PushSettings {
    /// Resolves the Pushgateway settings; credentials come from `NEPSE_DRIFT_PUSH_*` variables or
    /// the files named in `[push]`.
    ///
    /// # Errors
    /// [`ConfigError`] for an invalid URL, bad timeouts or unreadable credential files.
    pub fn resolve(file: &FileConfig, url_flag: Option<&str>, env: &dyn Env) -> Result<Self, ConfigError> {
        let p = &file.push;
        let url = url_flag
            .map(str::to_owned)
            .or_else(|| p.url.clone())
            .map(|u| {
                let parsed = reqwest::Url::parse(&u).map_err(|e| ConfigError::Invalid {
                    key: "push.url (--push-url)".into(),
                    detail: format!("`{u}`: {e}"),
                })?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(ConfigError::Invalid {
                        key: "push.url (--push-url)".into(),
                        detail: format!("`{u}` is not an http(s) URL"),
                    });
                }
                Ok(parsed)
            })
            .transpose()?;
        let Grouping { job, labels: grouping } = Grouping::resolve(file, env)?;
        let seconds = |v: Option<f64>, default: f64, key: &str| -> Result<Duration, ConfigError> {
            let v = v.unwrap_or(default);
            if v.is_finite() && v > 0.0 && v <= MAX_SECONDS {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(ConfigError::Invalid {
                    key: key.into(),
                    detail: format!("{v} is not a number of seconds in (0, {MAX_SECONDS}]"),
                })
            }
        };
        let auth = auth(p, env)?;
        Ok(Self {
            url,
            job,
            grouping,
            connect_timeout: seconds(p.connect_timeout_seconds, 5.0, "push.connect_timeout_seconds")?,
            timeout: seconds(p.timeout_seconds, 30.0, "push.timeout_seconds")?,
            retries: retries(p.retries.unwrap_or(3))?,
            backoff: seconds(p.backoff_seconds, 0.5, "push.backoff_seconds")?,
            ca_bundle: p.ca_bundle.as_deref().map(ca_bundle).transpose()?,
            auth,
        })
    }
}

/// The PEM text of the CA bundle at `path`, when it holds at least one certificate.
fn ca_bundle(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let invalid = |detail: String| ConfigError::Invalid { key: "push.ca_bundle".into(), detail };
    let pem = crate::text_file::read_capped(path, 16 * crate::text_file::MIB, "a CA bundle")
        .map_err(|e| invalid(e.to_string()))?
        .into_bytes();
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(pem),
        Ok(_) => Err(invalid(format!("{} holds no certificate (PEM, BEGIN CERTIFICATE)", path.display()))),
        Err(e) => Err(invalid(format!("{}: {e}", path.display()))),
    }
}

/// The labels every series of a result carries once it reaches Prometheus: the job, and the
/// extra grouping labels (the model is the result's own). `run` pushes under them, `backfill`
/// writes them into each series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// Job label (`push.job`, `NEPSE_DRIFT_JOB`; default `nepse_drift`).
    pub job: String,
    /// Extra grouping labels, after job and model.
    pub labels: Vec<(String, String)>,
}

/// Label names a grouping key may not take: the Pushgateway's own (`job`, `instance`), the
/// model's, and those of the metrics themselves, which a grouping label would silently replace.
const RESERVED_LABELS: &[&str] =
    &["job", "model", "instance", "feature", "side", "sector", "dataset", "window", "stattest"];

impl Grouping {
    /// Resolves the job and the grouping labels from `NEPSE_DRIFT_JOB` and `[push]`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for an empty job or an unusable or reserved label name.
    pub fn resolve(file: &FileConfig, env: &dyn Env) -> Result<Self, ConfigError> {
        let p = &file.push;
        let job = env.var("NEPSE_DRIFT_JOB").or_else(|| p.job.clone()).unwrap_or_else(|| "nepse_drift".into());
        if job.trim().is_empty() {
            return Err(ConfigError::Invalid { key: "push.job".into(), detail: "must not be empty".into() });
        }
        for k in p.grouping.keys() {
            if !is_label_name(k) || RESERVED_LABELS.contains(&k.as_str()) {
                return Err(ConfigError::Invalid {
                    key: format!("push.grouping.{k}"),
                    detail: format!("not a usable label name ({} are reserved)", RESERVED_LABELS.join(", ")),
                });
            }
        }
        // Prometheus drops an empty label: the group would collide with the one without it.
        if let Some((k, _)) = p.grouping.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(ConfigError::Invalid {
                key: format!("push.grouping.{k}"),
                detail: "must not be empty (Prometheus drops an empty label)".into(),
            });
        }
        Ok(Self { job, labels: p.grouping.iter().map(|(k, v)| (k.clone(), v.clone())).collect() })
    }
}

/// The credentials: `NEPSE_DRIFT_PUSH_*` variables, else the files `[push]` names. Checked
/// here, not when the request is built: a credential no HTTP header can carry is a
/// configuration error, not a failed push to retry. Never printed.
fn auth(p: &PushConfig, env: &dyn Env) -> Result<Auth, ConfigError> {
    let read_secret = |path: &Path| -> Result<String, ConfigError> {
        crate::text_file::read_capped(path, crate::text_file::MIB, "a credential file")
            .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
            .map_err(|e| ConfigError::Credential { path: path.to_owned(), detail: e.to_string() })
    };
    // A secret: its variable, else the file its `_FILE` variable or the config names.
    let secret = |var: &str, file: Option<&PathBuf>| -> Result<Option<String>, ConfigError> {
        match env.var(var) {
            Some(s) => Ok(Some(s)),
            None => env
                .var(&format!("{var}_FILE"))
                .map(PathBuf::from)
                .or_else(|| file.cloned())
                .map(|f| read_secret(&f))
                .transpose(),
        }
    };
    let password = secret("NEPSE_DRIFT_PUSH_PASSWORD", p.password_file.as_ref())?;
    let token = secret("NEPSE_DRIFT_PUSH_TOKEN", p.token_file.as_ref())?;
    let username = env.var("NEPSE_DRIFT_PUSH_USERNAME").or_else(|| p.username.clone());
    let unusable = |key: &str, what: &str| ConfigError::Invalid {
        key: key.into(),
        detail: format!("the {what} holds a character an HTTP header cannot carry (a newline, a control character)"),
    };
    if token.as_deref().is_some_and(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic())) {
        return Err(ConfigError::Invalid {
            key: "push.token_file (NEPSE_DRIFT_PUSH_TOKEN)".into(),
            detail: "the bearer token must be printable ASCII without spaces (a newline, a control character \
                     or a non-ASCII character cannot be sent)"
                .into(),
        });
    }
    if password.as_deref().is_some_and(|p| p.chars().any(char::is_control)) {
        return Err(unusable("push.password_file (NEPSE_DRIFT_PUSH_PASSWORD)", "password"));
    }
    if username.as_deref().is_some_and(|u| u.contains(':') || u.chars().any(char::is_control)) {
        return Err(ConfigError::Invalid {
            key: "push.username (NEPSE_DRIFT_PUSH_USERNAME)".into(),
            detail: "a basic-auth username cannot hold `:` or a control character".into(),
        });
    }
    let auth = match (username, password, token) {
        (Some(username), Some(password), None) => Auth::Basic { username, password },
        (None, None, Some(token)) => Auth::Bearer(token),
        (None, None, None) => Auth::None,
        (_, _, Some(_)) => {
            return Err(ConfigError::Invalid {
                key: "push.token_file".into(),
                detail: "use either basic auth or a bearer token, not both".into(),
            });
        }
        _ => {
            return Err(ConfigError::Invalid {
                key: "push.username".into(),
                detail: "basic auth needs both a username and a password".into(),
            });
        }
    };
    Ok(auth)
}

/// Retries after the first attempt, at most [`MAX_RETRIES`].
fn retries(r: u32) -> Result<u32, ConfigError> {
    if r <= MAX_RETRIES {
        Ok(r)
    } else {
        Err(ConfigError::Invalid {
            key: "push.retries".into(),
            detail: format!("{r} is more than {MAX_RETRIES} retries"),
        })
    }
}

/// Whether `s` is a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not `__`-prefixed.
#[must_use]
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoEnv;
    impl Env for NoEnv {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
    }

    #[test]
    fn grouping_keys_that_would_replace_a_metric_label_are_refused() {
        let file = |key: &str| -> FileConfig { toml::from_str(&format!("[push.grouping]\n{key} = \"x\"")).unwrap() };
        for key in ["feature", "side", "sector", "dataset", "window", "job", "model", "instance"] {
            let err = Grouping::resolve(&file(key), &NoEnv).unwrap_err();
            assert!(err.to_string().contains(&format!("push.grouping.{key}")), "{err}");
        }
        let ok = Grouping::resolve(&file("env"), &NoEnv).unwrap();
        assert_eq!(ok, Grouping { job: "nepse_drift".into(), labels: vec![("env".into(), "x".into())] });
    }

    /// A self-signed certificate (CN nepse-drift-test, EC P-256, valid to 2126).
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBjTCCATOgAwIBAgIUdBuVJnrGL3p898dBA7xUbriZiv8wCgYIKoZIzj0EAwIw\nGzEZMBcGA1UEAwwQbmVwc2UtZHJpZnQtdGVzdDAgFw0yNjEyMDcwNjQ3MTBaGA8y\nMTI2MTExMzA2NDcxMFowGzEZMBcGA1UEAwwQbmVwc2UtZHJpZnQtdGVzdDBZMBMG\nByqGSM49AgEGCCqGSM49AwEHA0IABJD/5UJdTgjGoh1MPEcugicEmYoKG6zKC+dA\nxbiJ3eKzvANhER8aV4eGPYqOefwm1jBkgboCxDhk3QCSipLzqj6jUzBRMB0GA1Ud\nDgQWBBQWqAwY7Lv8Suvn2iNTuFV5XvlzrTAfBgNVHSMEGDAWgBQWqAwY7Lv8Suvn\n2iNTuFV5XvlzrTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIAIv\nXAYQOmsoKzeWEIqgeHDx82R4FyIe6jnY0v5qBbOlAiEAkn6p7Dm7hrpubzMeMoaf\nvz6wUWGtndU8l5U3qmPurME=\n-----END CERTIFICATE-----\n";

    #[test]
    fn the_ca_bundle_is_read_and_checked_once_when_settings_resolve() {
        // It was read when the first push was made, after the whole computation, without a
        // bound (`/dev/zero` grew to gigabytes) and unchecked by check-config.
        let dir = tempfile::tempdir().unwrap();
        let resolve = |path: &std::path::Path| {
            let toml =
                format!("[push]\nurl = \"https://127.0.0.1:9091\"\nca_bundle = {:?}\n", path.display().to_string());
            PushSettings::resolve(&toml::from_str(&toml).unwrap(), None, &NoEnv)
        };
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, CERT).unwrap();
        assert_eq!(resolve(&good).unwrap().ca_bundle.as_deref().map(<[u8]>::len), Some(CERT.len()));
        let text = dir.path().join("text.pem");
        std::fs::write(&text, "not a certificate\n").unwrap();
        for (path, why) in [
            (dir.path().join("missing.pem"), "No such file"),
            (std::path::PathBuf::from("/dev/zero"), "larger than"),
            (text, "no certificate"),
        ] {
            let err = resolve(&path).unwrap_err().to_string();
            assert!(err.contains("push.ca_bundle") && err.contains(why), "{path:?}: {err}");
        }
    }

    #[test]
    fn label_names() {
        assert!(is_label_name("env"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name("1x"));
        assert!(!is_label_name("a-b"));
        assert!(!is_label_name("__name__"));
    }
}
