//! The Pushgateway client: PUT (replace the group) or POST (update some families) of exposition
//! text to `/metrics/job/<job>{/<label>/<value>}`, with timeouts, retries and credentials.
//!
//! * Grouping-key values containing `/`, or empty ones, use the `<label>@base64/<base64url>`
//!   form the Pushgateway documents; other values are percent-encoded path segments.
//! * Connection errors, timeouts and 5xx are retried with exponential backoff and full jitter:
//!   the wait before retry `i` (0-based) is `backoff·2^i·(0.5 + U(0, 0.5))`.
//! * 4xx is not retried and is reported with the gateway's own error text.
//! * Credentials come from [`crate::settings::Auth`] and are never logged.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use rand::Rng as _;
use reqwest::blocking::Client;
use reqwest::{StatusCode, Url};

use crate::settings::{Auth, PushSettings};

/// Why a push failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// No URL is configured (the caller should have printed instead).
    #[error("no Pushgateway URL configured")]
    NoUrl,
    /// The HTTP client could not be built (bad CA bundle, TLS set-up).
    #[error("failed to set up the HTTP client: {0}")]
    Client(String),
    /// The gateway refused the push (4xx); not retried.
    #[error("Pushgateway at {url} rejected the push with {status}: {body}")]
    Rejected {
        /// The group URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The gateway's error text.
        body: String,
    },
    /// Every attempt failed with a connection error, a timeout or a 5xx.
    #[error("failed to push to {url} after {attempts} attempts: {last}")]
    Unavailable {
        /// The group URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
}

impl PushError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NoUrl => "set push.url, NEPSE_DRIFT_PUSH_URL or --push-url",
            Self::Client(_) => "check push.ca_bundle (a PEM file)",
            Self::Rejected { status: 401 | 403, .. } => {
                "check the credentials (NEPSE_DRIFT_PUSH_USERNAME/_PASSWORD(_FILE) or _TOKEN(_FILE))"
            }
            Self::Rejected { .. } => {
                "the gateway's message says what it disliked; the result file is saved to push again"
            }
            Self::Unavailable { .. } => {
                "the result is saved; re-push it later with `nepse-drift push --result FILE` once the gateway is back"
            }
        }
    }
}

/// HTTP method of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Replace every metric of the group.
    Put,
    /// Replace only the metric families in the body.
    Post,
}

