//! A person's own key: rotated from the dashboard (a chosen key or a generated one), shown
//! once while the old session ends, and the only key that signs in afterwards.

use crate::browser::with_browser;
use crate::support::api::{As, create_user, get, start_server};

#[test]
fn a_user_rotates_their_own_key_sees_it_once_and_signs_in_with_it() {
    with_browser(1280, |page| async move {
        let server = start_server();
        let old_key = create_user(&server, "carol", "user").await;
        page.sign_in(&server.url(""), "carol", &old_key).await;

        page.fill("#own-new-key", "too-short").await;
        page.click("#rotate-own").await;
        page.wait_until(
            "the refusal",
            10,
            "return !!document.querySelector('#own-key .error');",
        )
        .await;
        assert!(
            page.text("#own-key .error").await.contains("16"),
            "{}",
            page.text("#own-key").await
        );
        assert_eq!(
            get(&server, "/api/auth/me", As::Bearer(&old_key))
                .await
                .status,
            200,
            "a refused rotation changes nothing"
        );

        let chosen = "carol-chose-this-key-1234";
        page.fill("#own-new-key", chosen).await;
        page.click("#rotate-own").await;
        page.wait_until(
            "the new key",
            10,
            "return !!document.querySelector('#own-key .new-key');",
        )
        .await;
        assert_eq!(page.text("#own-key .new-key").await, chosen);
        // The old session ended with the rotation; the key stays on screen to be read.
        page.wait_until(
            "the socket to end",
            10,
            "return document.getElementById('connection').textContent === 'Signed out';",
        )
        .await;
        assert_eq!(page.run("return location.pathname;").await, "/");
        assert_eq!(page.text("#own-key .new-key").await, chosen);
        page.screenshot("account-key-rotated-1280").await;
        assert_eq!(
            get(&server, "/api/auth/me", As::Bearer(&old_key))
                .await
                .status,
            401
        );

        page.click("#own-key a").await;
        page.wait_for_path("/login").await;
        page.sign_in(&server.url(""), "carol", chosen).await;
        assert_eq!(page.text("#whoami").await, "carol (user)");
        page.assert_no_console_errors_but(&[
            "/api/auth/rotate-key",
            "/api/ws",
            "/api/status",
            "/api/auth/me",
        ])
        .await;
    });
}
