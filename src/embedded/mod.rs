//! The private PostgreSQL cluster newsgraph uses when DATABASE_URL is unset.
//!
//! It lives in `--data-dir` (`pgdata/` for the cluster, `password` for its superuser
//! password, `app-password` for the password of the role newsgraph serves as, `log/` for
//! the server log), is initialized on first use, keeps its data across runs, and listens on
//! a free loopback port with password authentication.
//!
//! Two roles: the superuser owns the database and runs the migrations; `newsgraph_app`,
//! which may only read and write newsgraph's tables, is what every command then works as.
//!
//! Several newsgraph processes may share one data dir (`serve` in one terminal, `import` in
//! another). They coordinate with two lock files: `start.lock`, held exclusively while a
//! process starts or stops the server, and `users.lock`, held shared by every process using
//! it. The last process to leave stops the server. The kernel drops the locks of a killed
//! process, so a server left running by one is reused, and stopped, by the next.
//!
//! This module starts and stops processes and touches files; it runs no SQL.

mod binaries;
mod owner;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};

use owner::Owner;
pub use owner::SERVER_USER;

/// The cluster's superuser, which owns newsgraph's database.
const SUPERUSER: &str = "newsgraph";
/// The role newsgraph works as once the schema is migrated.
pub const APP_ROLE: &str = "newsgraph_app";
/// How often a start is retried when the chosen port was taken in the meantime.
const START_ATTEMPTS: usize = 3;

/// A running private cluster, in use by this process until [`Cluster::stop`].
#[derive(Debug)]
pub struct Cluster {
    data_dir: PathBuf,
    bindir: PathBuf,
    owner: Option<Owner>,
    port: u16,
    password: SecretString,
    app_password: SecretString,
    users_lock: Option<File>,
}

impl Cluster {
    /// Starts the cluster in `data_dir` (initializing it on first use) or joins the one already
    /// running there. Blocks; call it from a blocking thread.
    pub fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bindir = binaries::find()?;
        let owner = owner::server_owner()?;
        fs::create_dir_all(data_dir)
            .with_context(|| format!("data dir {} cannot be created", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("data dir {} cannot be read", data_dir.display()))?;
        restrict_data_dir(&data_dir, owner)?;
        let start_lock = lock_file(&data_dir.join("start.lock"))?;
        start_lock
            .lock()
            .with_context(|| format!("cannot lock {}/start.lock", data_dir.display()))?;

        let password = read_or_create_password(&data_dir.join("password"))?;
        let app_password = read_or_create_password(&data_dir.join("app-password"))?;
        let mut cluster = Self {
            bindir,
            owner,
            port: 0,
            password,
            app_password,
            users_lock: None,
            data_dir,
        };
        if !cluster.pgdata().join("PG_VERSION").is_file() {
            cluster.initdb()?;
        }
        cluster.port = match cluster.running_port()? {
            Some(port) => {
                tracing::info!(port, "joining the private PostgreSQL already running");
                port
            }
            None => cluster.start_server()?,
        };
        let users_lock = lock_file(&cluster.data_dir.join("users.lock"))?;
        users_lock.lock_shared().context("cannot lock users.lock")?;
        cluster.users_lock = Some(users_lock);
        Ok(cluster)
    }

