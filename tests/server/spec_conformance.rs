//! Places where a docsfy client depends on an exact answer of spec 000: self-deletion,
//! providers named in a generate body, and percent-escapes in path segments.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::support::api::{
    ADMIN_KEY, As, Seed, create_user, delete, get, post, request, seed, start_server,
};
use crate::support::fake_ai::SampleRepo;
use crate::support::probe_plugins;
use crate::support::server::RunningServer;

/// Spec, `DELETE /api/admin/users/{username}`: "400 ErrorResponse Attempted to delete the
/// current admin user."
#[tokio::test]
async fn deleting_the_current_admin_user_is_a_400_and_changes_nothing() {
    let server = start_server();
    let root_key = create_user(&server, "root", "admin").await;

    let builtin = delete(&server, "/api/admin/users/admin", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(builtin.status, 400, "{}", builtin.text());
    assert_eq!(
        builtin.detail(),
        "Cannot delete the current admin user 'admin'"
    );

    let own = delete(&server, "/api/admin/users/root", As::Bearer(&root_key)).await;
    assert_eq!(own.status, 400, "{}", own.text());
    assert_eq!(own.detail(), "Cannot delete the current admin user 'root'");
    let me = get(&server, "/api/auth/me", As::Bearer(&root_key)).await;
    assert_eq!(me.status, 200, "the refused delete kept the account");

    let by_other = delete(&server, "/api/admin/users/root", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(by_other.json(), json!({"deleted": "root"}));
}

/// Spec, `POST /api/generate`: "ai_provider Body string ... Valid values are claude, gemini,
/// and cursor." and "422 ErrorResponse Request body failed schema validation." Here the valid
/// values are the loaded providers, third-party ones included.
#[tokio::test]
async fn a_third_party_provider_named_in_the_body_is_valid() {
    let (_plugins, config) = probe_plugins();
    let server = RunningServer::start(&config, &[("ADMIN_KEY", ADMIN_KEY)]);
    let repo = SampleRepo::new();
    let path = repo.path().display().to_string();

    let unknown = post(
        &server,
        "/api/generate",
        As::Bearer(ADMIN_KEY),
        json!({"repo_path": path, "ai_provider": "watsonx"}),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    assert_eq!(
        unknown.detail(),
        "Invalid AI provider: 'watsonx'. Must be one of: claude, cursor, gemini, openai, sandbox-probe"
    );

    let probe = post(
        &server,
        "/api/generate",
        As::Bearer(ADMIN_KEY),
        json!({"repo_path": path, "ai_provider": "sandbox-probe", "ai_model": "none"}),
    )
    .await;
    assert_eq!(probe.status, 202, "{}", probe.text());
    assert_eq!(probe.json()["project"], repo.project());
}

/// What a browser's `encodeURIComponent` makes of a segment: everything but letters and
/// digits escaped (more than it must, which is the point).
fn encoded(segment: &str) -> String {
    utf8_percent_encode(segment, NON_ALPHANUMERIC).to_string()
}

/// Spec: variant routes take `{name}/{branch}/{provider}/{model}` path parameters; `/docs`
/// decodes them, and so must every other route, by the same rule.
#[tokio::test]
async fn every_route_decodes_percent_escapes_in_every_segment() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    // Brackets (claude's own model ids), spaces, a slash and non-ASCII text, one kind or
    // more in each of the segments that can hold them; project names are plain by rule.
    let variant = Seed {
        branch: "rel [2] été",
        provider: "my provider",
        model: "org/claude-opus-4-6[1m] ü",
        ..Seed::ready("alice", "alpha")
    };
    seed(server.data_dir.path(), &variant).await;
    let path = format!(
        "alpha%2Dx/{}/{}/{}",
        encoded(variant.branch),
        encoded(variant.provider),
        encoded(variant.model),
    );
    // `alpha%2Dx` is `alpha-x`, which does not exist: the name segment decodes too.
    let missing = get(
        &server,
        &format!("/api/projects/{path}"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.detail().contains("alpha-x/rel [2] été"),
        "{}",
        missing.text()
    );

    let path = format!(
        "%61lpha/{}/{}/{}",
        encoded(variant.branch),
        encoded(variant.provider),
        encoded(variant.model)
    );
    let one = get(
        &server,
        &format!("/api/projects/{path}"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(one.json()["ai_model"], variant.model);
    assert_eq!(one.json()["branch"], variant.branch);

    let project = get(&server, "/api/projects/%61lpha", As::Bearer(&alice)).await;
    assert_eq!(project.status, 200, "{}", project.text());

    let download = get(
        &server,
        &format!("/api/projects/{path}/download"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(download.status, 200, "{}", download.text());
    let latest = get(
        &server,
        "/api/projects/%61lpha/download",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(latest.status, 200, "{}", latest.text());

    let docs = get(
        &server,
        &format!("/docs/{path}/index.html"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(docs.status, 200, "{}", docs.text());
    assert!(docs.text().contains(variant.model), "{}", docs.text());
    // The same `%2F` inside the file path is an escape, not a name.
    let escape = get(
        &server,
        &format!("/docs/{path}/guide%2Fsetup.html"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(escape.status, 403);

    let abort = post(
        &server,
        &format!("/api/projects/{path}/abort"),
        As::Bearer(&alice),
        json!({}),
    )
    .await;
    assert_eq!(abort.detail(), "No active generation for this variant");

    let access = get(
        &server,
        "/api/admin/projects/%61lpha/access?owner=alice",
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(access.status, 200, "{}", access.text());

    let removed = request(
        &server,
        reqwest::Method::DELETE,
        &format!("/api/projects/{path}"),
        As::Bearer(&alice),
        None,
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text());
    let gone = get(
        &server,
        &format!("/api/projects/{path}"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(gone.status, 404);

    create_user(&server, "bob", "user").await;
    let bob = delete(&server, "/api/admin/users/b%6Fb", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(bob.json(), json!({"deleted": "bob"}));
}
