use super::*;

async fn authenticator() -> (tempfile::TempDir, Arc<Authenticator>) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).await.expect("store");
    let limits = Limits {
        per_user: 3,
        per_address: 5,
        window: std::time::Duration::from_secs(60),
    };
    let auth = Authenticator::new(store, [7; 32], "the-admin-key-0123456789", limits);
    (dir, Arc::new(auth))
}

#[tokio::test]
async fn a_crowd_presenting_one_key_runs_argon2_once() {
    let (_dir, auth) = authenticator().await;
    let (_, key) = auth.create_user("crowd", Role::User).await.expect("user");
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let (auth, key) = (auth.clone(), key.clone());
            tokio::spawn(async move { auth.bearer(&key, None).await })
        })
        .collect();
    for call in calls {
        let principal = call.await.expect("joined").expect("no db error");
        assert_eq!(principal.map(|p| p.username).as_deref(), Some("crowd"));
    }
    assert_eq!(auth.argon2_runs(), 1);
    assert!(
        auth.verifying.lock().expect("gates").is_empty(),
        "no gate left behind"
    );
}

#[tokio::test]
async fn a_rotated_key_stops_working_at_once() {
    let (_dir, auth) = authenticator().await;
    let (_, old) = auth.create_user("erin", Role::User).await.expect("user");
    assert!(auth.bearer(&old, None).await.expect("db").is_some());
    let new = auth.rotate("erin", None).await.expect("rotated");
    assert!(auth.bearer(&old, None).await.expect("db").is_none());
    assert!(auth.bearer(&new, None).await.expect("db").is_some());
}

#[tokio::test]
async fn an_unknown_user_costs_an_argon2_run_like_a_known_one() {
    let (_dir, auth) = authenticator().await;
    auth.create_user("known", Role::User).await.expect("user");
    let before = auth.argon2_runs();
    let wrong = "a-wrong-key-of-some-length";
    assert!(matches!(
        auth.login("known", wrong, None).await,
        Err(LoginError::Invalid)
    ));
    assert_eq!(auth.argon2_runs(), before + 1);
    assert!(matches!(
        auth.login("nobody", wrong, None).await,
        Err(LoginError::Invalid)
    ));
    assert_eq!(
        auth.argon2_runs(),
        before + 2,
        "the unknown user was verified too"
    );
}

#[tokio::test]
async fn failed_logins_stop_a_username_and_failed_keys_an_address() {
    let (_dir, auth) = authenticator().await;
    let (_, key) = auth.create_user("gus", Role::User).await.expect("user");
    let here: Option<IpAddr> = Some("192.0.2.7".parse().expect("ip"));
    for _ in 0..3 {
        assert!(matches!(
            auth.login("gus", "not-gus-key-at-all", here).await,
            Err(LoginError::Invalid)
        ));
    }
    assert!(matches!(
        auth.login("gus", &key, None).await,
        Err(LoginError::Throttled(_))
    ));
    // Verified before the guessing started, the key keeps working as a bearer.
    let (_, cached) = auth.create_user("hal", Role::User).await.expect("user");
    assert!(auth.bearer(&cached, here).await.expect("db").is_some());
    for _ in 0..2 {
        assert!(
            auth.bearer("guessed-key-000000", here)
                .await
                .expect("db")
                .is_none()
        );
    }
    assert!(matches!(
        auth.bearer("guessed-key-000001", here).await,
        Err(AuthError::Throttled(_))
    ));
    assert!(auth.bearer(&cached, here).await.expect("cached").is_some());
    assert!(
        auth.bearer("guessed-key-000002", Some("192.0.2.8".parse().expect("ip")))
            .await
            .expect("another address")
            .is_none()
    );
}
