use super::{CloneStopped, Request, Upstream, redirect_location};

#[test]
fn origin_requests_name_the_remote_and_close_after_one_answer() {
    let upstream = Upstream::Origin {
        host: "git.lan".into(),
        port: 8080,
    };
    let plain = Request::parse(
        b"GET /r.git/info/refs?service=git-upload-pack HTTP/1.1\r\n\
          Host: 127.0.0.1:4000\r\nConnection: keep-alive\r\nUser-Agent: git\r\n\r\n",
        &upstream,
    )
    .expect("parses");
    assert_eq!((plain.host.as_str(), plain.port), ("git.lan", 8080));
    assert_eq!(
        String::from_utf8(plain.forward.expect("forwarded")).expect("text"),
        "GET /r.git/info/refs?service=git-upload-pack HTTP/1.1\r\n\
         Host: git.lan:8080\r\nUser-Agent: git\r\nConnection: close\r\n\r\n"
    );
    assert!(Request::parse(b"CONNECT evil:443 HTTP/1.1\r\n\r\n", &upstream).is_err());
}

#[test]
fn tunnels_take_only_connects() {
    let tunnel = Request::parse(
        b"CONNECT GitHub.com:443 HTTP/1.1\r\n\r\n",
        &Upstream::Tunnel,
    )
    .expect("parses");
    assert_eq!((tunnel.host.as_str(), tunnel.port), ("github.com", 443));
    assert!(tunnel.forward.is_none());
    assert!(Request::parse(b"GET /x HTTP/1.1\r\n\r\n", &Upstream::Tunnel).is_err());
}

/// A relay to `upstream` whose policy allows `allowed` (`host[:port]`), and a client
/// connected to it.
async fn relay_allowing(
    allowed: &str,
    upstream: Upstream,
) -> (super::CloneProxy, tokio::net::TcpStream) {
    let policy =
        crate::pipeline::remote::RemotePolicy::from_settings(&crate::config::GitSettings {
            allow_hosts: vec![allowed.into()],
            ..Default::default()
        });
    let relay = super::CloneProxy::start(policy, upstream)
        .await
        .expect("relay");
    let client = tokio::net::TcpStream::connect(relay.address)
        .await
        .expect("connect");
    (relay, client)
}

/// A CONNECT through a relay allowing `allowed`; what came back through the tunnel.
async fn connect_through(allowed: &str, target: &str) -> (String, Option<super::CloneStopped>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (relay, mut client) = relay_allowing(allowed, Upstream::Tunnel).await;
    client
        .write_all(format!("CONNECT {target} HTTP/1.1\r\n\r\nping").as_bytes())
        .await
        .expect("write");
    let mut answer = vec![0u8; 1024];
    let mut got = String::new();
    while !got.ends_with("ping") {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(5), client.read(&mut answer));
        let n = read.await.expect("an answer in time").expect("read");
        if n == 0 {
            break;
        }
        got.push_str(&String::from_utf8_lossy(&answer[..n]));
        if got.starts_with("HTTP/1.1 403") {
            break;
        }
    }
    (got, relay.stopped())
}

#[tokio::test]
async fn a_tunnel_reaches_allowed_hosts_only() {
    let echo = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let target = echo.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = echo.accept().await {
            tokio::spawn(async move {
                let (mut read, mut write) = stream.split();
                let _ = tokio::io::copy(&mut read, &mut write).await;
            });
        }
    });
    let (through, stopped) = connect_through(&target, &target).await;
    assert_eq!(through, "HTTP/1.1 200 Connection established\r\n\r\nping");
    assert_eq!(stopped, None);

    let (refused, stopped) = connect_through("127.0.0.1:1", &target).await;
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert_eq!(
        stopped,
        Some(super::CloneStopped::Refused(
            "Repository host '127.0.0.1' resolves to 127.0.0.1, which is not a public address"
                .into()
        ))
    );
}

#[test]
fn redirects_are_recognised_by_their_status() {
    assert_eq!(
        redirect_location(b"HTTP/1.1 302 Found\r\nlocation: http://10.0.0.1/r\r\n\r\n"),
        Some("http://10.0.0.1/r".into())
    );
    assert_eq!(redirect_location(b"HTTP/1.1 200 OK\r\n\r\n"), None);
}

/// One GET through an origin relay to a server that answers with `chunks`, written one at
/// a time with a pause between them; what reached the client, and why the clone stopped.
async fn origin_answering(chunks: &'static [&'static str]) -> (String, Option<CloneStopped>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("server");
    let port = server.local_addr().expect("address").port();
    tokio::spawn(async move {
        let (mut stream, _) = server.accept().await.expect("accept");
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await;
        for chunk in chunks {
            let _ = stream.write_all(chunk.as_bytes()).await;
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
    });
    let upstream = Upstream::Origin {
        host: "127.0.0.1".into(),
        port,
    };
    let (relay, mut client) = relay_allowing(&format!("127.0.0.1:{port}"), upstream).await;
    client
        .write_all(b"GET /r.git/info/refs HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        client.read_to_end(&mut answer),
    );
    let _ = read.await.expect("the relay closes in time");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        relay.stopped(),
    )
}

#[tokio::test]
async fn a_redirect_is_refused_however_its_head_arrives() {
    let split: &[&str] = &[
        "HTT",
        "P/1.1 30",
        "2 Found\r\nLocation: http://10.0.0.1/r\r\n\r\n",
    ];
    let interim: &[&str] = &[
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 301 Moved\r\nLocation: http://10.0.0.1/r\r\n\r\n",
    ];
    for chunks in [split, interim] {
        let (answer, stopped) = origin_answering(chunks).await;
        assert!(
            !answer.contains("10.0.0.1"),
            "{chunks:?} reached git: {answer}"
        );
        assert!(
            matches!(&stopped, Some(CloneStopped::Refused(reason)) if reason.contains("http://10.0.0.1/r")),
            "{chunks:?}: {stopped:?}"
        );
    }
}

#[tokio::test]
async fn an_answer_passes_with_the_connection_closing_after_it() {
    let chunks: &[&str] = &[
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhel",
        "lo",
    ];
    let (answer, stopped) = origin_answering(chunks).await;
    assert_eq!(
        answer,
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    );
    assert_eq!(stopped, None);
}