    /// The superuser's URL of a database in this cluster. It holds the password: never log
    /// it.
    pub fn database_url(&self, database: &str) -> SecretString {
        SecretString::from(format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}",
            self.password.expose_secret(),
            self.port
        ))
    }

    /// The URL of a database in this cluster as [`APP_ROLE`]. It holds the password.
    pub fn app_database_url(&self, database: &str) -> SecretString {
        SecretString::from(format!(
            "postgres://{APP_ROLE}:{}@127.0.0.1:{}/{database}",
            self.app_password.expose_secret(),
            self.port
        ))
    }

    /// Leaves the cluster, and stops it if no other newsgraph process uses it.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.leave()
    }

    fn leave(&mut self) -> anyhow::Result<()> {
        let Some(users_lock) = self.users_lock.take() else {
            return Ok(());
        };
        let start_lock = lock_file(&self.data_dir.join("start.lock"))?;
        start_lock.lock().context("cannot lock start.lock")?;
        drop(users_lock);
        let probe = lock_file(&self.data_dir.join("users.lock"))?;
        if probe.try_lock().is_err() {
            tracing::info!(
                "other newsgraph processes still use the private PostgreSQL; leaving it running"
            );
            return Ok(());
        }
        tracing::info!("stopping the private PostgreSQL");
        let pgdata = self.pgdata();
        let output = self
            .command("pg_ctl")
            .arg("stop")
            .arg("-D")
            .arg(&pgdata)
            .args(["-m", "fast", "-w", "-t", "60"])
            .output()
            .context("cannot run pg_ctl stop")?;
        check(&output, "pg_ctl stop")
    }

    fn pgdata(&self) -> PathBuf {
        self.data_dir.join("pgdata")
    }

    fn command(&self, program: &str) -> std::process::Command {
        owner::command(&self.bindir.join(program), self.owner)
    }

    /// Creates the cluster in a scratch directory and renames it into place, so that an
    /// interrupted initdb never leaves a half-made cluster behind.
    fn initdb(&self) -> anyhow::Result<()> {
        tracing::info!(data_dir = %self.data_dir.display(), "initializing the private PostgreSQL cluster");
        let scratch = self.data_dir.join("pgdata.initdb");
        if scratch.exists() {
            fs::remove_dir_all(&scratch)
                .with_context(|| format!("cannot remove {}", scratch.display()))?;
        }
        make_private_dir(&scratch, self.owner)?;
        let pwfile = self.data_dir.join("initdb.password");
        fs::remove_file(&pwfile).ok();
        write_private(&pwfile, self.password.expose_secret())?;
        owner::give(&pwfile, self.owner)?;
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&scratch)
            .args(["-U", SUPERUSER, "-E", "UTF8", "--no-locale"])
            .args(["--auth-host=scram-sha-256", "--auth-local=peer"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .context("cannot run initdb")?;
        fs::remove_file(&pwfile).ok();
        check(&output, "initdb").with_context(|| {
            format!(
                "cannot initialize a PostgreSQL cluster in {}; the {} user must be able to \
                 enter every directory above it (or choose another --data-dir, or set \
                 DATABASE_URL)",
                self.data_dir.display(),
                owner_name(self.owner)
            )
        })?;
        fs::rename(&scratch, self.pgdata()).context("cannot move the new cluster into place")?;
        Ok(())
    }

    /// The port of a server already running on this cluster, if there is one.
    fn running_port(&self) -> anyhow::Result<Option<u16>> {
        let pgdata = self.pgdata();
        let status = self
            .command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&pgdata)
            .output()
            .context("cannot run pg_ctl status")?;
        if !status.status.success() {
            return Ok(None);
        }
        // The fourth line of postmaster.pid is the port.
        let pid_file = fs::read_to_string(pgdata.join("postmaster.pid"))
            .context("cannot read postmaster.pid of the running server")?;
        let port = pid_file
            .lines()
            .nth(3)
            .and_then(|line| line.trim().parse().ok())
            .context("postmaster.pid of the running server holds no port")?;
        Ok(Some(port))
    }

    fn start_server(&self) -> anyhow::Result<u16> {
        let log_dir = self.data_dir.join("log");
        if !log_dir.is_dir() {
            make_private_dir(&log_dir, self.owner)?;
        }
        let log_file = log_dir.join("postgresql.log");
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            tracing::info!(port, "starting the private PostgreSQL");
            let output = self
                .command("pg_ctl")
                .arg("start")
                .arg("-D")
                .arg(self.pgdata())
                .arg("-l")
                .arg(&log_file)
                .args(["-w", "-t", "60", "-o"])
                .arg(format!(
                    "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                ))
                .output()
                .context("cannot run pg_ctl start")?;
            match check(&output, "pg_ctl start") {
                Ok(()) => return Ok(port),
                Err(error) => last_error = Some(error),
            }
        }
        let log_tail = tail(&log_file, 5);
        Err(last_error
            .expect("at least one attempt was made")
            .context(format!(
                "the private PostgreSQL did not start; its log says: {log_tail}"
            )))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = self.leave() {
            tracing::error!(
                error = format!("{error:#}"),
                "cannot stop the private PostgreSQL"
            );
        }
    }
}

fn owner_name(owner: Option<Owner>) -> &'static str {
    if owner.is_some() {
        SERVER_USER
    } else {
        "current"
    }
}

/// Opens (creating) a lock file only this user may open: anyone who can open a file can
/// lock it, and a stranger holding `start.lock` would block every start.
fn lock_file(path: &Path) -> anyhow::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("data dir cannot be written: cannot open {}", path.display()))?;
    // Made by an older version with the umask's mode.
    let mode = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(file)
}

/// Lets nobody else list or change the data dir: 0700, or 0711 when the server runs as the
/// `postgres` user, which must pass through it to reach its cluster. It holds the password,
/// the lock files and the server log.
fn restrict_data_dir(data_dir: &Path, owner: Option<Owner>) -> anyhow::Result<()> {
    let mode = if owner.is_some() { 0o711 } else { 0o700 };
    let current = fs::metadata(data_dir)
        .with_context(|| format!("data dir {} cannot be read", data_dir.display()))?
        .permissions()
        .mode()
        & 0o777;
    if current & !mode != 0 {
        fs::set_permissions(data_dir, fs::Permissions::from_mode(mode)).with_context(|| {
            format!(
                "data dir {} cannot be restricted to mode {mode:o}",
                data_dir.display()
            )
        })?;
    }
    Ok(())
}

fn make_private_dir(path: &Path, owner: Option<Owner>) -> anyhow::Result<()> {
    fs::create_dir(path).with_context(|| format!("cannot create {}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", path.display()))?;
    owner::give(path, owner)
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A password kept in `path` (mode 0600), made on first use.
fn read_or_create_password(path: &Path) -> anyhow::Result<SecretString> {
    let path = path.to_path_buf();
    match fs::read_to_string(&path) {
        Ok(password) if !password.trim().is_empty() => {
            return Ok(SecretString::from(password.trim().to_owned()));
        }
        Ok(_) => {
            fs::remove_file(&path).with_context(|| format!("cannot replace {}", path.display()))?
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
    let password = uuid::Uuid::new_v4().simple().to_string();
    write_private(&path, &password)?;
    Ok(SecretString::from(password))
}

/// A loopback port nobody listens on right now. Another process may take it before the
/// server does; the caller retries.
fn free_port() -> anyhow::Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("cannot find a free port")?;
    Ok(listener
        .local_addr()
        .context("cannot find a free port")?
        .port())
}

fn check(output: &Output, what: &str) -> anyhow::Result<()> {
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The line saying "error" is the reason; hints and details follow it.
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let reason = lines
        .iter()
        .find(|line| line.contains("error") || line.contains("FATAL"))
        .or(lines.last())
        .copied()
        .unwrap_or("no output");
    bail!("{what} failed ({}): {reason}", output.status)
}

fn tail(path: &Path, lines: usize) -> String {
    let Ok(text) = fs::read_to_string(path) else {
        return format!("(cannot read {})", path.display());
    };
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
}
