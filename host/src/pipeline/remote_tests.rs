use super::*;

#[test]
fn urls_give_transport_host_and_port() {
    let parsed = |url| RemoteUrl::parse(url).map(|r| (r.transport, r.host, r.port));
    assert_eq!(
        parsed("https://GitHub.com/org/repo.git"),
        Some((Transport::Https, "github.com".into(), 443))
    );
    assert_eq!(
        parsed("http://user:pw@git.lan:8080/a/b"),
        Some((Transport::Http, "git.lan".into(), 8080))
    );
    assert_eq!(
        parsed("https://[::1]:3000/r"),
        Some((Transport::Https, "::1".into(), 3000))
    );
    assert_eq!(
        parsed("git@github.com:acme/repo.git"),
        Some((Transport::Ssh, "github.com".into(), 22))
    );
    assert_eq!(parsed("ftp://host/x"), None);
    assert_eq!(parsed("https://host:port/x"), None);
    assert_eq!(parsed("https:///x"), None);
}

#[test]
fn allowed_hosts_match_host_and_given_port() {
    let policy = RemotePolicy::from_settings(&GitSettings {
        allow_hosts: vec!["git.internal:443".into(), "Gitea.LAN".into()],
        credential_hosts: vec!["GitHub.com".into()],
        ..GitSettings::default()
    });
    assert!(policy.allows("git.internal", 443));
    assert!(!policy.allows("git.internal", 22));
    assert!(policy.allows("gitea.lan", 3000));
    assert!(!policy.allows("other.lan", 443));
    assert!(policy.gives_credentials_to("github.com"));
    assert!(!policy.gives_credentials_to("gitlab.com"));
    assert_eq!(policy.max_clone_bytes, 1024 * 1024 * 1024);
}

#[test]
fn internal_addresses_are_not_global() {
    for internal in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        // Translated to the IPv4 address inside: NAT64 and 6to4.
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:c0a8:0101::1",
        "2002:7f00:1::",
        "64:ff9b:1::1",
        "2001:0:4136:e378::1",
        "::127.0.0.1",
        "fec0::1",
        "::ffff:0:7f00:1",
        "100::1",
        "2001:2::1",
        "2001:10::1",
        "2001:20::1",
        "3fff::1",
    ] {
        assert!(!is_global(internal.parse().expect("ip")), "{internal}");
    }
    for public in [
        "140.82.112.3",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "64:ff9b::8c52:7003",
        "2002:8c52:7003::1",
    ] {
        assert!(is_global(public.parse().expect("ip")), "{public}");
    }
}

#[tokio::test]
async fn internal_hosts_are_refused_unless_allowed() {
    let policy = RemotePolicy::default();
    let error = policy
        .addresses("localhost", 443)
        .await
        .expect_err("loopback");
    assert!(
        error.to_string().contains("not a public address"),
        "{error}"
    );
    assert!(policy.addresses("127.0.0.1", 80).await.is_err());
    assert!(policy.addresses("10.0.0.8", 443).await.is_err());
    // No DNS is needed for a literal public address.
    assert_eq!(
        policy.addresses("140.82.112.3", 443).await,
        Ok(vec!["140.82.112.3:443".parse().expect("addr")])
    );
    let allowing = RemotePolicy::from_settings(&GitSettings {
        allow_hosts: vec!["127.0.0.1:8080".into()],
        ..GitSettings::default()
    });
    assert_eq!(
        allowing.addresses("127.0.0.1", 8080).await,
        Ok(vec!["127.0.0.1:8080".parse().expect("addr")])
    );
    assert!(allowing.addresses("127.0.0.1", 8081).await.is_err());
}
