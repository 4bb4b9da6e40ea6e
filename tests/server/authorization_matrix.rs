//! Every route against every kind of caller: anonymous, a viewer the project is shared
//! with, the owning user, another user, a database admin, and the ADMIN_KEY admin.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::api::{ADMIN_KEY, As, Seed, create_user, post, request, seed, start_server};

/// Columns: anonymous, viewer (shared), owner, other user, database admin, ADMIN_KEY.
type Expected = [u16; 6];

struct Case {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    expected: Expected,
}

fn case(method: Method, path: &'static str, body: Option<Value>, expected: Expected) -> Case {
    Case {
        method,
        path,
        body,
        expected,
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_spec_says() {
    let server = start_server();
    let viewer = create_user(&server, "vic", "viewer").await;
    let owner = create_user(&server, "alice", "user").await;
    let other = create_user(&server, "olivia", "user").await;
    let admin = create_user(&server, "root", "admin").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let share = json!({"username": "vic", "owner": "alice"});
    assert_eq!(
        post(
            &server,
            "/api/admin/projects/alpha/access",
            As::Bearer(ADMIN_KEY),
            share
        )
        .await
        .status,
        200
    );

    const READ: Expected = [401, 200, 200, 404, 200, 200];
    const ANY: Expected = [401, 200, 200, 200, 200, 200];
    const PUBLIC: Expected = [200, 200, 200, 200, 200, 200];
    const ADMIN: Expected = [401, 403, 403, 403, 200, 200];
    const ADMIN_MISSING: Expected = [401, 403, 403, 403, 404, 404];
    const WRITE_MISSING: Expected = [401, 403, 404, 404, 404, 404];
    let cases = [
        case(Method::GET, "/health", None, PUBLIC),
        case(Method::GET, "/ready", None, PUBLIC),
        case(Method::GET, "/api/models", None, PUBLIC),
        case(Method::POST, "/api/auth/logout", None, PUBLIC),
        case(
            Method::POST,
            "/api/auth/login",
            Some(json!({"username": "x", "api_key": "y"})),
            [401; 6],
        ),
        case(Method::GET, "/api/auth/me", None, ANY),
        case(Method::GET, "/api/status", None, ANY),
        case(Method::GET, "/api/projects", None, ANY),
        case(Method::GET, "/api/projects/alpha", None, READ),
        case(
            Method::GET,
            "/api/projects/alpha/main/claude/opus",
            None,
            READ,
        ),
        case(
            Method::GET,
            "/api/projects/alpha/main/claude/opus/download",
            None,
            READ,
        ),
        case(Method::GET, "/api/projects/alpha/download", None, READ),
        case(Method::GET, "/docs/alpha/main/claude/opus/", None, READ),
        case(Method::GET, "/docs/alpha/index.html", None, READ),
        case(
            Method::DELETE,
            "/api/projects/alpha/main/claude/missing?owner=alice",
            None,
            WRITE_MISSING,
        ),
        case(
            Method::DELETE,
            "/api/projects/missing?owner=alice",
            None,
            WRITE_MISSING,
        ),
        case(Method::GET, "/api/admin/users", None, ADMIN),
        case(Method::GET, "/api/admin/settings", None, ADMIN),
        case(Method::GET, "/api/cost", None, ANY),
        case(
            Method::GET,
            "/api/projects/by-id/00000000-0000-4000-8000-000000000000",
            None,
            [401, 404, 404, 404, 404, 404],
        ),
        case(
            Method::DELETE,
            "/api/admin/users/nobody",
            None,
            ADMIN_MISSING,
        ),
        case(
            Method::POST,
            "/api/admin/users/nobody/rotate-key",
            Some(json!({})),
            ADMIN_MISSING,
        ),
        case(
            Method::GET,
            "/api/admin/projects/alpha/access?owner=alice",
            None,
            ADMIN,
        ),
        case(
            Method::POST,
            "/api/admin/projects/alpha/access",
            Some(json!({"username": "nobody", "owner": "alice"})),
            ADMIN_MISSING,
        ),
        case(
            Method::DELETE,
            "/api/admin/projects/alpha/access/nobody?owner=alice",
            None,
            ADMIN,
        ),
    ];
    let callers = [
        ("anonymous", As::Anonymous),
        ("viewer", As::Bearer(&viewer)),
        ("owner", As::Bearer(&owner)),
        ("other user", As::Bearer(&other)),
        ("database admin", As::Bearer(&admin)),
        ("ADMIN_KEY", As::Bearer(ADMIN_KEY)),
    ];
    let mut mismatches = Vec::new();
    for case in &cases {
        for (column, (who, credential)) in callers.iter().enumerate() {
            let answer = request(
                &server,
                case.method.clone(),
                case.path,
                *credential,
                case.body.clone(),
            )
            .await;
            if answer.status != case.expected[column] {
                mismatches.push(format!(
                    "{} {} as {who}: got {}, want {} ({})",
                    case.method,
                    case.path,
                    answer.status,
                    case.expected[column],
                    answer.text()
                ));
            }
            if answer.status >= 400 {
                assert!(
                    !answer.detail().is_empty(),
                    "{} {} as {who}: no JSON detail",
                    case.method,
                    case.path
                );
            }
        }
    }
    // Creating users and rotating one's own key change state, so each caller does it once, last.
    for (column, (who, credential)) in callers.iter().enumerate() {
        let body = json!({"username": format!("made-by-{column}")});
        let created = request(
            &server,
            Method::POST,
            "/api/admin/users",
            *credential,
            Some(body),
        )
        .await;
        let want = ADMIN[column];
        if created.status != want {
            mismatches.push(format!(
                "POST /api/admin/users as {who}: got {}, want {want}",
                created.status
            ));
        }
        let rotated = request(
            &server,
            Method::POST,
            "/api/auth/rotate-key",
            *credential,
            Some(json!({})),
        )
        .await;
        let want = [401, 200, 200, 200, 200, 400][column];
        if rotated.status != want {
            mismatches.push(format!(
                "POST /api/auth/rotate-key as {who}: got {}, want {want}",
                rotated.status
            ));
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
