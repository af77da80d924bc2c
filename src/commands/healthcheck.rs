//! `newsgraph healthcheck`: asks a local `serve` for /readyz, so container images need no
//! HTTP client of their own.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::config::HealthcheckArgs;

/// Exits 0 when /readyz answers 200.
pub fn run(args: &HealthcheckArgs) -> anyhow::Result<ExitCode> {
    let addr = loopback(args.addr);
    let timeout = Duration::from_secs(args.timeout);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .context("cannot set a timeout")?;
    stream
        .set_write_timeout(Some(timeout))
        .context("cannot set a timeout")?;
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .with_context(|| format!("cannot send to {addr}"))?;
    let mut response = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut response)
        .with_context(|| format!("no answer from {addr}"))?;
    let head = String::from_utf8_lossy(&response);
    let status = head.split_whitespace().nth(1).unwrap_or("none");
    if status == "200" {
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("{addr}/readyz answered {status}")
    }
}

/// The address to dial for a listening address: unspecified ones mean this machine.
fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_dialled_on_loopback() {
        let any: SocketAddr = "0.0.0.0:8080".parse().expect("an address");
        let specific: SocketAddr = "10.1.2.3:8080".parse().expect("an address");

        assert_eq!(
            loopback(any),
            "127.0.0.1:8080".parse::<SocketAddr>().expect("an address")
        );
        assert_eq!(loopback(specific), specific);
    }
}
