//! The `tangazo` command line.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Settings};
use crate::store::{Role, Store};

#[derive(Parser, Debug)]
#[command(
    name = "tangazo",
    version,
    about = "Status page and announcements for a mobile-money platform"
)]
pub struct Cli {
    /// TOML configuration file; every key can also be set as TANGAZO_<SECTION>_<KEY>.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the service: the web server (public page, Statuspage JSON, feeds, staff console and
    /// API), the delivery workers (SMS, email, biller webhooks; delivery.workers = false turns
    /// them off) and the scheduler (auto-start, reminders, overrun alerts, auto-complete;
    /// scheduler.enabled = false turns it off). Migrations are applied first.
    Serve {
        /// Load the demo services and notices first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the delivery workers (SMS, email, biller webhooks), e.g. on other hosts than
    /// the web server; set delivery.workers = false there. Stops cleanly on SIGTERM or Ctrl-C.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo services and notices (scenarios from M-PESA and EcoCash).
    Demo,
    /// Write the whole public site as static files (HTML, JSON, feeds, ics) into DIR.
    Export { dir: PathBuf },
    /// Manage staff API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage subscribers.
    Subscribers {
        #[command(subcommand)]
        command: SubscribersCommand,
    },
    /// Manage staff console accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubscribersCommand {
    /// Import a CSV (columns address, consent; optional channel, language, services).
    Import { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a console account; prints a generated password once unless --password-stdin.
    Create {
        #[arg(long)]
        email: String,
        /// viewer, editor, publisher or admin
        #[arg(long)]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it once; its name must not be a live token's already.
    Create {
        #[arg(long)]
        name: String,
        /// viewer, editor, publisher or admin
        #[arg(long)]
        role: String,
    },
    /// List tokens (name, role, id, created, revoked); never a secret, which is not stored.
    List,
    /// Revoke a token by its name or id: it stops working at once.
    Revoke {
        /// The token's name, or its id from `tangazo token list`.
        name_or_id: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Config::from_process(cli.config.as_deref())?;
    init_tracing();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve { demo } => serve(settings, clock, demo).await,
        Command::Worker => {
            warn_about(&settings);
            let store = open(&settings).await?;
            let cancel = CancellationToken::new();
            let stop = cancel.clone();
            let signal = shutdown_signal();
            tokio::spawn(async move {
                signal.await;
                tracing::info!("stopping the workers after the batches in flight");
                stop.cancel();
            });
            eprintln!(
                "Tangazo workers are running on {}",
                settings.raw.database.url_for_people()
            );
            crate::run_workers(settings, store.clone(), clock, cancel).await?;
            store.close().await;
            Ok(())
        }
        Command::Migrate => {
            let store = open(&settings).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                settings.raw.database.url_for_people()
            );
            Ok(())
        }
        Command::Demo => {
            let store = open(&settings).await?;
            let loaded = crate::demo::load(&store, &settings, clock.now()).await?;
            println!(
                "{}",
                if loaded {
                    "demo data loaded"
                } else {
                    "the database already has services; demo data not loaded"
                }
            );
            store.close().await;
            Ok(())
        }
        Command::Export { dir } => {
            let store = open(&settings).await?;
            let n = crate::app::export::export(&store, &settings, clock.now(), &dir).await?;
            println!("wrote {n} files to {}", dir.display());
            store.close().await;
            Ok(())
        }
        Command::Subscribers {
            command: SubscribersCommand::Import { file },
        } => {
            let store = open(&settings).await?;
            let report =
                crate::app::import::import_csv(&store, &settings, &file, clock.now(), |m| {
                    eprintln!("{m}")
                })
                .await?;
            store.close().await;
            println!(
                "{} rows, {} new subscribers, {} already present, in {:.1} s ({:.0} rows/s)",
                report.rows,
                report.inserted,
                report.rows - report.inserted,
                report.seconds,
                report.rows as f64 / report.seconds.max(0.001)
            );
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    role,
                    password_stdin,
                },
        } => {
            let role = Role::parse(&role)
                .map_err(anyhow::Error::msg)
                .context("--role")?;
            let email = email.trim().to_lowercase();
            if !email.contains('@') || email.len() > 200 || email.contains(char::is_whitespace) {
                anyhow::bail!("--email: '{email}' is not an email address");
            }
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                let p = line.trim_end_matches(['\n', '\r']).to_string();
                crate::store::check_password(&p).map_err(|m| anyhow::anyhow!("password: {m}"))?;
                p
            } else {
                crate::crypto::random_token(18)
            };
            let store = open(&settings).await?;
            store
                .create_user(&email, role, &password, clock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            if password_stdin {
                println!("account {email} ({}) created", role.as_str());
            } else {
                println!("{password}");
                eprintln!(
                    "account {email} ({}) created; the password above is shown only once",
                    role.as_str()
                );
            }
            Ok(())
        }
        Command::Token { command } => {
            let store = open(&settings).await?;
            let done = token_command(&store, command, clock.now()).await;
            store.close().await;
            done
        }
    }
}

/// Who runs a command, for the audit log: the operating-system account.
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    if user.is_empty() {
        "cli".into()
    } else {
        format!("cli:{user}")
    }
}

