//! Finding the PostgreSQL server binaries (initdb, pg_ctl, postgres) on this machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

/// The programs a private cluster needs.
const REQUIRED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// Returns the directory holding initdb, pg_ctl and postgres. Looks on PATH, then where
/// `pg_config --bindir` points, then under /usr/lib/postgresql/*/bin (newest version first),
/// which is where Debian and Ubuntu install the server without putting it on PATH.
pub fn find() -> anyhow::Result<PathBuf> {
    let candidates = path_dirs()
        .into_iter()
        .chain(pg_config_bindir())
        .chain(debian_bindirs());
    for dir in candidates {
        if has_server_binaries(&dir) {
            return Ok(dir);
        }
    }
    bail!(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found on PATH, through \
         pg_config, or under /usr/lib/postgresql/*/bin; install the PostgreSQL server \
         (Debian/Ubuntu: apt-get install postgresql), or set DATABASE_URL to an existing \
         server, or run `docker compose up`"
    )
}

fn has_server_binaries(dir: &Path) -> bool {
    REQUIRED.iter().all(|name| dir.join(name).is_file())
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default()
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = String::from_utf8(output.stdout).ok()?;
    Some(PathBuf::from(dir.trim()))
}

fn debian_bindirs() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_the_server_programs_is_not_accepted() {
        let dir = std::env::temp_dir();

        assert!(!has_server_binaries(&dir));
    }
}
