//! One typed configuration for the whole service.
//!
//! Values come from three layers, later ones winning: built-in defaults (so no file is needed),
//! an optional TOML file (`--config`), and environment variables named `TANGAZO_<SECTION>_<KEY>`
//! (`TANGAZO_PAGE_TIME_ZONE` sets `page.time_zone`). Every layer is merged into one TOML table
//! first, so an environment string is coerced to the type of the default at the same key; then
//! the table is deserialised and validated. Any bad value stops start-up with a message that
//! names the key and where it came from.
//!
//! The file keeps one flat table per section, every key of every driver included, so that a
//! file or a variable can set any key and is checked against the default's type. What the
//! service runs on is typed at validation: [`SmsDriver`] and [`EmailDriver`] carry the settings
//! of the driver chosen, and secrets are [`SecretString`]s, which `Debug` never prints.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::Lang;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub page: Page,
    pub notice: Notice,
    pub sms: Sms,
    pub email: Email,
    pub webhook: Webhook,
    pub console: Console,
    pub subscribers: Subscribers,
    pub delivery: Delivery,
    pub scheduler: Scheduler,
}

/// Time-driven steps of maintenance windows (start, overrun, complete).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduler {
    /// Run the scheduler in `tangazo serve`; several instances may (each step runs once).
    pub enabled: bool,
    /// How often due steps are looked for.
    pub poll_millis: u32,
    /// After a window passes its end unfinished, how long staff have to extend or complete it
    /// before customers and billers are told it runs over.
    pub overrun_grace_minutes: u32,
    /// Who is emailed when a window overruns; empty for console.first_admin.
    pub alert_email: String,
    /// Reminders before a window starts, e.g. "24h,1h" (empty: none).
    pub reminders: String,
    /// SMS quiet hours in the page's zone, e.g. "21:00-07:00" (empty: none): a reminder that
    /// would fall inside goes out when they begin, the evening before. Urgent messages
    /// (started, extended, completed) are not held.
    pub quiet_hours: String,
    /// Also hold urgent SMS (started, extended, completed, cancelled…) published in the quiet
    /// hours until they end; off (the default), they go at once.
    pub quiet_hours_urgent: bool,
}

