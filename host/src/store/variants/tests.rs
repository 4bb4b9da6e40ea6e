use std::collections::BTreeSet;

use super::*;
use crate::store::Store;

fn key(owner: &str, name: &str) -> VariantKey {
    VariantKey {
        name: name.into(),
        branch: "main".into(),
        provider: "claude".into(),
        model: "m[1m]".into(),
        owner: owner.into(),
    }
}

async fn insert(store: &Store, key: &VariantKey, status: Status) {
    store
        .put_variant(&NewVariant {
            key: key.clone(),
            repo_url: "u \"quoted\"".into(),
            status: Status::Generating,
            generation_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .expect("insert");
    match status {
        Status::Generating => {}
        Status::Ready => {
            store
                .mark_ready(key, "sha", 3, "{\"x\":[1]}", Some(Stage::UpToDate))
                .await
                .expect("ready");
        }
        ended => {
            store
                .end_generation(key, ended, "it went wrong")
                .await
                .expect("ended");
        }
    }
}

#[tokio::test]
async fn the_json_listing_equals_the_decoded_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).await.expect("store");
    for (owner, name, status) in [
        ("alice", "a", Status::Ready),
        ("bob", "b", Status::Error),
        ("carol", "c", Status::Aborted),
        ("", "legacy", Status::Generating),
    ] {
        insert(&store, &key(owner, name), status).await;
    }
    for visibility in [
        Visibility::All,
        Visibility::User("alice".into()),
        Visibility::User("nobody".into()),
    ] {
        let decoded = serde_json::to_value(store.list_variants(&visibility).await.expect("rows"))
            .expect("json");
        let built: serde_json::Value =
            serde_json::from_str(&store.list_variants_json(&visibility).await.expect("json"))
                .expect("parse");
        assert_eq!(built, decoded, "{visibility:?}");
    }
}

/// The SQL condition and [`Visibility::sees`] are the same rule: for every user, the rows
/// the store lists are exactly those the predicate accepts.
#[tokio::test]
async fn the_sql_visibility_agrees_with_the_rule() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).await.expect("store");
    let owners = ["alice", "bob", "carol"];
    for owner in owners {
        for name in ["one", "two"] {
            insert(&store, &key(owner, name), Status::Ready).await;
        }
    }
    store
        .grant_access("one", "bob", "alice")
        .await
        .expect("grant");
    store
        .grant_access("two", "carol", "bob")
        .await
        .expect("grant");
    let grants: BTreeSet<(String, String, String)> =
        [("one", "bob", "alice"), ("two", "carol", "bob")]
            .iter()
            .map(|(n, o, u)| (n.to_string(), o.to_string(), u.to_string()))
            .collect();
    let all = store.list_variants(&Visibility::All).await.expect("all");
    assert_eq!(all.len(), 6);
    for user in ["alice", "bob", "carol", "dave"] {
        let visibility = Visibility::User(user.into());
        let listed: BTreeSet<VariantKey> = store
            .list_variants(&visibility)
            .await
            .expect("list")
            .into_iter()
            .map(|v| v.key)
            .collect();
        let expected: BTreeSet<VariantKey> = all
            .iter()
            .filter(|v| {
                visibility.sees(&v.key.owner, || {
                    grants.contains(&(v.key.name.clone(), v.key.owner.clone(), user.into()))
                })
            })
            .map(|v| v.key.clone())
            .collect();
        assert_eq!(listed, expected, "{user}");
    }
}

/// Newest first means the last written first, even within one second: a variant written
/// again after others comes before them, whatever the order they were created in.
#[tokio::test]
async fn listings_put_the_last_written_first() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).await.expect("store");
    for name in ["a", "b", "c"] {
        insert(&store, &key("alice", name), Status::Ready).await;
    }
    insert(&store, &key("alice", "a"), Status::Ready).await;
    store
        .set_progress(&key("alice", "b"), Stage::Rendering, 1)
        .await
        .expect("progress");
    let order =
        |listed: Vec<Variant>| -> Vec<String> { listed.into_iter().map(|v| v.key.name).collect() };
    let listed = store.list_variants(&Visibility::All).await.expect("list");
    assert_eq!(order(listed), ["b", "a", "c"]);
    let json: serde_json::Value = serde_json::from_str(
        &store
            .list_variants_json(&Visibility::All)
            .await
            .expect("json"),
    )
    .expect("parse");
    let names: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["b", "a", "c"]);
}