/// The group URL: `base/metrics/job/<job>/model/<model>{/<label>/<value>}`.
///
/// # Errors
/// [`PushError::NoUrl`] when no URL is configured or it cannot take path segments.
pub fn group_url(settings: &PushSettings, model: &str) -> Result<Url, PushError> {
    let mut url = settings.url.clone().ok_or(PushError::NoUrl)?;
    let mut pairs: Vec<(&str, &str)> = vec![("job", settings.job.as_str()), ("model", model)];
    pairs.extend(settings.grouping.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    {
        let mut segments = url.path_segments_mut().map_err(|()| PushError::NoUrl)?;
        segments.pop_if_empty().push("metrics");
        for (label, value) in pairs {
            if needs_base64(value) {
                segments.push(&format!("{label}@base64"));
                let encoded = URL_SAFE.encode(value);
                segments.push(if encoded.is_empty() { "=" } else { &encoded });
            } else {
                segments.push(label);
                segments.push(value);
            }
        }
    }
    Ok(url)
}

/// Whether a grouping value would not survive as a raw path segment: empty, a `/` or `\\`
/// (a separator to the URL parser), `.` or `..` (removed by path normalisation), or a control
/// character such as a tab or newline (stripped by the parser). Those go as `@base64`.
fn needs_base64(value: &str) -> bool {
    value.is_empty()
        || value == "."
        || value == ".."
        || value.contains(['/', '\\'])
        || value.chars().any(char::is_control)
}

/// Sends `body` to the group of `model` with retries.
///
/// # Errors
/// [`PushError`] after the retries are exhausted, or at once on a 4xx.
pub fn push(settings: &PushSettings, model: &str, method: Method, body: &str) -> Result<u32, PushError> {
    let url = group_url(settings, model)?;
    let client = client(settings)?;
    let attempts = settings.retries + 1;
    let mut last = String::new();
    for attempt in 0..attempts {
        if attempt > 0 {
            std::thread::sleep(backoff(settings.backoff, attempt - 1));
        }
        let request = match method {
            Method::Put => client.put(url.clone()),
            Method::Post => client.post(url.clone()),
        };
        let request = match &settings.auth {
            Auth::None => request,
            Auth::Basic { username, password } => request.basic_auth(username, Some(password)),
            Auth::Bearer(token) => request.bearer_auth(token),
        };
        let response = request
            .header(reqwest::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .body(body.to_owned())
            .send();
        match response {
            Ok(r) if r.status().is_success() => return Ok(attempt + 1),
            Ok(r) if r.status().is_client_error() => {
                let status = r.status();
                return Err(PushError::Rejected {
                    url: redacted(&url),
                    status: status.as_u16(),
                    body: one_line(&r.text().unwrap_or_default(), status),
                });
            }
            Ok(r) => {
                let status = r.status();
                last = format!("HTTP {status}: {}", one_line(&r.text().unwrap_or_default(), status));
            }
            Err(e) => last = describe(&e),
        }
        tracing::warn!(attempt = attempt + 1, of = attempts, error = %last, "push attempt failed");
    }
    Err(PushError::Unavailable { url: redacted(&url), attempts, last })
}

fn client(settings: &PushSettings) -> Result<Client, PushError> {
    let mut builder = Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .user_agent(concat!("nepse-drift/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &settings.ca_bundle {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| PushError::Client(e.to_string()))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| PushError::Client(e.to_string()))
}

/// `base·2^retry·(0.5 + U(0, 0.5))`, capped at 60 s.
fn backoff(base: Duration, retry: u32) -> Duration {
    let exp = base.saturating_mul(1 << retry.min(16)).min(Duration::from_mins(1));
    exp.mul_f64(0.5 + rand::rng().random::<f64>() * 0.5)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut detail = String::from("connection failed");
        while let Some(s) = source {
            detail = format!("connection failed: {s}");
            source = s.source();
        }
        detail
    } else {
        // The error's text would name the URL, credentials and all: leave it out.
        let mut chain = vec![e.to_string()];
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        let text = chain.join(": ");
        match e.url() {
            Some(u) => text.replace(u.as_str(), &redacted(u)),
            None => text,
        }
    }
}

/// `url` as text with its user and password replaced by `***`: credentials in a push URL never
/// reach an error, a log line or `check-config`'s output.
#[must_use]
pub fn redacted(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut safe = url.clone();
    let _ = safe.set_password(None);
    let _ = safe.set_username("***");
    safe.to_string()
}

fn one_line(text: &str, status: StatusCode) -> String {
    let t = text.trim().replace('\n', " ");
    if t.is_empty() { status.canonical_reason().unwrap_or("").to_owned() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, grouping: Vec<(&str, &str)>) -> PushSettings {
        PushSettings {
            url: Some(url.parse().unwrap()),
            job: "nepse_drift".into(),
            grouping: grouping.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            retries: 0,
            backoff: Duration::from_millis(1),
            ca_bundle: None,
            auth: Auth::None,
        }
    }

    #[test]
    fn plain_grouping_key() {
        let u = group_url(&settings("http://gw:9091", vec![("env", "prod")]), "xgb-2026.03").unwrap();
        assert_eq!(u.as_str(), "http://gw:9091/metrics/job/nepse_drift/model/xgb-2026.03/env/prod");
    }

    #[test]
    fn slash_and_empty_values_use_base64() {
        let u = group_url(&settings("http://gw:9091/prefix/", vec![("env", "")]), "team/xgb").unwrap();
        assert_eq!(u.as_str(), "http://gw:9091/prefix/metrics/job/nepse_drift/model@base64/dGVhbS94Z2I=/env@base64/=");
    }

    #[test]
    fn other_characters_are_percent_encoded() {
        let u = group_url(&settings("http://gw:9091", vec![]), "xgb v2").unwrap();
        assert_eq!(u.as_str(), "http://gw:9091/metrics/job/nepse_drift/model/xgb%20v2");
    }

    #[test]
    fn backoff_grows_and_is_jittered_within_bounds() {
        let base = Duration::from_millis(100);
        for retry in 0..4 {
            let d = backoff(base, retry);
            let full = base * (1 << retry);
            assert!(d >= full / 2 && d <= full, "{d:?} vs {full:?}");
        }
    }
}