/// How the outbox workers claim, retry and give up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Run the workers inside `tangazo serve`; off when they run apart (`tangazo worker`).
    pub workers: bool,
    /// Deliveries one claim takes at most: bigger batches mean fewer round trips, but more
    /// messages sent twice if the process dies holding them. A claim is also held to two to
    /// eight rounds of its channel's calls, and to what the channel's pace sends in half the
    /// lease, so a batch finishes within its lease.
    pub batch_size: u32,
    /// How long a claim holds its rows; after a crash they wait this long before another
    /// worker takes them. Must outlast the slowest send of a batch.
    pub lease_seconds: u32,
    /// Tries before a delivery is marked failed.
    pub max_attempts: u32,
    /// First retry delay; each next one doubles, with ±20 % jitter, up to `retry_max_seconds`.
    pub retry_base_seconds: u32,
    pub retry_max_seconds: u32,
    /// How often an idle worker looks for new work.
    pub poll_millis: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscribers {
    /// Country a number without `+` is read in (ISO 3166, e.g. KE).
    pub default_country: String,
    /// Countries whose numbers may subscribe, comma-separated.
    pub allowed_countries: String,
    /// Hours an unconfirmed sign-up (and its link or code) stays valid.
    pub confirm_hours: u32,
    /// Wrong SMS codes allowed before the sign-up must start again.
    pub code_attempts: u32,
    /// Confirmation messages one address may receive per day.
    pub max_per_address_day: u32,
    /// Confirmation messages sent for one IP address per hour.
    pub max_per_ip_hour: u32,
    /// Confirmation messages in total per hour and per day: the ceiling on what a flood of
    /// sign-ups can cost.
    pub max_global_hour: u32,
    pub max_global_day: u32,
    /// Sender of confirmation emails.
    pub email_from: String,
    /// Inbound SMS words that unsubscribe the sender (first word, any case), comma-separated.
    pub stop_words: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Console {
    /// Four eyes: a notice is published by a different person than the one who wrote it.
    pub require_approval: bool,
    /// Email of the admin account created on first start when there is none.
    pub first_admin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The address customers reach the page at; used in links, feeds, ics and messages.
    /// Empty means `http://<server.bind>`.
    pub public_url: String,
    /// Seconds a client has to send a request's headers, from connecting (or, on a kept-alive
    /// connection, from the previous answer): a slower one is disconnected, so that clients
    /// trickling bytes cannot hold connections open for ever.
    pub header_timeout_seconds: u32,
    /// Connections one client address may hold open at once; more are closed as they arrive
    /// (0: no limit). Behind a reverse proxy every connection comes from the proxy's address.
    pub max_connections_per_ip: u32,
    /// Requests one API token may make a minute (all at once, or spread out); more are
    /// answered 429 with `Retry-After` (0: no limit). A leaked or looping token cannot flood
    /// the database or publish faster than people do.
    #[serde(default = "default_api_requests_per_minute")]
    pub api_requests_per_minute: u32,
}

fn default_api_requests_per_minute() -> u32 {
    600
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `sqlite://path.db` (created on first start) or `postgres://…`; it may hold a password,
    /// so it is a secret ([`Database::url_for_people`] is what messages show).
    #[serde(serialize_with = "expose")]
    pub url: SecretString,
    /// Upper bound on pooled connections (PostgreSQL); SQLite uses fewer.
    pub max_connections: u32,
    /// Seconds to wait for a database connection before giving up.
    pub connect_timeout: u32,
}

impl Database {
    /// The URL with its password replaced by `***`, for logs and messages.
    pub fn url_for_people(&self) -> String {
        let raw = self.url.expose_secret();
        match url::Url::parse(raw) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => raw.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Shown in the page header, feeds and the Statuspage `page.name`.
    pub name: String,
    /// IANA zone the page shows times in (e.g. `Africa/Nairobi` → EAT).
    pub time_zone: String,
    /// Languages offered, first is the default: comma-separated BCP 47 tags, each with a
    /// locale (built in: en, sw, fr, pt, ar; others from `locales_dir`).
    pub languages: String,
    /// A folder of locale folders (`{tag}/*.ftl`) that add languages or override single
    /// messages of the built-in ones; empty: built-in locales only.
    #[serde(default)]
    pub locales_dir: String,
    /// Seconds browsers and CDNs may keep a public response (`Cache-Control: max-age`).
    pub cache_max_age: u32,
    /// How many finished notices the history on the page, feeds and JSON keep.
    pub history_size: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Longest maintenance window accepted, in hours; protects against a typo in the year.
    pub max_window_hours: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sms {
    pub driver: String,
    pub file: String,
    /// Sender ID or number messages come from.
    pub sender: String,
    /// Secret path segment of the Africa's Talking callback URL
    /// (`/callbacks/sms/africastalking/{secret}`); empty turns the callback off. Africa's Talking
    /// does not sign callbacks, so an unguessable URL is what authenticates them.
    #[serde(serialize_with = "expose")]
    pub callback_secret: SecretString,
    /// Twilio auth token, to check `X-Twilio-Signature` on inbound messages; empty turns the
    /// Twilio callback off.
    #[serde(serialize_with = "expose")]
    pub twilio_auth_token: SecretString,
    /// Most SMS segments one message may take; a longer rendering is refused before it is
    /// sent, because every segment is paid for, times every recipient. A number for every
    /// language, or a table with `default` and a number per language tag, since a UCS-2
    /// segment (Arabic, Amharic, most accented text) holds 67 characters against GSM-7's 153.
    pub segment_budget: SegmentBudget,
    /// Messages per second handed to the provider (token bucket): what the contract allows.
    pub rate_per_second: u32,
    /// Provider requests in flight at once.
    pub concurrency: u32,
    /// The provider's API base URL; empty for its public one (Africa's Talking:
    /// https://api.africastalking.com, Twilio: https://api.twilio.com).
    pub api_url: String,
    /// Africa's Talking application username and API key.
    pub username: String,
    #[serde(serialize_with = "expose")]
    pub api_key: SecretString,
    /// Twilio account SID (the auth token is `sms.twilio_auth_token`).
    pub twilio_account_sid: String,
    /// SMPP 3.4 SMSC: host, port, system_id, password and the most submit_sm in flight.
    pub smpp_host: String,
    pub smpp_port: u32,
    pub smpp_system_id: String,
    #[serde(serialize_with = "expose")]
    pub smpp_password: SecretString,
    pub smpp_window: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    pub driver: String,
    /// May carry the relay's login (`smtp://user:pass@host`).
    #[serde(serialize_with = "expose")]
    pub smtp_url: SecretString,
    pub dir: String,
    /// Messages per second handed to the SMTP relay.
    pub rate_per_second: u32,
    /// SMTP connections (and messages in flight) at once.
    pub concurrency: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Lets endpoints be on private, loopback or link-local addresses (on-premise billers,
    /// tests). Off, such an endpoint is refused before any request leaves.
    pub allow_private_networks: bool,
    /// Lets endpoints use plain http:// (implied by allow_private_networks).
    pub allow_http: bool,
    /// Seconds before each attempt, comma-separated, each ± `retry_jitter_percent`. After the
    /// last, it fails.
    pub retry_schedule: String,
    /// How far each retry may land from its scheduled time, in percent (0: exactly on it).
    pub retry_jitter_percent: u32,
    /// How long a rotated-out secret keeps signing next to the new one.
    pub secret_overlap_hours: u32,
    /// An endpoint failing without a break this long is disabled and its contact emailed.
    pub disable_after_hours: u32,
    /// Requests per second over all endpoints, and in flight at once.
    pub rate_per_second: u32,
    pub concurrency: u32,
    /// Whole-request limit, seconds (connecting is limited to 5 s on its own).
    pub timeout_seconds: u32,
}

/// Writes a secret into the table every layer is merged into (see [`Config::load`]), which
/// needs each key with its type. Nothing else serialises a [`Config`].
fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

/// Where SMS go (`sms.driver`), with what that driver needs from the `sms` keys.
#[derive(Debug, Clone)]
pub enum SmsDriver {
    /// JSON lines appended to `sms.file`.
    File,
    /// Africa's Talking's bulk SMS API.
    AfricasTalking {
        username: String,
        api_key: SecretString,
    },
    Twilio {
        account_sid: String,
        auth_token: SecretString,
    },
    /// An SMPP 3.4 SMSC.
    Smpp {
        host: String,
        port: u16,
        system_id: String,
        password: SecretString,
        /// Most `submit_sm` in flight.
        window: u32,
    },
}

/// Where email goes (`email.driver`).
#[derive(Debug, Clone)]
pub enum EmailDriver {
    /// One .eml file per message in `email.dir`.
    File,
    /// A lettre connection pool to the relay at `url` (`smtp://` or `smtps://`).
    Smtp { url: SecretString },
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: Server {
                bind: "127.0.0.1:8080".into(),
                public_url: String::new(),
                header_timeout_seconds: 10,
                max_connections_per_ip: 64,
                api_requests_per_minute: default_api_requests_per_minute(),
            },
            database: Database {
                url: SecretString::from("sqlite://tangazo.db"),
                max_connections: 10,
                connect_timeout: 10,
            },
            page: Page {
                name: "M-PESA status".into(),
                time_zone: "Africa/Nairobi".into(),
                languages: "en,sw".into(),
                cache_max_age: 5,
                history_size: 50,
                locales_dir: String::new(),
            },
            notice: Notice {
                max_window_hours: 168,
            },
            sms: Sms {
                driver: "file".into(),
                file: "outbox/sms.jsonl".into(),
                sender: "MPESA".into(),
                callback_secret: SecretString::from(String::new()),
                twilio_auth_token: SecretString::from(String::new()),
                segment_budget: SegmentBudget::default(),
                rate_per_second: 20,
                concurrency: 4,
                api_url: String::new(),
                username: String::new(),
                api_key: SecretString::from(String::new()),
                twilio_account_sid: String::new(),
                smpp_host: String::new(),
                smpp_port: 2775,
                smpp_system_id: String::new(),
                smpp_password: SecretString::from(String::new()),
                smpp_window: 10,
            },
            email: Email {
                driver: "file".into(),
                smtp_url: SecretString::from(String::new()),
                dir: "outbox/email".into(),
                rate_per_second: 50,
                concurrency: 4,
            },
            webhook: Webhook {
                allow_private_networks: false,
                allow_http: false,
                retry_schedule: "0,5,300,1800,7200,18000,36000,50400,72000,86400".into(),
                retry_jitter_percent: 20,
                secret_overlap_hours: 24,
                disable_after_hours: 120,
                rate_per_second: 500,
                concurrency: 32,
                timeout_seconds: 15,
            },
            console: Console {
                require_approval: false,
                first_admin: "admin@localhost".into(),
            },
            subscribers: Subscribers {
                default_country: "KE".into(),
                allowed_countries: "KE".into(),
                confirm_hours: 48,
                code_attempts: 5,
                max_per_address_day: 3,
                max_per_ip_hour: 10,
                max_global_hour: 500,
                max_global_day: 5000,
                email_from: "Status <status@localhost>".into(),
                stop_words: "STOP,STOPALL,UNSUBSCRIBE,CANCEL,END,QUIT,SITISHA,ACHA".into(),
            },
            scheduler: Scheduler {
                enabled: true,
                poll_millis: 1000,
                overrun_grace_minutes: 30,
                alert_email: String::new(),
                reminders: "24h,1h".into(),
                quiet_hours: "21:00-07:00".into(),
                quiet_hours_urgent: false,
            },
            delivery: Delivery {
                workers: true,
                batch_size: 500,
                lease_seconds: 120,
                max_attempts: 8,
                retry_base_seconds: 10,
                retry_max_seconds: 3600,
                poll_millis: 250,
            },
        }
    }
}

/// `sms.segment_budget`: SMS segments a message may take, per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentBudget {
    pub default: u32,
    /// By BCP 47 tag, for languages whose budget differs from `default`.
    pub by_language: BTreeMap<String, u32>,
}

impl Default for SegmentBudget {
    /// Two segments; more for languages whose messages go out as UCS-2 (67 characters a
    /// segment): four for Portuguese (its accents) and Arabic.
    fn default() -> Self {
        SegmentBudget {
            default: 2,
            by_language: BTreeMap::from([("ar".to_string(), 4), ("pt".to_string(), 4)]),
        }
    }
}

impl SegmentBudget {
    /// The budget for one language.
    pub fn of(&self, lang: Lang) -> usize {
        self.by_language
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(lang.code()))
            .map_or(self.default, |(_, n)| *n) as usize
    }

    /// (key suffix for messages, value): `("", 2)`, `(".ar", 4)`.
    fn entries(&self) -> Vec<(String, u32)> {
        std::iter::once((String::new(), self.default))
            .chain(self.by_language.iter().map(|(t, n)| (format!(".{t}"), *n)))
            .collect()
    }
}

