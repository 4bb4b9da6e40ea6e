//! `/api/admin/*`: users (create, list, delete, rotate a key) and project sharing.

use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::auth::{new_key_response, no_store, rotated};
use super::body::{self, optional_string, required_string};
use super::error::respond;
use super::names::{check_project_name, check_username};
use super::principal::{caller, require_admin};
use super::segment::Segment;
use super::{ApiError, AppState, Query};
use crate::auth::{ADMIN_USERNAME, Principal};
use crate::domain::Role;
use crate::events::Event;
use crate::store::DbError;

/// Every `/api/admin` route.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let users = warp::path!("api" / "admin" / "users");
    let user = warp::path!("api" / "admin" / "users" / Segment);
    let rotate = warp::path!("api" / "admin" / "users" / Segment / "rotate-key");
    let access = warp::path!("api" / "admin" / "projects" / Segment / "access");
    let revoke = warp::path!("api" / "admin" / "projects" / Segment / "access" / Segment);

    let create = users
        .and(warp::post())
        .and(caller(state.clone()))
        .and(body::json_object())
        .then(|who: Principal, state: AppState, body| async move {
            respond(create_user(who, state, body).await)
        });
    let list = users.and(warp::get()).and(caller(state.clone())).then(
        |who: Principal, state: AppState| async move { respond(list_users(who, state).await) },
    );
    let delete = user.and(warp::delete()).and(caller(state.clone())).then(
        |Segment(username): Segment, who: Principal, state: AppState| async move {
            respond(delete_user(who, state, username).await)
        },
    );
    let rotate = rotate
        .and(warp::post())
        .and(caller(state.clone()))
        .and(body::json_object())
        .then(
            |Segment(username): Segment, who: Principal, state: AppState, body| async move {
                respond(rotate_user_key(who, state, username, body).await)
            },
        );
    let grant = access
        .and(warp::post())
        .and(caller(state.clone()))
        .and(body::json_object())
        .then(
            |Segment(name): Segment, who: Principal, state: AppState, body| async move {
                respond(grant_access(who, state, name, body).await)
            },
        );
    let list_access = access
        .and(warp::get())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |Segment(name): Segment, who: Principal, state: AppState, query: Query| async move {
                respond(list_access(who, state, name, query).await)
            },
        );
    let revoke = revoke
        .and(warp::delete())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |Segment(name): Segment,
             Segment(username): Segment,
             who: Principal,
             state: AppState,
             query: Query| async move {
                respond(revoke_access(who, state, name, username, query).await)
            },
        );
    create
        .or(list)
        .unify()
        .or(delete)
        .unify()
        .or(rotate)
        .unify()
        .or(grant)
        .unify()
        .or(list_access)
        .unify()
        .or(revoke)
        .unify()
}

async fn create_user(
    who: Principal,
    state: AppState,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    let username = required_string(&body, "username")?;
    check_username(&username)?;
    if username.eq_ignore_ascii_case(ADMIN_USERNAME) {
        return Err(ApiError::bad_request(format!(
            "Username '{username}' is reserved"
        )));
    }
    let role: Role = optional_string(&body, "role")?
        .unwrap_or_else(|| "user".into())
        .parse()
        .map_err(ApiError::bad_request)?;
    let (user, key) = state.auth.create_user(&username, role).await.map_err(|e| {
        let message = e.to_string();
        if message.ends_with("already exists") {
            ApiError::bad_request(message)
        } else {
            ApiError::internal(e)
        }
    })?;
    let body =
        serde_json::json!({ "username": user.username, "api_key": key, "role": role.as_str() });
    Ok(no_store(warp::reply::json(&body).into_response()))
}

async fn list_users(who: Principal, state: AppState) -> Result<Response, ApiError> {
    require_admin(&who)?;
    let users = state.store.list_users().await?;
    Ok(warp::reply::json(&serde_json::json!({ "users": users })).into_response())
}

async fn delete_user(
    who: Principal,
    state: AppState,
    username: String,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    // Also the built-in `admin` of ADMIN_KEY, which has no row to delete.
    if who.username == username {
        return Err(ApiError::bad_request(format!(
            "Cannot delete the current admin user '{username}'"
        )));
    }
    if state.store.owner_is_generating(&username).await? {
        return Err(ApiError::conflict(format!(
            "User '{username}' has a generation in progress; abort it first"
        )));
    }
    let deleted = match state.store.delete_user(&username).await {
        Ok(deleted) => deleted,
        Err(DbError::NotFound) => {
            return Err(ApiError::not_found(format!("User '{username}' not found")));
        }
        Err(error) => return Err(error.into()),
    };
    state.auth.forget(&username);
    state.announce(Event::OwnerGone {
        owner: username.clone(),
    });
    state.announce(Event::AccountChanged {
        username: username.clone(),
    });
    for key in deleted {
        state.artifacts.remove_variant(&key).await;
    }
    Ok(warp::reply::json(&serde_json::json!({ "deleted": username })).into_response())
}

async fn rotate_user_key(
    who: Principal,
    state: AppState,
    username: String,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    let chosen = optional_string(&body, "new_key")?;
    let key = rotated(&state, &username, chosen).await?;
    Ok(new_key_response(&username, &key))
}

async fn grant_access(
    who: Principal,
    state: AppState,
    name: String,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    check_project_name(&name)?;
    let username = required_string(&body, "username")?;
    let owner = required_string(&body, "owner")?;
    match state.store.user_by_name(&username).await {
        Ok(_) => {}
        Err(DbError::NotFound) => {
            return Err(ApiError::not_found(format!("User '{username}' not found")));
        }
        Err(error) => return Err(error.into()),
    }
    if !state.store.project_exists(&name, &owner).await? {
        return Err(ApiError::not_found(format!(
            "Project '{name}' not found for owner '{owner}'"
        )));
    }
    state.store.grant_access(&name, &owner, &username).await?;
    state.announce(Event::AccessChanged {
        name: name.clone(),
        owner: owner.clone(),
        username: username.clone(),
    });
    let body = serde_json::json!({ "granted": name, "username": username, "owner": owner });
    Ok(warp::reply::json(&body).into_response())
}

async fn list_access(
    who: Principal,
    state: AppState,
    name: String,
    query: Query,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    check_project_name(&name)?;
    let owner = required_owner(&query)?;
    let users = state.store.access_list(&name, owner).await?;
    let body = serde_json::json!({ "project": name, "owner": owner, "users": users });
    Ok(warp::reply::json(&body).into_response())
}

async fn revoke_access(
    who: Principal,
    state: AppState,
    name: String,
    username: String,
    query: Query,
) -> Result<Response, ApiError> {
    require_admin(&who)?;
    check_project_name(&name)?;
    let owner = required_owner(&query)?;
    state.store.revoke_access(&name, owner, &username).await?;
    state.announce(Event::AccessChanged {
        name: name.clone(),
        owner: owner.to_string(),
        username: username.clone(),
    });
    let body = serde_json::json!({ "revoked": name, "username": username, "owner": owner });
    Ok(warp::reply::json(&body).into_response())
}

fn required_owner(query: &Query) -> Result<&str, ApiError> {
    query
        .get("owner")
        .map(String::as_str)
        .ok_or_else(|| ApiError::bad_request("The 'owner' query parameter is required"))
}
