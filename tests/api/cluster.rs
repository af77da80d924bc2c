//! A real replicated PostgreSQL for the tests of standbys: a primary and streaming standbys
//! (`pg_basebackup -R`), made with the server binaries installed on this machine, each on a
//! loopback port of its own (run as the `postgres` user when the tests run as root), all
//! stopped when dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Server 0 is the primary; 1, 2, … are its standbys.
pub struct Cluster {
    dir: tempfile::TempDir,
    ports: Vec<u16>,
}

impl Cluster {
    /// A primary and one standby per entry of `standbys`, each entry being extra lines for
    /// that standby's `postgresql.conf` (e.g. `recovery_min_apply_delay = '2s'`).
    pub fn start(standbys: &[&str]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("newsgraph-replicas-")
            .tempdir_in("/tmp")
            .expect("a temporary directory");
        if as_root() {
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        let ports: Vec<u16> = (0..=standbys.len()).map(|_| free_port()).collect();
        let cluster = Self { dir, ports };
        let primary = cluster.data(0);
        run(pg("initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
            .arg(&primary));
        let settings = format!(
            "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             wal_level = replica\nmax_wal_senders = 8\nwal_keep_size = '256MB'\nfsync = off\n",
            cluster.ports[0],
            cluster.dir.path().display()
        );
        append(&primary.join("postgresql.conf"), &settings);
        append(
            &primary.join("pg_hba.conf"),
            "host replication postgres 127.0.0.1/32 trust\n",
        );
        cluster.start_server(0);
        for (index, extra) in standbys.iter().enumerate() {
            let server = index + 1;
            let data = cluster.data(server);
            run(pg("pg_basebackup")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-R", "-X", "stream"])
                .args(["-p", &cluster.ports[0].to_string(), "-D"])
                .arg(&data));
            append(
                &data.join("postgresql.conf"),
                &format!("port = {}\n{extra}\n", cluster.ports[server]),
            );
            cluster.start_server(server);
        }
        cluster
    }

    /// The URL of server `server`'s `postgres` database.
    pub fn url(&self, server: usize) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres",
            self.ports[server]
        )
    }

    /// Starts a server (again).
    pub fn start_server(&self, server: usize) {
        let data = self.data(server);
        run(pg("pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(data.with_extension("log"))
            .arg("start"));
    }

    /// Stops a server the way an operator does (`pg_ctl stop -m fast`: sessions are ended).
    pub fn stop_server(&self, server: usize) {
        run(pg("pg_ctl")
            .args(["-w", "-m", "fast", "-D"])
            .arg(self.data(server))
            .arg("stop"));
    }

    /// Promotes a standby: it stops following the primary and takes writes of its own.
    pub fn promote(&self, server: usize) {
        run(pg("pg_ctl")
            .args(["-w", "-D"])
            .arg(self.data(server))
            .arg("promote"));
    }

    fn data(&self, server: usize) -> PathBuf {
        self.dir.path().join(format!("server{server}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for server in (0..self.ports.len()).rev() {
            let _ = pg("pg_ctl")
                .args(["-w", "-m", "immediate", "-D"])
                .arg(self.data(server))
                .arg("stop")
                .output();
        }
    }
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL server program (the newest version installed), run as `postgres` when root.
fn pg(name: &str) -> Command {
    let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("the PostgreSQL server binaries (/usr/lib/postgresql)")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin").join(name)))
        .filter(|path| path.exists())
        .collect();
    bins.sort();
    let program = bins.pop().expect("a PostgreSQL server binary");
    if as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command runs");
    assert!(output.status.success(), "{command:?}: {output:?}");
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("a configuration file");
    file.write_all(text.as_bytes()).expect("written");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