impl Serialize for SegmentBudget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.by_language.len() + 1))?;
        m.serialize_entry("default", &self.default)?;
        for (t, n) in &self.by_language {
            m.serialize_entry(t, n)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for SegmentBudget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(u32),
            Table(BTreeMap<String, u32>),
        }
        match Raw::deserialize(d)? {
            Raw::One(n) => Ok(SegmentBudget {
                default: n,
                by_language: BTreeMap::new(),
            }),
            Raw::Table(mut t) => {
                let default = t.remove("default").unwrap_or(2);
                Ok(SegmentBudget {
                    default,
                    by_language: t,
                })
            }
        }
    }
}

/// The configuration after validation: the raw values plus what was parsed out of them.
#[derive(Debug, Clone)]
pub struct Settings {
    pub raw: Config,
    /// Upper-case ISO codes from `subscribers.allowed_countries`.
    pub allowed_countries: Vec<String>,
    pub bind: SocketAddr,
    pub public_url: String,
    pub time_zone: Tz,
    pub languages: Vec<Lang>,
    /// The words and date formats of each language in `languages`.
    pub locales: std::sync::Arc<crate::locale::Locales>,
    pub sms_driver: SmsDriver,
    pub email_driver: EmailDriver,
}

impl Settings {
    /// Reminder offsets and quiet hours, in the page's zone (checked at start).
    pub fn schedule_policy(&self) -> crate::domain::schedule::Policy {
        crate::domain::schedule::Policy::parse(
            &self.raw.scheduler.reminders,
            &self.raw.scheduler.quiet_hours,
            self.time_zone,
        )
        .map(|p| crate::domain::schedule::Policy {
            hold_urgent: self.raw.scheduler.quiet_hours_urgent,
            ..p
        })
        .unwrap_or_default()
    }

