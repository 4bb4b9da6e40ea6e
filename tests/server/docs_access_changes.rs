//! The docs route remembers which variant a path names until something changes: a share
//! revoked, granted again, a variant deleted or regenerated is seen by the very next
//! request, never a remembered answer.

use crate::support::api::{
    ADMIN_KEY, As, Seed, create_user, delete, get, grant, revoke, seed, start_server,
};

const PAGE: &str = "/docs/alpha/main/claude/opus/index.html";

#[tokio::test]
async fn access_changes_reach_the_next_docs_request() {
    let server = start_server();
    let bob = create_user(&server, "bob", "user").await;
    seed(server.data_dir.path(), &Seed::ready("admin", "alpha")).await;
    assert_eq!(
        get(&server, PAGE, As::Bearer(&bob)).await.status,
        404,
        "not shared yet"
    );

    assert_eq!(grant(&server, "alpha", "admin", "bob").await.status, 200);
    for _ in 0..3 {
        assert_eq!(
            get(&server, PAGE, As::Bearer(&bob)).await.status,
            200,
            "shared"
        );
    }
    let revoked = revoke(&server, "alpha", "admin", "bob").await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(
        get(&server, PAGE, As::Bearer(&bob)).await.status,
        404,
        "revoked at once"
    );

    assert_eq!(grant(&server, "alpha", "admin", "bob").await.status, 200);
    assert_eq!(
        get(&server, PAGE, As::Bearer(&bob)).await.status,
        200,
        "shared again"
    );
    assert_eq!(get(&server, PAGE, As::Bearer(ADMIN_KEY)).await.status, 200);
    let deleted = delete(
        &server,
        "/api/projects/alpha/main/claude/opus?owner=admin",
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    for who in [As::Bearer(&bob), As::Bearer(ADMIN_KEY)] {
        assert_eq!(get(&server, PAGE, who).await.status, 404, "deleted at once");
    }
}
