//! Which system user runs the private cluster. PostgreSQL refuses to run as root, so when
//! newsgraph runs as root (as in CI) the server runs as the unprivileged `postgres` user.

use std::fs;
use std::os::unix::fs::chown;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// The system user the cluster's programs run as.
pub const SERVER_USER: &str = "postgres";

/// A user id and group id to run the server programs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
}

/// Returns `Some(owner)` when running as root (the cluster must then run as [`SERVER_USER`]),
/// `None` when the current user can run it itself.
pub fn server_owner() -> anyhow::Result<Option<Owner>> {
    if current_uid()? != 0 {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd").context("cannot read /etc/passwd")?;
    match lookup(&passwd, SERVER_USER) {
        Some(owner) => Ok(Some(owner)),
        None => bail!(
            "running as root, but there is no `{SERVER_USER}` system user to run PostgreSQL as \
             (PostgreSQL refuses to run as root): install the PostgreSQL server package, which \
             creates it, or run newsgraph as another user, or set DATABASE_URL"
        ),
    }
}

/// Gives `path` to the owner, if there is one.
pub fn give(path: &Path, owner: Option<Owner>) -> anyhow::Result<()> {
    if let Some(owner) = owner {
        chown(path, Some(owner.uid), Some(owner.gid))
            .with_context(|| format!("cannot give {} to the {SERVER_USER} user", path.display()))?;
    }
    Ok(())
}

/// A command that runs as the owner when there is one.
pub fn command(program: &Path, owner: Option<Owner>) -> Command {
    use std::os::unix::process::CommandExt;

    let mut command = Command::new(program);
    if let Some(owner) = owner {
        // The server user may not be able to enter our working directory.
        command.uid(owner.uid).gid(owner.gid).current_dir("/");
    }
    command
}

fn current_uid() -> anyhow::Result<u32> {
    use std::os::unix::fs::MetadataExt;

    // The owner of /proc/self is the process's effective user, without libc or unsafe code.
    Ok(fs::metadata("/proc/self")
        .context("cannot read /proc/self to tell the current user")?
        .uid())
}

fn lookup(passwd: &str, name: &str) -> Option<Owner> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(Owner { uid, gid })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_reads_uid_and_gid_of_the_named_user() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104::/var/lib/postgresql:/bin/bash\n";

        assert_eq!(
            lookup(passwd, "postgres"),
            Some(Owner { uid: 101, gid: 104 })
        );
        assert_eq!(lookup(passwd, "nobody"), None);
    }
}