    /// The SMS segment budget for one language (`sms.segment_budget`).
    pub fn sms_budget(&self, lang: Lang) -> usize {
        self.raw.sms.segment_budget.of(lang)
    }

    pub fn default_lang(&self) -> Lang {
        self.languages[0]
    }

    /// Settings that start but that an operator should know are wrong for production: each is
    /// logged at start.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.public_url.starts_with("http://") {
            out.push(format!(
                "server.public_url is {}: the one-click unsubscribe link in emails is then http, \
                 which RFC 8058 does not allow, so mail providers will not offer it; \
                 set an https:// URL in production",
                self.public_url
            ));
        }
        out
    }

    /// The host of `server.public_url`: the domain of calendar UIDs and email Message-IDs, so
    /// that they are unique to this page.
    pub fn public_host(&self) -> String {
        url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into())
    }
}

impl Config {
    /// Loads defaults, then `file` (if any), then `TANGAZO_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let mut table = toml::Table::try_from(Config::default()).expect("defaults serialise");
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("config: cannot read {}", path.display()))?;
            let file_table: toml::Table = toml::from_str(&text)
                .map_err(|e| anyhow!("config: {}: {}", path.display(), e.message()))?;
            merge_file(&mut table, file_table, path)?;
        }
        let mut env: Vec<(String, String)> = env
            .into_iter()
            // `TANGAZO_TEST_*` (the test suite's own settings, such as TANGAZO_TEST_POSTGRES)
            // are not configuration, so a shell that runs the tests can run the server too.
            .filter(|(k, _)| k.starts_with("TANGAZO_") && !k.starts_with("TANGAZO_TEST_"))
            .collect();
        env.sort();
        for (name, value) in env {
            apply_env(&mut table, &name, &value)?;
        }
        let config: Config = Config::deserialize(toml::Value::Table(table))
            .map_err(|e| anyhow!("config: {}", e.message()))?;
        Ok(config)
    }

    /// Loads with the process environment and validates.
    pub fn from_process(file: Option<&Path>) -> anyhow::Result<Settings> {
        Config::load(file, std::env::vars())?.validate()
    }

    pub fn validate(self) -> anyhow::Result<Settings> {
        let bind: SocketAddr = self.server.bind.parse().map_err(|_| {
            anyhow!(
                "config: server.bind: '{}' is not an address like 127.0.0.1:8080",
                self.server.bind
            )
        })?;
        let public_url = match self.server.public_url.trim().trim_end_matches('/') {
            "" => format!("http://{bind}"),
            url => url.to_string(),
        };
        if !(public_url.starts_with("http://") || public_url.starts_with("https://"))
            || public_url.len() < 10
            || public_url.contains(char::is_whitespace)
        {
            bail!(
                "config: server.public_url: '{}' must be an http:// or https:// URL",
                self.server.public_url
            );
        }
        let url = self.database.url.expose_secret();
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| url.starts_with(p))
        {
            bail!(
                "config: database.url: '{}' must start with sqlite:// or postgres://",
                self.database.url_for_people()
            );
        }
        if self.server.header_timeout_seconds == 0 {
            bail!("config: server.header_timeout_seconds: must be at least 1");
        }
        if self.database.max_connections == 0 {
            bail!("config: database.max_connections: must be at least 1");
        }
        if self.page.name.trim().is_empty() {
            bail!("config: page.name: must not be empty");
        }
        let time_zone: Tz = self.page.time_zone.parse().map_err(|_| {
            anyhow!(
                "config: page.time_zone: '{}' is not an IANA time zone such as Africa/Nairobi",
                self.page.time_zone
            )
        })?;
        let tags: Vec<String> = self
            .page
            .languages
            .split(',')
            .map(|t| t.trim().to_string())
            .collect();
        let dir = (!self.page.locales_dir.trim().is_empty())
            .then(|| std::path::PathBuf::from(self.page.locales_dir.trim()));
        let (locales, languages) = crate::locale::Locales::load(dir.as_deref(), &tags)?;
        Lang::set_default(languages[0]);
        if self.notice.max_window_hours == 0 {
            bail!("config: notice.max_window_hours: must be at least 1");
        }
        if self.page.history_size == 0 {
            bail!("config: page.history_size: must be at least 1");
        }
        for (tag, n) in self.sms.segment_budget.entries() {
            if !(1..=10).contains(&n) {
                bail!("config: sms.segment_budget{tag}: must be between 1 and 10");
            }
        }
        for tag in self.sms.segment_budget.by_language.keys() {
            if Lang::canonical(tag).is_none() {
                bail!("config: sms.segment_budget.{tag}: '{tag}' is not a BCP 47 language tag");
            }
        }
        let sms_driver = self.sms_driver()?;
        let api = &self.sms.api_url;
        if !(api.is_empty() || api.starts_with("http://") || api.starts_with("https://")) {
            bail!("config: sms.api_url: '{api}' must be an http:// or https:// URL");
        }
        for (key, value) in [
            ("sms.rate_per_second", self.sms.rate_per_second),
            ("sms.concurrency", self.sms.concurrency),
            ("sms.smpp_window", self.sms.smpp_window),
            ("email.rate_per_second", self.email.rate_per_second),
            ("email.concurrency", self.email.concurrency),
            ("delivery.batch_size", self.delivery.batch_size),
            ("delivery.lease_seconds", self.delivery.lease_seconds),
            ("delivery.max_attempts", self.delivery.max_attempts),
            (
                "delivery.retry_base_seconds",
                self.delivery.retry_base_seconds,
            ),
            ("delivery.poll_millis", self.delivery.poll_millis),
            ("scheduler.poll_millis", self.scheduler.poll_millis),
            ("webhook.rate_per_second", self.webhook.rate_per_second),
            ("webhook.concurrency", self.webhook.concurrency),
            (
                "webhook.disable_after_hours",
                self.webhook.disable_after_hours,
            ),
            ("webhook.timeout_seconds", self.webhook.timeout_seconds),
        ] {
            if value == 0 {
                bail!("config: {key}: must be at least 1");
            }
        }
        if self.webhook.retry_jitter_percent > 100 {
            bail!(
                "config: webhook.retry_jitter_percent: {} is more than 100",
                self.webhook.retry_jitter_percent
            );
        }
        let schedule: Vec<&str> = self
            .webhook
            .retry_schedule
            .split(',')
            .map(str::trim)
            .collect();
        if schedule.is_empty() || schedule.iter().any(|s| s.parse::<u64>().is_err()) {
            bail!(
                "config: webhook.retry_schedule: '{}' must be seconds before each attempt, comma-separated, e.g. 0,5,300",
                self.webhook.retry_schedule
            );
        }
        crate::domain::schedule::Policy::parse(
            &self.scheduler.reminders,
            &self.scheduler.quiet_hours,
            chrono_tz::UTC,
        )
        .map_err(|e| anyhow!("config: scheduler.reminders / scheduler.quiet_hours: {e}"))?;
        if self.delivery.batch_size > 10_000 {
            bail!("config: delivery.batch_size: at most 10000");
        }
        if self.delivery.retry_max_seconds < self.delivery.retry_base_seconds {
            bail!(
                "config: delivery.retry_max_seconds: must be at least delivery.retry_base_seconds"
            );
        }
        let email_driver = match self.email.driver.as_str() {
            "file" => EmailDriver::File,
            "smtp" => {
                let u = self.email.smtp_url.expose_secret();
                if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                    bail!(
                        "config: email.smtp_url: '{u}' must be smtp://host:port or smtps://host:port when email.driver is smtp"
                    );
                }
                EmailDriver::Smtp {
                    url: self.email.smtp_url.clone(),
                }
            }
            other => bail!("config: email.driver: '{other}' is not one of file, smtp"),
        };
        let allowed_countries: Vec<String> = self
            .subscribers
            .allowed_countries
            .split(',')
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        for c in allowed_countries
            .iter()
            .chain(std::iter::once(&self.subscribers.default_country))
        {
            if c.parse::<phonenumber::country::Id>().is_err() {
                bail!("config: subscribers: '{c}' is not an ISO 3166 country code such as KE");
            }
        }
        if allowed_countries.is_empty() {
            bail!("config: subscribers.allowed_countries: name at least one country");
        }
        if self
            .subscribers
            .email_from
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            bail!(
                "config: subscribers.email_from: '{}' is not a mailbox such as Status <status@example.co.ke>",
                self.subscribers.email_from
            );
        }
        Ok(Settings {
            allowed_countries,
            bind,
            public_url,
            time_zone,
            languages,
            locales: std::sync::Arc::new(locales),
            sms_driver,
            email_driver,
            raw: self,
        })
    }

    /// `sms.driver` and the keys that driver needs, each checked to be set.
    fn sms_driver(&self) -> anyhow::Result<SmsDriver> {
        let sms = &self.sms;
        let need = |key: &str, value: &str| {
            if value.trim().is_empty() {
                bail!(
                    "config: sms.{key}: must be set when sms.driver is {}",
                    sms.driver
                )
            }
            Ok(())
        };
        Ok(match sms.driver.as_str() {
            "file" => SmsDriver::File,
            "africastalking" => {
                need("username", &sms.username)?;
                need("api_key", sms.api_key.expose_secret())?;
                SmsDriver::AfricasTalking {
                    username: sms.username.clone(),
                    api_key: sms.api_key.clone(),
                }
            }
            "twilio" => {
                need("twilio_account_sid", &sms.twilio_account_sid)?;
                need("twilio_auth_token", sms.twilio_auth_token.expose_secret())?;
                SmsDriver::Twilio {
                    account_sid: sms.twilio_account_sid.clone(),
                    auth_token: sms.twilio_auth_token.clone(),
                }
            }
            "smpp" => {
                need("smpp_host", &sms.smpp_host)?;
                need("smpp_system_id", &sms.smpp_system_id)?;
                let port = u16::try_from(sms.smpp_port)
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| anyhow!("config: sms.smpp_port: must be between 1 and 65535"))?;
                SmsDriver::Smpp {
                    host: sms.smpp_host.clone(),
                    port,
                    system_id: sms.smpp_system_id.clone(),
                    password: sms.smpp_password.clone(),
                    window: sms.smpp_window,
                }
            }
            other => bail!(
                "config: sms.driver: '{other}' is not one of file, africastalking, twilio, smpp"
            ),
        })
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database.url.expose_secret().strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        Some(PathBuf::from(path))
    }
}

