//! `qantar-bot healthcheck`: asks a running bot's /healthz, for Docker's HEALTHCHECK.
//! Plain HTTP/1.1 over a socket, so the runtime image needs no curl.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The address to ask: the webhook listener, else the polling-mode metrics listener.
/// `None` when the bot serves no HTTP (polling without --metrics-listen).
pub fn target(
    webhook: bool,
    listen: SocketAddr,
    metrics: Option<SocketAddr>,
) -> Option<SocketAddr> {
    let addr = if webhook { Some(listen) } else { metrics }?;
    // A wildcard bind address is reached through loopback.
    Some(if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    })
}

/// True when /healthz answers 200 within a few seconds.
pub fn healthy(addr: SocketAddr) -> Result<bool, std::io::Error> {
    let limit = Duration::from_secs(4);
    let mut stream = TcpStream::connect_timeout(&addr, limit)?;
    stream.set_read_timeout(Some(limit))?;
    stream.set_write_timeout(Some(limit))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 16];
    let n = stream.read(&mut head)?;
    Ok(head[..n].starts_with(b"HTTP/1.1 200"))
}

/// The subcommand: exit 0 when the running bot answers /healthz (or, polling without a
/// listener, always: being alive is all there is to check).
pub fn run(cli: &crate::config::Cli) -> std::process::ExitCode {
    use std::process::ExitCode;
    let target = target(cli.webhook_url.is_some(), cli.listen, cli.metrics_listen);
    match target.map(healthy) {
        None => ExitCode::SUCCESS,
        Some(Ok(true)) => ExitCode::SUCCESS,
        Some(Ok(false)) => {
            eprintln!("unhealthy: /healthz did not answer 200");
            ExitCode::FAILURE
        }
        Some(Err(e)) => {
            eprintln!("unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let listen: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let metrics: SocketAddr = "127.0.0.1:9100".parse().unwrap();
        assert_eq!(
            target(true, listen, None),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(target(false, listen, Some(metrics)), Some(metrics));
        assert_eq!(target(false, listen, None), None);
    }
}
