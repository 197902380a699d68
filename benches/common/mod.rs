//! What the benchmarks share: a tiny HTTP/1.1 client, so that the
//! measured requests go through a real socket without a client library's
//! own costs in the figures, and the settings and machine readings they print.

// Each benchmark is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::str::FromStr;
use std::time::Duration;

/// A setting from the environment, or `default` when unset; a value that
/// does not parse stops the benchmark rather than being silently ignored.
pub fn env<T: FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a valid value")),
        Err(_) => default,
    }
}

/// Resident memory of this process, in bytes.
pub fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The 1, 5 and 15 minute load averages, as the kernel prints them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// The CPU time the process has used so far, user and system, from
/// `/proc/self/stat` (Linux only: `None` elsewhere). Its clock ticks are
/// `USER_HZ`, 100 per second on Linux.
pub fn cpu_time() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold blanks: count fields after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)?
            .parse::<u64>()
            .ok()
            .map(|t| Duration::from_millis(t * 10))
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after `)`.
    Some((ticks(11)?, ticks(12)?))
}

/// How long the live threads named `name` have run so far, and how long
/// they waited, runnable, for a CPU, from `/proc/self/task/*/schedstat`
/// (Linux only: `None` elsewhere; a thread's name is cut to 15 bytes).
/// What the writer's apply thread used shows how near ingest is to its
/// bound: that thread applies every event; what it waited is time the
/// other threads took its CPU from it.
pub fn thread_times(name: &str) -> Option<(Duration, Duration)> {
    let (mut ran, mut waited) = (Duration::ZERO, Duration::ZERO);
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        // A thread that ended meanwhile is gone: skip it.
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if comm.trim_end() != name {
            continue;
        }
        // "<ns on a CPU> <ns waiting on a run queue> <time slices>"
        let stat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        let mut fields = stat.split_whitespace().map(|f| f.parse::<u64>().ok());
        ran += Duration::from_nanos(fields.next()??);
        waited += Duration::from_nanos(fields.next()??);
    }
    Some((ran, waited))
}

/// What a phase cost in CPU per event, from [`cpu_time`] before and after.
pub fn cpu_per_event(before: Option<(Duration, Duration)>, events: usize) -> String {
    match (before, cpu_time()) {
        (Some((user0, sys0)), Some((user1, sys1))) => {
            let us = |d: Duration| d.as_secs_f64() * 1e6 / events as f64;
            let (user, sys) = (us(user1 - user0), us(sys1 - sys0));
            format!(
                "CPU {:.0} us/event ({:.0} user + {:.0} system; the whole process, clients too)",
                user + sys,
                user,
                sys
            )
        }
        _ => "CPU n/a".into(),
    }
}

/// A blocking HTTP/1.1 keep-alive client on one connection.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    line: String,
}

impl Client {
    /// Connects to a server.
    pub fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, stream.try_clone()?),
            writer: stream,
            line: String::new(),
        })
    }

    /// Sends one request and reads the whole answer: (status, body).
    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<(u16, Vec<u8>)> {
        self.request_with(method, path, &[], body)
    }

    /// [`Client::request`] with extra headers.
    pub fn request_with(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<(u16, Vec<u8>)> {
        let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        );
        if body.len() <= 256 * 1024 {
            // One write, so a small request is one segment.
            let mut buf = Vec::with_capacity(head.len() + body.len());
            buf.extend_from_slice(head.as_bytes());
            buf.extend_from_slice(body);
            self.writer.write_all(&buf)?;
        } else {
            self.writer.write_all(head.as_bytes())?;
            self.writer.write_all(body)?;
        }
        let status_line = self.read_line()?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.to_ascii_lowercase().contains("chunked");
                }
            }
        }
        let mut answer = Vec::new();
        if chunked {
            loop {
                let size = self.read_line()?;
                let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| io::Error::other(format!("bad chunk size {size:?}")))?;
                if size == 0 {
                    while !self.read_line()?.is_empty() {}
                    break;
                }
                read_body(&mut self.reader, size, &mut answer)?;
                self.read_line()?;
            }
        } else {
            read_body(&mut self.reader, length.unwrap_or(0), &mut answer)?;
        }
        Ok((status, answer))
    }

    /// One line without its CRLF; an error at end of stream.
    fn read_line(&mut self) -> io::Result<String> {
        self.line.clear();
        if self.reader.read_line(&mut self.line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        Ok(self.line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Appends the next `size` bytes of the stream to `answer`, without zeroing
/// them first as `resize` and `read_exact` would.
fn read_body(reader: &mut BufReader<TcpStream>, size: usize, answer: &mut Vec<u8>) -> io::Result<()> {
    answer.reserve(size);
    let read = reader.take(size as u64).read_to_end(answer)?;
    if read < size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the answer ended early",
        ));
    }
    Ok(())
}