fn merge_file(table: &mut toml::Table, file: toml::Table, path: &Path) -> anyhow::Result<()> {
    for (section, value) in file {
        let Some(toml::Value::Table(target)) = table.get_mut(&section) else {
            bail!(
                "config: {}: unknown section [{section}] (known: {})",
                path.display(),
                table.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        };
        let toml::Value::Table(values) = value else {
            bail!(
                "config: {}: '{section}' must be a [section]",
                path.display()
            );
        };
        for (key, v) in values {
            let Some(default) = target.get(&key) else {
                bail!(
                    "config: {section}.{key}: unknown key (in {})",
                    path.display()
                );
            };
            if std::mem::discriminant(default) != std::mem::discriminant(&v) {
                bail!(
                    "config: {section}.{key}: expected {} (in {})",
                    default.type_str(),
                    path.display()
                );
            }
            target.insert(key, v);
        }
    }
    Ok(())
}

fn apply_env(table: &mut toml::Table, name: &str, value: &str) -> anyhow::Result<()> {
    let rest = name["TANGAZO_".len()..].to_ascii_lowercase();
    let Some((section, key)) = rest.split_once('_') else {
        bail!("config: {name}: expected TANGAZO_<SECTION>_<KEY>");
    };
    let Some(toml::Value::Table(target)) = table.get_mut(section) else {
        bail!("config: {name}: unknown section '{section}'");
    };
    let Some(default) = target.get(key) else {
        bail!("config: {section}.{key}: unknown key (from {name})");
    };
    let parsed = match default {
        // A per-language table: "2,ar=4" (a bare number is the default).
        toml::Value::Table(_) if key == "segment_budget" => {
            let mut t = toml::Table::new();
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = part.split_once('=').unwrap_or(("default", part));
                let n: i64 = v.trim().parse().map_err(|_| {
                    anyhow!("config: {section}.{key}: '{part}' is not a number or tag=number (from {name})")
                })?;
                t.insert(k.trim().to_string(), toml::Value::Integer(n));
            }
            toml::Value::Table(t)
        }
        toml::Value::String(_) => toml::Value::String(value.to_string()),
        toml::Value::Integer(_) => toml::Value::Integer(value.trim().parse().map_err(|_| {
            anyhow!("config: {section}.{key}: '{value}' is not a whole number (from {name})")
        })?),
        toml::Value::Boolean(_) => toml::Value::Boolean(match value.trim() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => bail!("config: {section}.{key}: '{value}' is not true or false (from {name})"),
        }),
        other => bail!(
            "config: {section}.{key}: cannot be set from the environment ({})",
            other.type_str()
        ),
    };
    target.insert(key.to_string(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env_pairs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn load(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        Config::load(None, env_pairs(pairs))?.validate()
    }

    #[test]
    fn defaults_need_no_file() {
        let s = load(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.raw.database.url.expose_secret(), "sqlite://tangazo.db");
        assert_eq!(s.time_zone, chrono_tz::Africa::Nairobi);
        assert_eq!(s.languages, vec![Lang::En, Lang::Sw]);
        assert_eq!(s.raw.sms.file, "outbox/sms.jsonl");
    }

    #[test]
    fn an_http_public_url_is_warned_about() {
        let http = load(&[("TANGAZO_SERVER_PUBLIC_URL", "http://status.example.co.ke")]).unwrap();
        let w = http.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("server.public_url") && w[0].contains("RFC 8058"));
        let https = load(&[("TANGAZO_SERVER_PUBLIC_URL", "https://status.example.co.ke")]).unwrap();
        assert!(https.warnings().is_empty());
    }

    #[test]
    fn env_overrides_keys_with_underscores() {
        let s = load(&[
            ("TANGAZO_PAGE_TIME_ZONE", "Africa/Harare"),
            ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
            ("TANGAZO_PAGE_CACHE_MAX_AGE", "30"),
        ])
        .unwrap();
        assert_eq!(s.time_zone, chrono_tz::Africa::Harare);
        assert!(s.raw.webhook.allow_private_networks);
        assert_eq!(s.raw.page.cache_max_age, 30);
    }

    #[test]
    fn the_test_suites_variables_are_not_configuration() {
        let s = load(&[(
            "TANGAZO_TEST_POSTGRES",
            "postgres://postgres@127.0.0.1:5432/test",
        )])
        .unwrap();
        assert!(s.raw.database.url_for_people().starts_with("sqlite://"));
        assert!(
            load(&[("TANGAZO_TESTS_X", "1")]).is_err(),
            "other unknown keys still fail"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let cases = [
            ("TANGAZO_PAGE_TIME_ZONE", "Mars/Olympus", "page.time_zone"),
            ("TANGAZO_SERVER_BIND", "localhost", "server.bind"),
            ("TANGAZO_PAGE_LANGUAGES", "en,de", "page.languages"),
            ("TANGAZO_PAGE_CACHE_MAX_AGE", "soon", "page.cache_max_age"),
            ("TANGAZO_DATABASE_URL", "mysql://x", "database.url"),
            ("TANGAZO_SMS_DRIVER", "pigeon", "sms.driver"),
            (
                "TANGAZO_SERVER_PUBLIC_URL",
                "status.example",
                "server.public_url",
            ),
            ("TANGAZO_PAGE_COLOUR", "red", "page.colour"),
            (
                "TANGAZO_WEBHOOK_RETRY_JITTER_PERCENT",
                "150",
                "webhook.retry_jitter_percent",
            ),
        ];
        for (k, v, key) in cases {
            let err = load(&[(k, v)]).unwrap_err().to_string();
            assert!(err.contains(key), "{k}={v}: {err}");
        }
    }

    #[test]
    fn each_driver_carries_its_own_settings() {
        assert!(matches!(load(&[]).unwrap().sms_driver, SmsDriver::File));
        assert!(matches!(load(&[]).unwrap().email_driver, EmailDriver::File));
        let s = load(&[
            ("TANGAZO_SMS_DRIVER", "africastalking"),
            ("TANGAZO_SMS_USERNAME", "sandbox"),
            ("TANGAZO_SMS_API_KEY", "at-key"),
        ])
        .unwrap();
        let SmsDriver::AfricasTalking { username, api_key } = s.sms_driver else {
            panic!("{:?}", s.sms_driver)
        };
        assert_eq!(
            (username.as_str(), api_key.expose_secret()),
            ("sandbox", "at-key")
        );
        let s = load(&[
            ("TANGAZO_SMS_DRIVER", "twilio"),
            ("TANGAZO_SMS_TWILIO_ACCOUNT_SID", "AC1"),
            ("TANGAZO_SMS_TWILIO_AUTH_TOKEN", "tw-token"),
        ])
        .unwrap();
        let SmsDriver::Twilio {
            account_sid,
            auth_token,
        } = s.sms_driver
        else {
            panic!("{:?}", s.sms_driver)
        };
        assert_eq!(
            (account_sid.as_str(), auth_token.expose_secret()),
            ("AC1", "tw-token")
        );
        let s = load(&[
            ("TANGAZO_SMS_DRIVER", "smpp"),
            ("TANGAZO_SMS_SMPP_HOST", "smsc.internal"),
            ("TANGAZO_SMS_SMPP_PORT", "2776"),
            ("TANGAZO_SMS_SMPP_SYSTEM_ID", "tangazo"),
            ("TANGAZO_SMS_SMPP_PASSWORD", "smpp-pw"),
        ])
        .unwrap();
        let SmsDriver::Smpp {
            host,
            port,
            system_id,
            password,
            window,
        } = s.sms_driver
        else {
            panic!("{:?}", s.sms_driver)
        };
        assert_eq!(
            (host.as_str(), port, system_id.as_str(), window),
            ("smsc.internal", 2776, "tangazo", 10)
        );
        assert_eq!(password.expose_secret(), "smpp-pw");
        let s = load(&[
            ("TANGAZO_EMAIL_DRIVER", "smtp"),
            ("TANGAZO_EMAIL_SMTP_URL", "smtp://127.0.0.1:2525"),
        ])
        .unwrap();
        let EmailDriver::Smtp { url } = s.email_driver else {
            panic!("{:?}", s.email_driver)
        };
        assert_eq!(url.expose_secret(), "smtp://127.0.0.1:2525");
        for (pairs, key) in [
            (
                &[("TANGAZO_SMS_DRIVER", "africastalking")][..],
                "sms.username",
            ),
            (
                &[("TANGAZO_SMS_DRIVER", "twilio")][..],
                "sms.twilio_account_sid",
            ),
            (&[("TANGAZO_SMS_DRIVER", "smpp")][..], "sms.smpp_host"),
            (
                &[
                    ("TANGAZO_SMS_DRIVER", "smpp"),
                    ("TANGAZO_SMS_SMPP_HOST", "h"),
                    ("TANGAZO_SMS_SMPP_SYSTEM_ID", "s"),
                    ("TANGAZO_SMS_SMPP_PORT", "70000"),
                ][..],
                "sms.smpp_port",
            ),
            (&[("TANGAZO_EMAIL_DRIVER", "smtp")][..], "email.smtp_url"),
            (&[("TANGAZO_EMAIL_DRIVER", "pigeon")][..], "email.driver"),
        ] {
            let err = load(pairs).unwrap_err().to_string();
            assert!(err.contains(key), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let secrets = [
            ("TANGAZO_SMS_API_KEY", "key-7Hq2"),
            ("TANGAZO_SMS_SMPP_PASSWORD", "pw-9Xc4"),
            ("TANGAZO_SMS_CALLBACK_SECRET", "cb-3Lm8"),
            ("TANGAZO_SMS_TWILIO_AUTH_TOKEN", "tw-5Rv1"),
            ("TANGAZO_EMAIL_SMTP_URL", "smtp://relay:login-6Kp0@mail:25"),
            (
                "TANGAZO_DATABASE_URL",
                "postgres://app:db-2Wn5@db:5432/tangazo",
            ),
        ];
        let mut pairs = vec![
            ("TANGAZO_SMS_DRIVER", "smpp"),
            ("TANGAZO_SMS_SMPP_HOST", "smsc.internal"),
            ("TANGAZO_SMS_SMPP_SYSTEM_ID", "tangazo"),
            ("TANGAZO_EMAIL_DRIVER", "smtp"),
        ];
        pairs.extend(secrets);
        let s = load(&pairs).unwrap();
        for text in [format!("{s:?}"), format!("{s:#?}"), format!("{:?}", s.raw)] {
            assert!(text.contains("smsc.internal"), "{text}");
            for secret in [
                "key-7Hq2",
                "pw-9Xc4",
                "cb-3Lm8",
                "tw-5Rv1",
                "login-6Kp0",
                "db-2Wn5",
            ] {
                assert!(!text.contains(secret), "{secret} printed in {text}");
            }
        }
        // What messages show of the database's address: all of it but the password.
        assert_eq!(
            s.raw.database.url_for_people(),
            "postgres://app:***@db:5432/tangazo"
        );
        assert_eq!(
            s.raw.database.url.expose_secret(),
            "postgres://app:db-2Wn5@db:5432/tangazo"
        );
    }

    #[test]
    fn files_with_every_sms_key_and_the_readme_still_parse() {
        // An operator's file from before the drivers were typed: one driver chosen, keys of
        // the others left in.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "[sms]\ndriver = \"twilio\"\nsender = \"MPESA\"\ncallback_secret = \"cb\"\n\
             twilio_auth_token = \"tok\"\ntwilio_account_sid = \"AC1\"\napi_url = \"\"\n\
             username = \"sandbox\"\napi_key = \"k\"\nsmpp_host = \"\"\nsmpp_port = 2775\n\
             smpp_system_id = \"\"\nsmpp_password = \"\"\nsmpp_window = 10\n\
             [email]\ndriver = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:2525\"\n",
        )
        .unwrap();
        let s = Config::load(Some(&path), env_pairs(&[]))
            .unwrap()
            .validate()
            .unwrap();
        assert!(matches!(s.sms_driver, SmsDriver::Twilio { .. }));
        assert!(matches!(s.email_driver, EmailDriver::Smtp { .. }));
        assert_eq!(s.raw.sms.callback_secret.expose_secret(), "cb");

        // Every `section.key` the README's tables name is a key, and its example files load.
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let table = toml::Table::try_from(Config::default()).unwrap();
        let mut named = 0;
        for line in readme.lines().filter(|l| l.starts_with("| `")) {
            let first = line.split('|').nth(1).unwrap_or_default();
            for name in first.split('`').skip(1).step_by(2) {
                let Some((section, key)) = name.split_once('.') else {
                    continue;
                };
                let Some(toml::Value::Table(keys)) = table.get(section) else {
                    continue;
                };
                assert!(
                    keys.contains_key(key),
                    "README names {name}, which is no key"
                );
                named += 1;
            }
        }
        assert!(named > 0 || !readme.contains("sms.driver"));
        for (i, block) in readme.split("```toml\n").skip(1).enumerate() {
            let text = block.split("```").next().unwrap();
            let path = dir.path().join(format!("readme-{i}.toml"));
            std::fs::write(&path, text).unwrap();
            Config::load(Some(&path), env_pairs(&[]))
                .and_then(Config::validate)
                .unwrap_or_else(|e| panic!("README's example file {i}: {e:#}\n{text}"));
        }
    }

    #[test]
    fn file_layer_is_checked_and_env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "[page]\nname = \"EcoCash status\"\ntime_zone = \"Africa/Harare\"\n",
        )
        .unwrap();
        let s = Config::load(Some(&path), env_pairs(&[("TANGAZO_PAGE_NAME", "From env")]))
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(s.raw.page.name, "From env");
        assert_eq!(s.time_zone, chrono_tz::Africa::Harare);

        std::fs::write(&path, "[page]\ncache_max_age = \"ten\"\n").unwrap();
        let err = Config::load(Some(&path), env_pairs(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("page.cache_max_age"), "{err}");
        std::fs::write(&path, "[pages]\nname = \"x\"\n").unwrap();
        let err = Config::load(Some(&path), env_pairs(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[pages]"), "{err}");
    }
}
