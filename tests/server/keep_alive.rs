//! One keep-alive connection through answers that come before the request body is read: the
//! next request on that connection must still get its answer, as httpx, requests sessions and
//! browsers expect when they reuse a connection the server did not say it would close.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::api::ADMIN_KEY;
use crate::support::server::RunningServer;

/// A response as the client read it.
struct Answer {
    status: u16,
    closes: bool,
}

/// An HTTP/1.1 client that keeps its connection until the server says `Connection: close`,
/// and reports, instead of hiding, a connection that ends without an answer.
struct KeepAliveClient {
    address: String,
    connection: Option<BufReader<TcpStream>>,
    opened: usize,
}

impl KeepAliveClient {
    fn new(address: &str) -> KeepAliveClient {
        KeepAliveClient {
            address: address.into(),
            connection: None,
            opened: 0,
        }
    }

    fn connection(&mut self) -> &mut BufReader<TcpStream> {
        if self.connection.is_none() {
            let stream = TcpStream::connect(&self.address).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .expect("timeout");
            // Head and body go in separate writes: without this, Nagle's algorithm and the
            // server's delayed ACK add 40 ms to each request.
            stream.set_nodelay(true).expect("nodelay");
            self.opened += 1;
            self.connection = Some(BufReader::new(stream));
        }
        self.connection.as_mut().expect("just opened")
    }

    /// Sends `head` (without its blank line) and `body`. With `expect_continue`, the body goes
    /// only after `100 Continue`, as curl does for larger bodies.
    fn send(&mut self, head: &str, body: &[u8], expect_continue: bool) -> Result<Answer, String> {
        let mut head = format!(
            "{head}\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        if expect_continue {
            head.push_str("Expect: 100-continue\r\n");
        }
        head.push_str("\r\n");
        let connection = self.connection();
        let mut sent = connection.get_mut().write_all(head.as_bytes());
        if !expect_continue {
            sent = sent.and_then(|()| connection.get_mut().write_all(body));
        }
        sent.map_err(|e| format!("sending: {e}"))?;
        let mut answer = read_answer(connection)?;
        if answer.status == 100 {
            connection
                .get_mut()
                .write_all(body)
                .map_err(|e| format!("sending the body after 100: {e}"))?;
            answer = read_answer(connection)?;
        }
        if answer.closes {
            self.connection = None;
        }
        Ok(answer)
    }
}

/// Reads one response (head and body, by Content-Length or chunked).
fn read_answer(connection: &mut BufReader<TcpStream>) -> Result<Answer, String> {
    let line = |connection: &mut BufReader<TcpStream>| -> Result<String, String> {
        let mut line = String::new();
        match connection.read_line(&mut line) {
            Ok(0) => Err("the server closed the connection without an answer".into()),
            Ok(_) => Ok(line.trim_end().to_string()),
            Err(e) => Err(format!("reading: {e}")),
        }
    };
    let status_line = line(connection)?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not a status line: {status_line:?}"))?;
    let (mut length, mut chunked, mut closes) = (0usize, false, false);
    loop {
        let header = line(connection)?;
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((&header, ""));
        let value = value.trim().to_ascii_lowercase();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().map_err(|_| "bad length")?,
            "transfer-encoding" => chunked = value.contains("chunked"),
            "connection" => closes = value.contains("close"),
            _ => {}
        }
    }
    if status == 100 {
        return Ok(Answer { status, closes });
    }
    if chunked {
        loop {
            let size = usize::from_str_radix(&line(connection)?, 16).map_err(|_| "chunk size")?;
            let mut chunk = vec![0; size + 2];
            connection
                .read_exact(&mut chunk)
                .map_err(|e| format!("chunk: {e}"))?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0; length];
        connection
            .read_exact(&mut body)
            .map_err(|e| format!("body: {e}"))?;
    }
    Ok(Answer { status, closes })
}

#[test]
fn a_keep_alive_connection_survives_answers_given_before_the_body_is_read() {
    // Hundreds of wrong logins on purpose: limits that never throttle them.
    let server = RunningServer::start(
        "[login]\nfailures_per_user = 1000000\nfailures_per_address = 1000000\n",
        &[("ADMIN_KEY", ADMIN_KEY)],
    );
    let mut client = KeepAliveClient::new(server.base.trim_start_matches("http://"));
    let json = br#"{"repo_url": "https://github.com/acme/widgets", "branch": "main"}"#;
    let big = vec![b'x'; 100 * 1024];
    let wrong_login = br#"{"username": "admin", "api_key": "not-the-admin-key-at-all"}"#;
    // (request line, body, Expect: 100-continue, the status the spec gives)
    let requests: [(&str, &[u8], bool, u16); 7] = [
        ("GET /health HTTP/1.1", b"", false, 200),
        ("POST /api/generate HTTP/1.1", json, false, 401),
        ("POST /nowhere HTTP/1.1", &big, false, 404),
        ("POST /api/auth/login HTTP/1.1", &big, false, 413),
        ("POST /api/auth/login HTTP/1.1", wrong_login, false, 401),
        ("PUT /api/auth/login HTTP/1.1", json, false, 405),
        ("POST /api/generate HTTP/1.1", &big, true, 401),
    ];
    let rounds = 400;
    let mut failures = Vec::new();
    for round in 0..rounds {
        for (head, body, expect_continue, status) in requests {
            match client.send(head, body, expect_continue) {
                Ok(answer) => {
                    assert_eq!(answer.status, status, "{head}");
                    // Only a body the client has not sent yet (Expect) is refused by closing;
                    // everything else is read, and the connection kept.
                    assert_eq!(answer.closes, expect_continue, "{head}: Connection: close");
                }
                Err(error) => {
                    failures.push(format!("round {round}, {head}: {error}"));
                    client.connection = None;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests failed; first: {:?}",
        failures.len(),
        rounds * requests.len(),
        failures.first()
    );
    assert_eq!(
        client.opened, rounds,
        "one connection per round: the Expect request ends each"
    );
}