async fn token_command(
    store: &Store,
    command: TokenCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::store::StoreError;
    match command {
        TokenCommand::Create { name, role } => {
            let role = Role::parse(&role)
                .map_err(anyhow::Error::msg)
                .context("--role")?;
            let name = name.trim();
            if name.is_empty() || name.len() > 60 {
                anyhow::bail!("--name: give 1-60 characters");
            }
            let (_, token) = match store
                .create_token(name, role, None, &cli_actor(), now)
                .await
            {
                Err(StoreError::Conflict { message, .. }) => anyhow::bail!("--name: {message}"),
                other => other?,
            };
            println!("{token}");
            eprintln!(
                "token '{name}' ({}) created; it is shown only once",
                role.as_str()
            );
        }
        TokenCommand::List => print!("{}", token_table(&store.list_tokens().await?)),
        TokenCommand::Revoke { name_or_id } => {
            let t = match store
                .revoke_token(name_or_id.trim(), &cli_actor(), now)
                .await
            {
                Err(StoreError::NotFound) => anyhow::bail!(
                    "no live token named '{name_or_id}' and no token with that id; see tangazo token list"
                ),
                Err(StoreError::Conflict { message, .. }) => anyhow::bail!("{message}"),
                other => other?,
            };
            println!("token '{}' ({}) revoked", t.name, t.id);
        }
    }
    Ok(())
}

/// `tangazo token list`: one line per token, columns aligned.
fn token_table(tokens: &[crate::store::ApiToken]) -> String {
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut rows = vec![[
        "NAME".to_string(),
        "ROLE".into(),
        "ID".into(),
        "CREATED".into(),
        "REVOKED".into(),
    ]];
    for t in tokens {
        let role = match &t.biller_id {
            Some(b) => format!("biller {b}"),
            None => t.role.as_str().into(),
        };
        let revoked = t.revoked_at.map(time).unwrap_or_else(|| "-".into());
        rows.push([
            t.name.clone(),
            role,
            t.id.clone(),
            time(t.created_at),
            revoked,
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if tokens.is_empty() {
        out.push_str("(no tokens; create one with tangazo token create --name N --role R)\n");
    }
    out
}

async fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::open_configured(&settings.raw.database).await
}

/// Logs go to standard error, coloured only when it is a terminal: a log file or a journal
/// gets plain text, not escape codes.
fn init_tracing() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// What an operator should know about the configuration at start, before anything is sent.
fn warn_about(settings: &Settings) {
    for w in settings.warnings() {
        tracing::warn!("{w}");
    }
}

async fn serve(settings: Settings, clock: Arc<dyn Clock>, demo: bool) -> anyhow::Result<()> {
    warn_about(&settings);
    // The port first: if it is taken, start fails before the first admin's password, which is
    // printed only once, is made and lost.
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .with_context(|| format!("server.bind: cannot listen on {}", settings.bind))?;
    let store = open(&settings).await?;
    if demo {
        if crate::demo::load(&store, &settings, clock.now()).await? {
            tracing::info!("demo data loaded");
        } else {
            tracing::warn!("--demo: the database already has services; demo data not loaded");
        }
    }
    first_admin(&store, &settings, clock.now()).await?;
    let cancel = CancellationToken::new();
    let public_url = settings.public_url.clone();
    let running = crate::start(settings, store.clone(), clock, listener, cancel.clone()).await?;
    let signal = shutdown_signal();
    tracing::info!(addr = %running.addr, %public_url, "serving");
    eprintln!(
        "Tangazo is serving http://{} (public URL {public_url})",
        running.addr
    );
    signal.await;
    tracing::info!("shutting down");
    cancel.cancel();
    running.handle.await??;
    for w in running.workers {
        w.await.context("a delivery worker panicked")?;
    }
    running.state.outbound.close().await;
    store.close().await;
    Ok(())
}

/// SIGTERM or Ctrl-C. The handlers are installed when this is called, not when the future is
/// first polled, so a signal sent as soon as start says it is serving stops it cleanly.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// On the first start there is no account: create one admin and print its password once.
async fn first_admin(
    store: &Store,
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let email = &settings.raw.console.first_admin;
    let password = crate::crypto::random_token(18);
    store
        .create_user(email, Role::Admin, &password, now)
        .await
        .map_err(|e| anyhow::anyhow!("console.first_admin: {e}"))?;
    eprintln!(
        "First start: console account {email} (admin) created with password {password}\nIt is shown only this once: log in at {}/console/login and change it.",
        settings.public_url
    );
    Ok(())
}
